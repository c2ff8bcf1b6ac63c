// End-to-end test of the `karvan serve` web page in headless Chromium (playwright-core,
// Debian's /usr/bin/chromium; no browser is downloaded).
//
//   node tests/browser/e2e.mjs BASE_URL SCREENSHOT_DIR
//
// Steps: the map draws the network; routes Tashkent → Karachi; a scenario with
// Uzbekistan's transit tariffs cut by 30 % runs and is compared with the base; the page
// asks nothing of any host but the server (checked after every step); and the tariff
// game, played by Uzbekistan, Afghanistan and Pakistan, shows its tables and Shapley
// values that share out the grand coalition's value; and the Resilience tab closes the
// Afghan–Pakistani border for 60 days from day 285 (cargo leaves Torkham and Chaman for
// Iran) and runs a small resilience analysis. Exits non-zero with a message on failure.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const TOTAL_TIMEOUT_MS = 170_000; // under the 180 s the Rust harness allows
const STEP_TIMEOUT_MS = 60_000;
const VIEWPORT = { width: 1440, height: 900 };
const SCENARIO = 'e2e-uzb-cut';
// Three players keep the game quick: 2^3 coalitions instead of 2^7.
const GAME_PLAYERS = ['UZB', 'AFG', 'PAK'];
const GAME_TIMEOUT_MS = 120_000;
// Twenty Monte Carlo years keep the resilience analysis quick; the ranking closes every element anyway.
const RESILIENCE_SAMPLES = 20;
const RESILIENCE_TIMEOUT_MS = 120_000;

const [baseArg, shotDir] = process.argv.slice(2);
if (!baseArg || !shotDir) {
  console.error('usage: node tests/browser/e2e.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
const base = new URL(baseArg);
mkdirSync(shotDir, { recursive: true });

class StepFailure extends Error {}

/** Fails the current step with a message that says what was expected. */
function check(condition, message) {
  if (!condition) throw new StepFailure(message);
}

let browser;
const foreign = []; // requests to any origin but the server's
const pageErrors = [];

async function finish(code, message) {
  if (message) console.error(message);
  if (browser) await browser.close().catch(() => {});
  process.exit(code);
}

const watchdog = setTimeout(() => {
  finish(1, `FAIL: the browser test took more than ${TOTAL_TIMEOUT_MS / 1000} s`);
}, TOTAL_TIMEOUT_MS);

/** Runs one step with its own time limit and prints a summary line. */
async function step(name, body, limitMs = STEP_TIMEOUT_MS) {
  const started = Date.now();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new StepFailure(`timed out after ${limitMs / 1000} s`)), limitMs);
  });
  try {
    const summary = await Promise.race([body(), timeout]);
    checkRequests();
    check(pageErrors.length === 0, `the page threw: ${pageErrors.join(' | ')}`);
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${summary ? `: ${summary}` : ''}`);
  } catch (e) {
    const why = e instanceof StepFailure ? e.message : (e && e.stack) || String(e);
    await finish(1, `FAIL ${name}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

function checkRequests() {
  check(foreign.length === 0, `the page made requests to other hosts: ${[...new Set(foreign)].join(', ')}`);
}

/** Only the server's own origin is allowed; data: URLs are not requests to a host. */
function onRequest(request) {
  const url = request.url();
  let u;
  try { u = new URL(url); } catch { foreign.push(url); return; }
  if (u.protocol === 'data:' || u.protocol === 'blob:') return;
  if (u.origin !== base.origin) foreign.push(url);
}

/**
 * Checks a PNG screenshot of the map is not blank, by drawing it on a canvas in a blank
 * page and sampling its pixels: the network lines (purple 1520 mm rail, brown road) must
 * be there and the picture must not be one flat colour.
 */
async function checkNotBlank(context, png) {
  check(png.length > 30_000, `the map screenshot is only ${png.length} bytes: is the map blank?`);
  const page = await context.newPage();
  try {
    const stats = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const counts = new Map();
      let rail = 0;
      let road = 0;
      let samples = 0;
      for (let i = 0; i < data.length; i += 4 * 3) { // every third pixel
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        samples++;
        const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
        counts.set(key, (counts.get(key) || 0) + 1);
        if (r > 80 && r < 140 && g < 60 && b > 120 && b < 190) rail++;       // ~#6a1b9a
        if (r > 120 && r < 170 && g > 100 && g < 150 && b > 80 && b < 130 && r - b > 25) road++; // ~#8d7b68
      }
      const top = Math.max(...counts.values());
      return { width: img.width, height: img.height, colours: counts.size, topShare: top / samples, rail, road };
    }, png.toString('base64'));
    check(stats.colours > 50, `the map screenshot has only ${stats.colours} colours`);
    check(stats.topShare < 0.9, `one colour covers ${(stats.topShare * 100).toFixed(0)} % of the map`);
    check(stats.rail > 100, `no 1520 mm rail lines visible on the map (${stats.rail} pixels)`);
    check(stats.road > 100, `no road lines visible on the map (${stats.road} pixels)`);
    return stats;
  } finally {
    await page.close();
  }
}

/** Dismisses a success or info message so it does not cover the screenshot; errors stay. */
async function dismissNotice(page) {
  await page.evaluate(() => {
    const box = document.querySelector('#message');
    if (box && !box.hidden && !box.classList.contains('error')) box.querySelector('.message-close').click();
  });
}

/** Sets a range input as a person would end up setting it, with its events. */
async function setRange(page, selector, value) {
  await page.$eval(selector, (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

async function main() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  context.on('request', onRequest);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.error(`  [page console] ${m.text()}`); });

  await step('a) the map shows the network', async () => {
    const response = await page.goto(base.href, { waitUntil: 'load' });
    check(response && response.ok(), `GET ${base.href} answered ${response && response.status()}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true'
      || document.querySelector('#message.error:not([hidden])'));
    const counts = await page.evaluate(() => ({
      links: document.querySelectorAll('.leaflet-overlay-pane svg path').length,
      points: document.querySelectorAll('.leaflet-nodes-pane svg path').length,
      countries: document.querySelectorAll('.leaflet-basemap-pane svg path').length,
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
    }));
    check(!counts.error, `the page shows an error: ${counts.error}`);
    check(counts.links > 100, `only ${counts.links} SVG paths in the overlay pane`);
    check(counts.points > 100, `only ${counts.points} places and crossings drawn`);
    check(counts.countries > 10, `only ${counts.countries} countries in the basemap`);
    await page.waitForTimeout(300); // let the fit-to-bounds animation settle
    const mapPng = await page.locator('#map').screenshot();
    const pixels = await checkNotBlank(context, mapPng);
    await page.screenshot({ path: join(shotDir, 'map.png') });
    return `${counts.links} lines, ${counts.points} places and crossings, ${counts.countries} countries; ` +
      `screenshot ${mapPng.length} bytes, ${pixels.colours} colours, ${pixels.rail} rail and ${pixels.road} road pixels sampled`;
  });

  await step('b) routes from Tashkent to Karachi', async () => {
    await page.click('#tab-routes');
    await page.fill('#route-from', 'Tashkent');
    await page.fill('#route-to', 'Karachi');
    await page.selectOption('#route-commodity', 'container');
    await page.fill('#route-alternatives', '4');
    await page.click('#find-routes');
    await page.waitForFunction(() => document.querySelectorAll('#routes .route').length >= 2
      || document.querySelector('#message.error:not([hidden])'));
    const error = await page.evaluate(() => document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim());
    check(!error, `the page shows an error: ${error}`);
    const texts = await page.$$eval('#routes .route', (items) => items.map((li) => li.textContent));
    check(texts.length >= 2, `${texts.length} route(s) listed, expected at least 2`);
    check(texts.some((t) => t.includes('Afghanistan')), 'no route goes through Afghanistan');
    check(texts.some((t) => t.includes('Iran')), 'no route goes through Iran');
    const drawn = await page.evaluate(() => document.querySelectorAll('.leaflet-routes-pane svg path').length);
    check(drawn >= 2 * texts.length, `only ${drawn} route lines drawn on the map`);
    const charts = await page.$$eval('#staircase svg path', (paths) => paths.length);
    check(charts >= 2 * texts.length, `the staircase charts have ${charts} lines`);
    await page.waitForTimeout(500); // the map zooms to the routes
    await page.screenshot({ path: join(shotDir, 'routes.png') });
    return `${texts.length} routes, via Afghanistan and via Iran`;
  });

  await step('c) a tariff cut runs and is compared', async () => {
    await page.click('#tab-scenarios');
    await page.click('#new-scenario');
    await page.fill('#scenario-name', SCENARIO);
    await page.fill('#scenario-description', 'Uzbekistan\'s transit tariffs 30 % lower (browser test)');
    await setRange(page, '#tariff-UZB', -30);
    const shown = await page.$eval('#tariff-UZB', (el) => el.value);
    check(shown === '-30', `the UZB slider shows ${shown}`);
    await page.click('#run-button');
    await page.waitForFunction(() => {
      const status = document.querySelector('#run-status')?.dataset.status;
      return status === 'done' || status === 'failed' || document.querySelector('#message.error:not([hidden])');
    });
    const outcome = await page.evaluate(() => ({
      status: document.querySelector('#run-status').dataset.status,
      text: document.querySelector('#run-status').textContent.trim(),
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
    }));
    check(!outcome.error, `the page shows an error: ${outcome.error}`);
    check(outcome.status === 'done', `the run ended ${outcome.status}: ${outcome.text}`);
    await page.waitForFunction(() =>
      document.querySelectorAll('#compare-corridors tbody tr').length > 0
      && document.querySelectorAll('#compare-revenue tbody tr').length > 0
      && !document.querySelector('#panel-compare').hidden);
    const tables = await page.evaluate(() => ({
      corridors: document.querySelectorAll('#compare-corridors tbody tr').length,
      revenue: document.querySelectorAll('#compare-revenue tbody tr').length,
      uzbekistan: [...document.querySelectorAll('#compare-revenue tbody tr')]
        .filter((tr) => tr.textContent.includes('Uzbekistan'))
        .map((tr) => ({ text: tr.innerText.replace(/\s+/g, ' '), change: Number(tr.cells[3].dataset.change) }))[0],
      bars: document.querySelectorAll('#revenue-chart svg rect').length,
      changes: document.querySelectorAll('.leaflet-flows-pane svg path').length,
    }));
    check(tables.uzbekistan, 'no row for Uzbekistan in the revenue table');
    check(Number.isFinite(tables.uzbekistan.change) && tables.uzbekistan.change !== 0,
      `Uzbekistan's revenue does not change: ${tables.uzbekistan.text}`);
    check(/[+−]\d/.test(tables.uzbekistan.text), `the Uzbekistan row shows no signed change: ${tables.uzbekistan.text}`);
    check(tables.bars > 0, 'the revenue chart has no bars');
    check(tables.changes > 0, 'no flow changes drawn on the map');
    await dismissNotice(page);
    await page.waitForTimeout(300); // the map resizes when the message closes
    await page.screenshot({ path: join(shotDir, 'compare.png') });
    return `${tables.corridors} corridors, ${tables.revenue} countries; Uzbekistan: ${tables.uzbekistan.text}`;
  });

  await step('d) no request left the server\'s origin', async () => {
    checkRequests();
    return `all requests went to ${base.origin}`;
  });

  await step('e) the tariff game with three players', async () => {
    await page.click('#tab-game');
    const boxes = await page.$$eval('#game-players input[type="checkbox"]',
      (inputs) => inputs.map((el) => ({ value: el.value, checked: el.checked })));
    const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
    check(ticked.length === 7, `${ticked.length} players ticked by default, expected the seven transit countries: ${ticked.join(', ')}`);
    const defaults = await page.evaluate(() => ['max-multiplier', 'outside-markup', 'dispersion', 'shipper-weight']
      .map((id) => document.querySelector(`#game-${id}`).value));
    check(defaults.join(' ') === '4 0.3 8 0', `the game's parameters default to ${defaults.join(', ')}`);
    for (const b of boxes) {
      if (b.checked && !GAME_PLAYERS.includes(b.value)) await page.uncheck(`#game-players input[value="${b.value}"]`);
    }
    const players = await page.$$eval('#game-players input:checked', (inputs) => inputs.map((el) => el.value));
    check(players.join() === GAME_PLAYERS.join(), `the players ticked are ${players.join(', ')}`);
    // Record what the status line says while the game runs, for the summary.
    await page.evaluate(() => {
      window.gameStatusSeen = [];
      const box = document.querySelector('#game-status');
      new MutationObserver(() => window.gameStatusSeen.push(box.textContent.trim()))
        .observe(box, { subtree: true, childList: true, characterData: true });
    });
    await page.click('#game-button');
    await page.waitForFunction(() => {
      const status = document.querySelector('#game-status')?.dataset.status;
      return status === 'done' || status === 'failed' || document.querySelector('#message.error:not([hidden])');
    }, null, { timeout: GAME_TIMEOUT_MS });
    const outcome = await page.evaluate(() => ({
      status: document.querySelector('#game-status').dataset.status,
      text: document.querySelector('#game-status').textContent.trim(),
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
    }));
    check(!outcome.error, `the page shows an error: ${outcome.error}`);
    check(outcome.status === 'done', `the game ended ${outcome.status}: ${outcome.text}`);
    const shown = await page.evaluate(() => {
      // The first number in a text, read as the page writes it ("1,234.56", "−0.25").
      const num = (text) => {
        const m = /[−-]?[\d,]*\.?\d+/.exec(text || '');
        return m ? Number(m[0].replace(/,/g, '').replace('−', '-')) : NaN;
      };
      const rows = (id) => document.querySelectorAll(`#${id} tbody tr`).length;
      return {
        model: document.querySelector('#game-model').textContent,
        tariffs: rows('game-tariffs'),
        payoffs: rows('game-payoffs'),
        corridors: document.querySelectorAll('#game-corridors tbody tr:not(.section)').length,
        shapley: [...document.querySelectorAll('#game-shapley tbody tr')]
          .map((tr) => ({ country: tr.cells[0].textContent, value: num(tr.cells[1].textContent) })),
        grand: num(document.querySelector('#game-grand')?.textContent),
        bars: document.querySelectorAll('#game-shapley-chart svg rect').length,
        key: document.querySelector('#game-key').innerText,
        progress: window.gameStatusSeen.filter((t) => t.startsWith('Coalitions solved')),
      };
    });
    check(shown.model.includes('Players: UZB, AFG, PAK'), `the model statement does not name the players: ${shown.model}`);
    check(shown.tariffs === 2 * GAME_PLAYERS.length, `#game-tariffs has ${shown.tariffs} rows, expected rail and road of each player`);
    check(shown.payoffs >= GAME_PLAYERS.length, `#game-payoffs has ${shown.payoffs} rows`);
    check(shown.shapley.length === GAME_PLAYERS.length, `#game-shapley has ${shown.shapley.length} rows`);
    check(shown.corridors > 0, 'the corridor tonnage table is empty');
    check(shown.bars >= 2 * GAME_PLAYERS.length, `the Shapley chart has ${shown.bars} bars`);
    check(shown.key.includes('Trans-Afghan'), 'the key results do not show the Trans-Afghan coalition');
    check(Number.isFinite(shown.grand) && shown.grand > 0, `the grand coalition's value shown is ${shown.grand}`);
    check(shown.shapley.every((r) => Number.isFinite(r.value)), `unreadable Shapley values: ${JSON.stringify(shown.shapley)}`);
    // Each value shown is rounded to 0.01 (million USD), the grand value too.
    const total = shown.shapley.reduce((t, r) => t + r.value, 0);
    const tolerance = 0.005 * (shown.shapley.length + 1) + 1e-9;
    check(Math.abs(total - shown.grand) <= tolerance,
      `the Shapley values shown add up to ${total.toFixed(2)}, the grand coalition is worth ${shown.grand.toFixed(2)}`);
    await page.$eval('#game-model', (el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(shotDir, 'game.png') });
    const progress = shown.progress.length ? `; progress shown: ${shown.progress[shown.progress.length - 1]}` : '';
    return `${outcome.text} ${shown.tariffs} tariffs, ${shown.payoffs} payoff rows, ${shown.corridors} corridors; ` +
      `Shapley ${shown.shapley.map((r) => `${r.country} ${r.value.toFixed(2)}`).join(', ')} ` +
      `= ${total.toFixed(2)}, grand coalition ${shown.grand.toFixed(2)} million USD${progress}`;
  }, GAME_TIMEOUT_MS + 10_000);

  await step('f) a closure of the Afghan–Pakistani border, and the resilience analysis', async () => {
    await page.click('#tab-resilience');
    const pair = await page.$eval('#risk-pair', (sel) => [...sel.options].find((o) => o.value === 'AFG-PAK')?.textContent);
    check(pair && pair.startsWith('Afghanistan–Pakistan'), `no Afghanistan–Pakistan choice among the pairs: ${pair}`);
    await page.selectOption('#risk-pair', 'AFG-PAK');
    const chips = await page.$$eval('#risk-closures .chip', (els) => els.map((el) => el.dataset.key));
    check(chips.join() === 'AFG-PAK', `the closure holds ${chips.join(', ') || 'nothing'}`);
    await page.fill('#risk-start', '285');
    await page.fill('#risk-days', '60');
    const date = await page.$eval('#risk-date', (el) => el.value);
    check(/^\d{4}-10-1[23]$/.test(date), `day 285 is shown as ${date}, not mid-October`);
    await page.click('#risk-button');
    await page.waitForFunction(() => document.querySelectorAll('#risk-corridors tbody tr').length > 0
      || document.querySelector('#message.error:not([hidden])'));
    const risk = await page.evaluate(() => ({
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      rows: [...document.querySelectorAll('#risk-corridors tbody tr')].map((tr) => ({
        corridor: tr.dataset.corridor, base: Number(tr.dataset.base), closed: Number(tr.dataset.closed), year: Number(tr.dataset.year),
      })),
      key: document.querySelector('#risk-key').innerText,
      // Crossings drawn closed (red) on the map while the tab is open.
      closedOnMap: [...document.querySelectorAll('.leaflet-nodes-pane path.net-crossing')]
        .filter((el) => el.getAttribute('fill') === '#d32f2f').length,
    }));
    check(!risk.error, `the page shows an error: ${risk.error}`);
    check(risk.rows.length > 0, '#risk-corridors has no rows');
    const total = (re, key) => risk.rows.filter((r) => re.test(r.corridor)).reduce((t, r) => t + r[key], 0);
    const kt = (t) => `${Math.round(t / 1000)} kt`;
    for (const name of ['Torkham', 'Chaman']) {
      const re = new RegExp(name);
      const [b, all] = [total(re, 'base'), total(re, 'closed')];
      check(b > 0 && all < b, `the ${name} corridors carry ${kt(b)} in the base and ${kt(all)} closed all year: no drop`);
    }
    const iranian = risk.rows.filter((r) => /Iran|Chabahar/.test(r.corridor) && r.closed > r.base)
      .sort((x, y) => (y.closed - y.base) - (x.closed - x.base));
    check(iranian.length > 0, `no Iranian corridor gains when the border closes: ${JSON.stringify(risk.rows)}`);
    check(risk.closedOnMap > 0, 'the closed crossings are not drawn closed on the map');
    check(/million USD/.test(risk.key), `the key results show no cost: ${risk.key}`);

    await page.fill('#resilience-samples', String(RESILIENCE_SAMPLES));
    await page.evaluate(() => {
      window.resilienceStatusSeen = [];
      const box = document.querySelector('#resilience-status');
      new MutationObserver(() => window.resilienceStatusSeen.push(box.textContent.trim()))
        .observe(box, { subtree: true, childList: true, characterData: true });
    });
    await page.click('#resilience-button');
    await page.waitForFunction(() => {
      const status = document.querySelector('#resilience-status')?.dataset.status;
      return status === 'done' || status === 'failed' || document.querySelector('#message.error:not([hidden])');
    }, null, { timeout: RESILIENCE_TIMEOUT_MS });
    const outcome = await page.evaluate(() => ({
      status: document.querySelector('#resilience-status').dataset.status,
      text: document.querySelector('#resilience-status').textContent.trim(),
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
    }));
    check(!outcome.error, `the page shows an error: ${outcome.error}`);
    check(outcome.status === 'done', `the analysis ended ${outcome.status}: ${outcome.text}`);
    await page.waitForFunction(() => !document.querySelector('#resilience-results').hidden
      || document.querySelector('#message.error:not([hidden])'));
    const shown = await page.evaluate(() => ({
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      critical: [...document.querySelectorAll('#criticality tbody tr')].map((tr) => tr.cells[1].firstChild.textContent),
      diversification: document.querySelectorAll('#diversification tbody tr').length,
      monteCarlo: document.querySelectorAll('#monte-carlo tbody tr').length,
      bars: document.querySelectorAll('#monte-carlo-chart svg rect').length,
      onMap: [...document.querySelectorAll('.leaflet-flows-pane svg path')].filter((el) => el.getAttribute('stroke') === '#b71c1c').length,
      model: document.querySelector('#resilience-model').textContent,
      progress: window.resilienceStatusSeen.filter((t) => t.startsWith('Closures and years solved')),
    }));
    check(!shown.error, `the page shows an error: ${shown.error}`);
    check(shown.critical.length > 0, '#criticality has no rows');
    check(shown.diversification > 0, '#diversification has no rows');
    check(shown.monteCarlo === 2, `the Monte Carlo table has ${shown.monteCarlo} rows, expected cost and lost trade`);
    // Four bars (mean, P50, P95, P99) of the extra cost; lost trade has none when no year loses any.
    check(shown.bars >= 4, `the Monte Carlo chart has ${shown.bars} bars`);
    check(shown.onMap > 0, 'no critical element drawn on the map');
    check(shown.model.includes(`${RESILIENCE_SAMPLES} years sampled`), `the analysis does not say it sampled ${RESILIENCE_SAMPLES} years: ${shown.model}`);
    await dismissNotice(page);
    await page.$eval('#resilience-results', (el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shotDir, 'resilience.png') });
    const progress = shown.progress.length ? `; progress shown: ${shown.progress[shown.progress.length - 1]}` : '';
    const top = iranian[0];
    return `Torkham ${kt(total(/Torkham/, 'base'))} → ${kt(total(/Torkham/, 'closed'))}, Chaman ${kt(total(/Chaman/, 'base'))} → ` +
      `${kt(total(/Chaman/, 'closed'))}, ${top.corridor} ${kt(top.base)} → ${kt(top.closed)} closed all year; ` +
      `${outcome.text} ${shown.critical.length} critical elements (first: ${shown.critical[0]}), ` +
      `${shown.diversification} countries diversified, ${shown.onMap} drawn on the map${progress}`;
  }, RESILIENCE_TIMEOUT_MS + 20_000);

  clearTimeout(watchdog);
  await finish(0);
}

main().catch((e) => finish(1, `FAIL: ${(e && e.stack) || e}`));

// End-to-end test of the `karvan serve` web page in headless Chromium (playwright-core,
// Debian's /usr/bin/chromium; no browser is downloaded).
//
//   node tests/browser/e2e.mjs BASE_URL SCREENSHOT_DIR
//
// Steps: the map draws the network, opens on the region (not Moscow), names countries and
// places (more as it zooms in), and draws high-risk places and closed crossings differently;
// routes Tashkent → Karachi, with the Alternatives field kept to 1–10 and staircase axes
// that fit their labels; popups, overlays and errors go with their tab or scenario; a
// scenario with Uzbekistan's transit tariffs cut by 30 % runs and is compared with the base;
// the page asks nothing of any host but the server (checked after every step); saving over
// a scenario asks first, and scenarios are renamed, deleted and restored with Undo; the
// tariff game, played by Uzbekistan, Afghanistan and Pakistan, shows its tables and Shapley
// values that share out the grand coalition's value; the Resilience tab closes the
// Afghan–Pakistani border for 60 days from day 285 (cargo leaves Torkham and Chaman for
// Iran) and runs a small resilience analysis; each view's tables download as CSV and its
// flows as GeoJSON; the map prints alone and saves as SVG and PNG; and a long analysis is
// cancelled, while a job waiting in the queue and a busy server (both played by the test)
// are shown for what they are; the Fit tab sets the base year against the observed border
// counts (summaries, chart, every observation, its CSV); the Appraise tab appraises the
// Trans-Afghan railway alone in one solved year (its case, the server's four charts, the
// countries, the cost sharing and the cases' CSV); the Water tab draws the Amu Darya on the
// map, moves through the months and shows what a 10,000 hm³ Qosh Tepa canal takes from the
// river below; the Power tab draws the Afghan grid's lines coloured by their loading, shows
// imports by supplier (and their CSV) and the observations, moves through the months, adds
// CASA-1000 in 2028 and bargains water for winter power; the Sweeps tab says how to run a sweep when
// there is none, then shows a small sweep the test writes into the server's sweep folder (its
// progress, tornado, main effects, distribution with its CSV, and the best variant per country).
// Exits non-zero with a message on failure.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const TOTAL_TIMEOUT_MS = 170_000; // under the 180 s the Rust harness allows
const STEP_TIMEOUT_MS = 60_000;
const VIEWPORT = { width: 1440, height: 900 };
const SCENARIO = 'e2e-uzb-cut';
// What the scenario is saved over with, and renamed to, when saving asks before replacing.
const REPLACEMENT = 'A different scenario under the same name (browser test)';
const RENAMED = 'e2e-uzb-cut-renamed';
// Three players keep the game quick: 2^3 coalitions instead of 2^7.
const GAME_PLAYERS = ['UZB', 'AFG', 'PAK'];
const GAME_TIMEOUT_MS = 120_000;
// Twenty Monte Carlo years keep the resilience analysis quick; the ranking closes every element anyway.
const RESILIENCE_SAMPLES = 20;
const RESILIENCE_TIMEOUT_MS = 120_000;
// One scheme in one solved year keeps the appraisal to ten model runs.
const APPRAISE_SCHEME = 'trans-afghan';
const APPRAISE_TIMEOUT_MS = 60_000;

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

// Folders the test wrote, removed however it ends.
const written = [];

async function finish(code, message) {
  if (message) console.error(message);
  for (const dir of written.reverse()) {
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* left behind */ }
  }
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

  await step('b) the opening view is the region, not Moscow', async () => {
    const bounds = await page.$eval('#map', (el) => el.dataset.bounds);
    check(bounds, 'the map does not say what it shows (#map[data-bounds])');
    const [south, west, north, east] = bounds.split(',').map(Number);
    const inside = (lat, lon) => lat >= south && lat <= north && lon >= west && lon <= east;
    for (const [name, lat, lon] of [['Tashkent', 41.3, 69.24], ['Kabul', 34.53, 69.17], ['Karachi', 24.86, 67.01], ['Almaty', 43.24, 76.89], ['Chabahar', 25.3, 60.62]]) {
      check(inside(lat, lon), `${name} is outside the opening view ${bounds}`);
    }
    check(!inside(55.75, 37.62), `the opening view ${bounds} reaches Moscow`);
    check(north < 50, `the opening view reaches ${north}° north, far past Central Asia`);
    return `south ${south}°, west ${west}°, north ${north}°, east ${east}°`;
  });

  await step('c) countries and places are named on the map, more places as it zooms in', async () => {
    const names = () => page.evaluate(() => {
      const map = document.querySelector('#map').getBoundingClientRect();
      const shown = (el) => {
        const r = el.firstElementChild.getBoundingClientRect(); // the text; the marker itself has no size
        return r.width > 0 && r.left >= map.left - 1 && r.right <= map.right + 1 && r.top >= map.top - 1 && r.bottom <= map.bottom + 1;
      };
      const boxes = [...document.querySelectorAll('.map-label')].filter(shown).map((el) => el.firstElementChild.getBoundingClientRect());
      let overlaps = 0;
      boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
      }));
      const of = (cls) => [...document.querySelectorAll(`.map-label.${cls}`)].filter(shown).map((el) => el.dataset.name);
      return { countries: of('country'), places: of('place'), overlaps };
    });
    const before = await names();
    for (const country of ['Afghanistan', 'Pakistan', 'Uzbekistan', 'Turkmenistan', 'Iran']) {
      check(before.countries.includes(country), `no label for ${country}: ${before.countries.join(', ')}`);
    }
    check(before.places.length >= 10, `only ${before.places.length} places named at the opening zoom: ${before.places.join(', ')}`);
    for (const place of ['Tashkent', 'Kabul', 'Karachi']) {
      check(before.places.includes(place), `${place} is not named at the opening zoom: ${before.places.join(', ')}`);
    }
    check(!before.places.includes('Moscow'), 'Moscow is named though it is far outside the view');
    check(before.overlaps === 0, `${before.overlaps} labels overlap at the opening zoom`);
    // Two steps in: more and smaller places come in, never on top of each other.
    for (let i = 0; i < 2; i++) {
      await page.click('.leaflet-control-zoom-in');
      await page.waitForTimeout(450);
    }
    const after = await names();
    check(after.overlaps === 0, `${after.overlaps} labels overlap zoomed in`);
    const added = after.places.filter((p) => !before.places.includes(p));
    check(added.length >= 5, `zooming in names only ${added.length} more places: ${added.join(', ')}`);
    await page.screenshot({ path: join(shotDir, 'labels.png') });
    for (let i = 0; i < 2; i++) {
      await page.click('.leaflet-control-zoom-out');
      await page.waitForTimeout(450);
    }
    return `${before.countries.length} countries and ${before.places.length} places named at first; ` +
      `${added.length} more zoomed in (${added.slice(0, 5).join(', ')}…)`;
  });

  await step('d) high-risk places and closed crossings look different, with a legend', async () => {
    // Close a crossing in a new scenario, as a person would, to see the closed symbol.
    await page.click('#tab-scenarios');
    await page.click('#new-scenario');
    // Torkham, on the Afghan–Pakistani border, is in the middle of the opening view.
    const crossing = await page.$$eval('#closure-list label', (labels) =>
      labels.find((l) => l.textContent.includes('Torkham'))?.querySelector('input').dataset.id);
    check(crossing, 'no Torkham crossing to close in the scenario editor');
    await page.check(`#closure-list input[data-id="${crossing}"]`);
    const shapes = await page.evaluate(() => {
      // A circle is drawn with arcs ("a"); a triangle with three straight sides.
      const arcs = (d) => (d.match(/a/g) || []).length;
      const corners = (d) => (d.match(/[ML]/g) || []).length;
      const high = [...document.querySelectorAll('.leaflet-nodes-pane path.net-node.risk-high')].map((el) => el.getAttribute('d'));
      const closed = [...document.querySelectorAll('.leaflet-nodes-pane path.net-crossing')]
        .filter((el) => el.getAttribute('fill') === '#d32f2f').map((el) => el.getAttribute('d'))
        .filter((d) => d !== 'M0 0'); // Leaflet leaves what is out of view undrawn
      const legend = [...document.querySelectorAll('.legend .item')].map((el) => ({
        text: el.textContent.trim(), d: el.querySelector('path')?.getAttribute('d') || '',
      }));
      return {
        high: high.map((d) => ({ arcs: arcs(d), corners: corners(d) })),
        closed: closed.map((d) => ({ arcs: arcs(d), corners: corners(d) })),
        legendHigh: legend.find((l) => /High risk/.test(l.text)),
        legendClosed: legend.find((l) => /Closed crossing/.test(l.text)),
      };
    });
    check(shapes.high.length > 0, 'no place is marked as high risk');
    check(shapes.high.every((x) => x.arcs === 0 && x.corners === 3), `high-risk places are not triangles: ${JSON.stringify(shapes.high.slice(0, 3))}`);
    check(shapes.closed.length > 0, 'the closed crossing is not drawn closed');
    check(shapes.closed.every((x) => x.arcs === 2 && x.corners >= 2), `closed crossings are not "no entry" discs: ${JSON.stringify(shapes.closed)}`);
    check(shapes.legendHigh && shapes.legendHigh.d && !/a/.test(shapes.legendHigh.d), `the legend has no triangle for high risk: ${JSON.stringify(shapes.legendHigh)}`);
    check(shapes.legendClosed && /a/.test(shapes.legendClosed.d) && (shapes.legendClosed.d.match(/M/g) || []).length === 2,
      `the legend has no "no entry" symbol for closed crossings: ${JSON.stringify(shapes.legendClosed)}`);
    await page.uncheck(`#closure-list input[data-id="${crossing}"]`);
    return `${shapes.high.length} high-risk places as triangles; ${crossing} closed as a barred disc; both in the legend`;
  });

  await step('e) routes from Tashkent to Karachi', async () => {
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

  await step('f) the Alternatives field keeps to 1–10 and says so', async () => {
    const tryValue = async (typed) => {
      await page.fill('#route-alternatives', typed);
      await page.press('#route-alternatives', 'Tab'); // the value is committed when the field is left
      return page.evaluate(() => ({
        value: document.querySelector('#route-alternatives').value,
        note: document.querySelector('#route-alternatives-note').hidden ? '' : document.querySelector('#route-alternatives-note').textContent,
      }));
    };
    const high = await tryValue('50');
    check(high.value === '10', `50 alternatives left as ${high.value}, expected 10`);
    check(/1 to 10/.test(high.note) && /10 used/.test(high.note), `no note says 50 became 10: "${high.note}"`);
    const low = await tryValue('0');
    check(low.value === '1', `0 alternatives left as ${low.value}, expected 1`);
    check(/1 used/.test(low.note), `no note says 0 became 1: "${low.note}"`);
    const fine = await tryValue('4');
    check(fine.value === '4' && fine.note === '', `4 alternatives shown as ${fine.value} with the note "${fine.note}"`);
    return `50 → ${high.value} ("${high.note}"), 0 → ${low.value}, 4 stays 4`;
  });

  await step('g) the staircase axes fit their labels', async () => {
    const charts = await page.$$eval('#staircase svg[role="img"]', (svgs) => svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll('text')].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect(), rotated: t.hasAttribute('transform') }));
      const cut = texts.filter(({ r }) => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        .map((t) => t.text);
      const yLabel = texts.find((t) => t.rotated);
      const crowded = texts.filter((t) => t !== yLabel && t.r.left < yLabel.r.right && yLabel.r.left < t.r.right
        && t.r.top < yLabel.r.bottom && yLabel.r.top < t.r.bottom).map((t) => t.text);
      return { label: svg.getAttribute('aria-label'), texts: texts.length, cut, crowded };
    }));
    check(charts.length === 2, `${charts.length} staircase charts, expected cost and time`);
    for (const c of charts) {
      check(c.cut.length === 0, `${c.label}: labels cut at the edge of the chart: ${c.cut.join(', ')}`);
      check(c.crowded.length === 0, `${c.label}: the axis name overlaps the labels ${c.crowded.join(', ')}`);
    }
    await page.$eval('#staircase', (el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(shotDir, 'staircase.png') });
    await page.$eval('#panel-routes', (el) => el.scrollTo(0, 0));
    return charts.map((c) => `${c.label}: ${c.texts} labels inside`).join('; ');
  });

  await step('h) popups, overlays and errors go with their tab or scenario', async () => {
    const routeLines = () => page.evaluate(() => document.querySelectorAll('.leaflet-routes-pane svg path').length);
    const errorShown = () => page.evaluate(() => !document.querySelector('#message').hidden
      && document.querySelector('#message').classList.contains('error'));
    check(await routeLines() > 0, 'the routes are not on the map in the Routes tab');
    await page.click('#tab-game');
    check(await routeLines() === 0, 'the routes stay on the map in the Game tab');
    await page.click('#tab-routes');
    check(await routeLines() > 0, 'the routes do not come back with the Routes tab');

    // A popup of a place belongs to the tab it was opened in.
    await page.click('#tab-map');
    await page.$eval('.leaflet-nodes-pane path.net-node', (el) => el.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 5, clientY: 5 })));
    check(await page.$('.leaflet-popup'), 'no popup opens on a click on a place');
    await page.click('#tab-routes');
    await page.waitForTimeout(300); // Leaflet fades a popup out before removing it
    check(!(await page.$('.leaflet-popup')), 'the popup stays open in another tab');

    // An error belongs to the tab it was made in.
    const from = await page.inputValue('#route-from');
    await page.fill('#route-from', '');
    await page.click('#find-routes');
    await page.waitForSelector('#message.error:not([hidden])');
    await page.click('#tab-compare');
    check(!(await errorShown()), 'the Routes tab\'s error stays in the Compare tab');
    await page.click('#tab-routes');
    await page.fill('#route-from', from);

    // Routes found for one scenario go when the map shows another.
    const other = await page.$eval('#map-scenario', (sel) => [...sel.options].map((o) => o.value).find((v) => v !== 'base'));
    await page.selectOption('#map-scenario', other);
    await page.waitForFunction(() => document.querySelector('#map-scenario').value !== 'base' && document.querySelectorAll('.leaflet-routes-pane svg path').length === 0, null, { timeout: 10_000 })
      .catch(() => {});
    const afterSwitch = await page.evaluate(() => ({
      lines: document.querySelectorAll('.leaflet-routes-pane svg path').length,
      radio: document.querySelector('input[name="overlay"][value="routes"]').disabled,
    }));
    check(afterSwitch.lines === 0 && afterSwitch.radio, `the routes of base stay on the map of ${other}: ${JSON.stringify(afterSwitch)}`);
    await page.selectOption('#map-scenario', 'base');
    await page.waitForFunction(() => document.querySelector('#route-scenario').value === 'base');
    return `routes hidden in the Game tab and back in Routes; popup and error closed on leaving the tab; routes dropped on switching the map to ${other}`;
  });

  await step('i) a tariff cut runs and is compared', async () => {
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
      text: document.querySelector('#run-status .run-status-text').textContent.trim(),
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

  await step('j) no request left the server\'s origin', async () => {
    checkRequests();
    return `all requests went to ${base.origin}`;
  });

  await step('k) a save asks before replacing a scenario; rename, delete and undo', async () => {
    const described = (name) => page.evaluate(async (n) => {
      const res = await fetch(`/api/scenarios/${n}`);
      return res.ok ? (await res.json()).scenario.description : null;
    }, name);
    const listed = () => page.$$eval('#scenario-list .scenario-name', (els) => els.map((el) => el.textContent));
    const notice = () => page.evaluate(() => {
      const box = document.querySelector('#scenario-notice');
      const undo = document.querySelector('#scenario-undo');
      return box.hidden ? null : { text: box.querySelector('.notice-text').textContent, action: undo.hidden ? null : undo.textContent };
    });
    const dialog = () => page.evaluate(() => {
      const d = document.querySelector('#confirm-dialog');
      return d.open ? d.querySelector('#confirm-title').textContent : null;
    });
    const original = await described(SCENARIO);
    check(original, `${SCENARIO} was not saved by the run`);

    // A new scenario under the same name: the page asks, and Cancel keeps the saved one.
    await page.click('#tab-scenarios');
    await page.click('#new-scenario');
    await page.fill('#scenario-name', SCENARIO);
    await page.fill('#scenario-description', REPLACEMENT);
    await page.click('#save-button');
    await page.waitForFunction(() => document.querySelector('#confirm-dialog').open);
    const asked = await dialog();
    check(asked === `Replace scenario ${SCENARIO}?`, `the dialog asks "${asked}"`);
    await page.click('#confirm-cancel');
    await page.waitForFunction(() => !document.querySelector('#confirm-dialog').open);
    check(await described(SCENARIO) === original, `${SCENARIO} was replaced though the person cancelled`);
    const kept = await notice();
    check(kept && /Not saved/.test(kept.text), `nothing says the scenario was not saved: ${JSON.stringify(kept)}`);

    // Replace, then undo: the previous version comes back.
    await page.click('#save-button');
    await page.waitForFunction(() => document.querySelector('#confirm-dialog').open);
    await page.click('#confirm-ok');
    await page.waitForFunction(() => /Replaced/.test(document.querySelector('#scenario-notice .notice-text').textContent));
    check(await described(SCENARIO) === REPLACEMENT, `${SCENARIO} was not replaced`);
    const replaced = await notice();
    check(replaced.action === 'Undo', `no Undo after replacing: ${JSON.stringify(replaced)}`);
    await page.click('#scenario-undo');
    await page.waitForFunction(() => /Put back the previous version/.test(document.querySelector('#scenario-notice .notice-text').textContent));
    check(await described(SCENARIO) === original, `Undo did not put back ${SCENARIO}'s previous version`);
    check(await page.inputValue('#scenario-description') === original, 'the editor does not show the version put back');

    // Rename in the editor.
    await page.click('#rename-button');
    await page.waitForFunction(() => document.querySelector('#confirm-dialog').open);
    await page.fill('#confirm-input', RENAMED);
    await page.click('#confirm-ok');
    await page.waitForFunction((n) => [...document.querySelectorAll('#scenario-list .scenario-name')].some((el) => el.textContent === n)
      && /Renamed/.test(document.querySelector('#scenario-notice .notice-text').textContent), RENAMED);
    const afterRename = await listed();
    check(!afterRename.includes(SCENARIO), `${SCENARIO} is still listed after the rename: ${afterRename.join(', ')}`);
    check(await page.inputValue('#scenario-name') === RENAMED, 'the editor does not show the new name');

    // Delete, then undo.
    await page.click('#delete-button');
    await page.waitForFunction(() => document.querySelector('#confirm-dialog').open);
    const askedDelete = await dialog();
    check(askedDelete === `Delete scenario ${RENAMED}?`, `the dialog asks "${askedDelete}"`);
    await page.click('#confirm-ok');
    await page.waitForFunction((n) => ![...document.querySelectorAll('#scenario-list .scenario-name')].some((el) => el.textContent === n)
      && /Deleted/.test(document.querySelector('#scenario-notice .notice-text').textContent), RENAMED);
    const deleted = await notice();
    check(deleted && /Deleted/.test(deleted.text) && deleted.action === 'Undo', `no Undo after deleting: ${JSON.stringify(deleted)}`);
    check(await described(RENAMED) === null, `${RENAMED} can still be read after its deletion`);
    await page.click('#scenario-undo');
    await page.waitForFunction((n) => [...document.querySelectorAll('#scenario-list .scenario-name')].some((el) => el.textContent === n)
      && /Restored/.test(document.querySelector('#scenario-notice .notice-text').textContent), RENAMED);
    check(await described(RENAMED) === original, `Undo did not bring ${RENAMED} back`);
    await page.screenshot({ path: join(shotDir, 'scenarios.png') });
    return `asked "${asked}", cancel kept it, replace then Undo put it back; renamed to ${RENAMED}; deleted and restored`;
  });

  await step('l) the tariff game with three players', async () => {
    await page.click('#tab-game');
    const boxes = await page.$$eval('#game-players input[type="checkbox"]',
      (inputs) => inputs.map((el) => ({ value: el.value, checked: el.checked })));
    const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
    check(ticked.length === 7, `${ticked.length} players ticked by default, expected the seven transit countries: ${ticked.join(', ')}`);
    const defaults = await page.evaluate(() => ['max-multiplier', 'outside-markup', 'dispersion', 'shipper-weight']
      .map((id) => document.querySelector(`#game-${id}`).value));
    check(defaults.join(' ') === '4 0.2 8 0', `the game's parameters default to ${defaults.join(', ')}`);
    for (const b of boxes) {
      if (b.checked && !GAME_PLAYERS.includes(b.value)) await page.uncheck(`#game-players input[value="${b.value}"]`);
    }
    const players = await page.$$eval('#game-players input:checked', (inputs) => inputs.map((el) => el.value));
    check(players.join() === GAME_PLAYERS.join(), `the players ticked are ${players.join(', ')}`);
    // Record what the status line says while the game runs, for the summary.
    await page.evaluate(() => {
      window.gameStatusSeen = [];
      const box = document.querySelector('#game-status .run-status-text');
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
      text: document.querySelector('#game-status .run-status-text').textContent.trim(),
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
        warnings: document.querySelector('#game-warnings').hidden
          ? '' : document.querySelector('#game-warnings').textContent,
      };
    });
    // With these three players Uzbekistan's and Pakistan's road multipliers reach the cap.
    check(shown.warnings.includes('on the cap'), `no warning that a solution sits on the cap: "${shown.warnings}"`);
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

  await step('m) a closure of the Afghan–Pakistani border, and the resilience analysis', async () => {
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
      const box = document.querySelector('#resilience-status .run-status-text');
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
      text: document.querySelector('#resilience-status .run-status-text').textContent.trim(),
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

  await step('n) each view\'s tables and flows can be downloaded', async () => {
    const got = [];
    const fetchDownload = async (selector, tab) => {
      if (tab) await page.click(tab);
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click(selector)]);
      const file = await dl.path();
      const text = readFileSync(file, 'utf8');
      got.push(dl.suggestedFilename());
      return { name: dl.suggestedFilename(), text };
    };
    const csvRows = (text) => text.trim().split(/\r?\n/);

    const breakdown = await fetchDownload('#routes-breakdown-csv', '#tab-routes');
    const rows = csvRows(breakdown.text);
    check(/\.csv$/.test(breakdown.name), `the breakdown is saved as ${breakdown.name}`);
    check(rows[0].startsWith('route,path,country'), `the breakdown's header is ${rows[0]}`);
    check(rows.some((r) => r.includes('Afghanistan')) && rows.some((r) => r.includes('Iran')), 'the breakdown lacks the routes via Afghanistan and Iran');

    const lines = JSON.parse((await fetchDownload('#routes-geojson')).text);
    check(lines.type === 'FeatureCollection' && lines.features.length >= 2 && lines.features[0].geometry.coordinates.length > 2,
      'the routes GeoJSON has no lines');

    const flows = JSON.parse((await fetchDownload('#run-flows-geojson', '#tab-scenarios')).text);
    check(flows.type === 'FeatureCollection' && flows.features.some((f) => f.properties.tonnes > 0), 'the run\'s flows GeoJSON carries no tonnes');
    const runCorridors = csvRows((await fetchDownload('#run-corridors-csv')).text);
    check(runCorridors.length > 5 && runCorridors[0] === 'corridor,tonnes,share', `the run's corridors CSV: ${runCorridors[0]}, ${runCorridors.length} lines`);
    // The report is a link to the server's attachment: fetch what it points to. (Step k
    // renamed the run's scenario, so the same link is asked of a shipped scenario.)
    const report = await page.$eval('#run-report', async (a) => {
      const res = await fetch(a.href.replace(/scenario=[^&]*/, 'scenario=today'));
      return { href: a.getAttribute('href'), status: res.status,
        disposition: res.headers.get('content-disposition') || '', text: await res.text() };
    });
    check(report.status === 200 && /attachment; filename="karvan-report-.*\.html"/.test(report.disposition)
      && report.text.includes('content="Karvan"') && report.text.includes('Fit to observations'),
      `the HTML report link ${report.href} gives ${report.status} ${report.disposition} (${report.text.length} bytes)`);
    got.push(report.disposition.replace(/^.*filename="|"$/g, ''));

    const revenue = await fetchDownload('[data-csv="compare-revenue"]', '#tab-compare');
    const uzb = csvRows(revenue.text).find((r) => r.startsWith('Uzbekistan,'));
    check(uzb && /^Uzbekistan,[\d.]+,[\d.]+,-?[\d.]+,/.test(uzb), `Uzbekistan's revenue row in the CSV is ${uzb}`);
    const changes = JSON.parse((await fetchDownload('#compare-changes-geojson')).text);
    check(changes.features.some((f) => f.properties.change), 'the flow changes GeoJSON has no changes');

    const shapley = csvRows((await fetchDownload('[data-csv="game-shapley"]', '#tab-game')).text);
    check(shapley.length === GAME_PLAYERS.length + 2, `the Shapley CSV has ${shapley.length} lines, expected a header, ${GAME_PLAYERS.length} players and the total`);

    const critical = csvRows((await fetchDownload('[data-csv="criticality"]', '#tab-resilience')).text);
    check(critical.length > 2 && /^1,/.test(critical[1]), `the criticality CSV has ${critical.length} lines, starting ${critical[1]}`);
    const closure = csvRows((await fetchDownload('[data-csv="risk-corridors"]')).text);
    check(closure.some((r) => /Torkham/.test(r)), 'the closure\'s corridor CSV has no Torkham row');
    return `${got.length} files: ${got.join(', ')}`;
  });

  await step('o) the map can be printed and saved as SVG and PNG', async () => {
    await page.click('#tab-map');
    await page.check('input[name="overlay"][value="none"]'); // the network alone, at full strength
    // window.print() would open the browser's dialog: count the calls instead.
    await page.evaluate(() => { window.printCalls = 0; window.print = () => { window.printCalls++; }; });
    await page.click('#print-map');
    check(await page.evaluate(() => window.printCalls) === 1, 'Print map does not print');
    check(await page.$eval('#print-caption', (el) => el.textContent.includes('scenario')), 'the printed caption does not name the scenario');
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const shown = (sel) => { const el = document.querySelector(sel); return Boolean(el) && getComputedStyle(el).display !== 'none'; };
      const map = document.querySelector('#map').getBoundingClientRect();
      return { panel: shown('.panel'), header: shown('.topbar'), buttons: shown('.map-actions'), legend: shown('.legend'), caption: shown('#print-caption'), width: map.width, height: map.height };
    });
    await page.screenshot({ path: join(shotDir, 'print.png') });
    await page.emulateMedia({ media: null });
    check(!printed.panel && !printed.header && !printed.buttons, `the print shows more than the map: ${JSON.stringify(printed)}`);
    check(printed.legend && printed.caption && printed.width > 300 && printed.height > 300, `the print lacks the map, its legend or caption: ${JSON.stringify(printed)}`);

    const [svgDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
    const svg = readFileSync(await svgDl.path(), 'utf8');
    check(/\.svg$/.test(svgDl.suggestedFilename()) && svg.includes('<svg'), `the SVG file ${svgDl.suggestedFilename()} is not SVG`);
    const paths = (svg.match(/<path/g) || []).length;
    check(paths > 300, `the SVG map has only ${paths} paths`);
    const labels = ((/<g class="labels">([\s\S]*?)<\/g>/.exec(svg) || [])[1] || '').split('<text').length - 1;
    check(labels >= 3 && svg.includes('Legend'), `the SVG map lacks its labels (${labels}) or legend`);
    check(!/(href|src)="https?:/.test(svg), 'the SVG map refers to another host');

    const [pngDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
    const png = readFileSync(await pngDl.path());
    check(png.subarray(1, 4).toString() === 'PNG', `the PNG file ${pngDl.suggestedFilename()} is not a PNG`);
    const pixels = await checkNotBlank(context, png);
    return `printed ${Math.round(printed.width)}×${Math.round(printed.height)} px with legend and caption; SVG ${paths} paths, ` +
      `${Math.round(svg.length / 1024)} KiB; PNG ${pixels.width}×${pixels.height}, ${pixels.colours} colours`;
  });

  await step('p) long jobs can be cancelled; waiting in the queue and a busy server are shown', async () => {
    const status = (id) => page.evaluate((i) => {
      const box = document.querySelector(`#${i}-status`);
      return { status: box.dataset.status, text: box.querySelector('.run-status-text').textContent, cancel: !document.querySelector(`#${i}-cancel`).hidden };
    }, id);
    // A real analysis with many years, cancelled while it runs.
    await page.click('#tab-resilience');
    await page.fill('#resilience-samples', '5000');
    await page.click('#resilience-button');
    await page.waitForFunction(() => ['running', 'queued'].includes(document.querySelector('#resilience-status').dataset.status)
      && !document.querySelector('#resilience-cancel').hidden);
    await page.click('#resilience-cancel');
    await page.waitForFunction(() => ['cancelled', 'done', 'failed'].includes(document.querySelector('#resilience-status').dataset.status), null, { timeout: 30_000 });
    const cancelled = await status('resilience');
    check(cancelled.status === 'cancelled' && /cancelled/.test(cancelled.text) && !cancelled.cancel, `the analysis was not cancelled: ${JSON.stringify(cancelled)}`);
    check(!(await page.$('#message.error:not([hidden])')), 'a cancelled analysis shows an error');
    await page.fill('#resilience-samples', String(RESILIENCE_SAMPLES));

    // The server's queue is full: it answers 503, and the page says so.
    await page.click('#tab-game');
    await page.route('**/api/games', (route) => route.fulfill({
      status: 503, contentType: 'application/json', headers: { 'retry-after': '5' },
      body: JSON.stringify({ error: '16 jobs are waiting already, the most this server queues; try again shortly or cancel one', code: 'busy' }),
    }));
    await page.click('#game-button');
    await page.waitForFunction(() => document.querySelector('#game-status').dataset.status === 'busy');
    const busy = await status('game');
    check(/busy/.test(busy.text) && /16 jobs are waiting/.test(busy.text), `the busy server is not explained: ${busy.text}`);
    await page.unroute('**/api/games');

    // A job that waits in the queue says so, and can be cancelled before it starts.
    let cancelledByPage = false;
    await page.route('**/api/games', (route) => route.fulfill({ status: 202, contentType: 'application/json', body: '{"id":9001,"status":"queued"}' }));
    await page.route('**/api/games/9001', (route) => {
      if (route.request().method() === 'DELETE') {
        cancelledByPage = true;
        return route.fulfill({ contentType: 'application/json', body: '{"id":9001,"status":"cancelled"}' });
      }
      return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ id: 9001, status: cancelledByPage ? 'cancelled' : 'queued', scenario: 'base' }) });
    });
    await page.click('#game-button');
    await page.waitForFunction(() => document.querySelector('#game-status').dataset.status === 'queued');
    const queued = await status('game');
    check(/waiting/.test(queued.text) && queued.cancel, `a queued game is not shown as waiting: ${JSON.stringify(queued)}`);
    await page.click('#game-cancel');
    await page.waitForFunction(() => document.querySelector('#game-status').dataset.status === 'cancelled');
    check(cancelledByPage, 'Cancel did not ask the server to cancel the game');
    await page.unroute('**/api/games/9001');
    await page.unroute('**/api/games');
    await page.screenshot({ path: join(shotDir, 'jobs.png') });
    return `analysis: ${cancelled.text} busy: ${busy.text} queued: ${queued.text}`;
  });

  await step('q) the Fit tab compares the run with observed border counts', async () => {
    await page.click('#tab-fit');
    await page.waitForFunction(() => document.querySelectorAll('#fit-table tbody tr[data-id]').length > 0
      || document.querySelector('#message.error:not([hidden])'));
    const fit = await page.evaluate(() => ({
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      scenario: document.querySelector('#fit-scenario').value,
      rows: [...document.querySelectorAll('#fit-table tbody tr[data-id]')].map((tr) => ({
        id: tr.dataset.id, role: tr.dataset.role, outside: tr.classList.contains('outside'),
        cells: [...tr.cells].map((td) => td.textContent.trim()),
      })),
      blocks: [...document.querySelectorAll('#fit-summary .fit-block')].map((b) => b.innerText),
      circles: document.querySelectorAll('#fit-chart svg circle').length,
      scripts: document.querySelectorAll('#fit-chart script, #fit-chart [onload], #fit-chart [onclick]').length,
    }));
    check(!fit.error, `the page shows an error: ${fit.error}`);
    check(fit.rows.length >= 40, `the observation table has ${fit.rows.length} rows, expected at least 40`);
    check(fit.blocks.length === 2, `${fit.blocks.length} summary blocks, expected the fitted and the kept-out observations`);
    const percent = /\d %/;
    check(fit.blocks.every((b) => percent.test(b)), `a summary shows no percentage: ${fit.blocks.join(' | ')}`);
    check(fit.blocks.every((b) => /Not in the network/.test(b)), 'a summary does not count the observations missing from the network');
    check(fit.circles > 0, 'the predicted-against-observed chart has no points');
    check(fit.scripts === 0, 'the chart brought scripts or event handlers into the page');
    const flow = fit.rows.find((r) => /^\d{1,3}(,\d{3})+$/.test(r.cells[2]));
    check(flow, 'no observed flow is written with thousands separators');
    const share = fit.rows.find((r) => /^0\.\d{3}$/.test(r.cells[2]));
    check(share, 'no observed share is written with three decimals');
    const outside = fit.rows.filter((r) => r.outside);
    check(outside.length > 0 && outside.every((r) => r.cells[7] === 'no'), 'the rows outside their range are not highlighted, or not only those');

    // A click shows an observation's source under it.
    await page.click(`#fit-table tbody tr[data-id="${fit.rows[0].id}"]`);
    const source = await page.$eval(`#fit-table tbody tr[data-id="${fit.rows[0].id}"] + tr.fit-source`, (tr) => (tr.hidden ? '' : tr.textContent));
    check(/Source:/.test(source), `the first observation's source does not open: "${source}"`);

    // The role filter keeps the rows of one role.
    await page.selectOption('#fit-role', 'validate');
    const kept = await page.$$eval('#fit-table tbody tr[data-id]', (trs) => trs.map((tr) => tr.dataset.role));
    check(kept.length > 0 && kept.length < fit.rows.length && kept.every((r) => r === 'validate'), `the "kept out" filter shows ${JSON.stringify(kept)}`);
    await page.selectOption('#fit-role', 'all');

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('#fit-csv')]);
    const lines = readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    check(/\.csv$/.test(dl.suggestedFilename()), `the fit is saved as ${dl.suggestedFilename()}`);
    check(lines[0].startsWith('id,role,kind,unit,observed,low,high,predicted'), `the fit CSV's header is ${lines[0]}`);
    check(lines.some((l) => l.startsWith(`${fit.rows[0].id},`)), `the fit CSV has no row for ${fit.rows[0].id}`);
    check(lines.length >= fit.rows.length + 1, `the fit CSV has ${lines.length} lines for ${fit.rows.length} observations`);

    await dismissNotice(page);
    await page.$eval('#panel-fit', (el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join(shotDir, 'fit.png') });
    await page.$eval('#fit-table', (el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(shotDir, 'fit-table.png') });
    const summary = (b) => (b.match(/[\d.]+ %/) || [''])[0];
    return `${fit.scenario}: ${fit.rows.length} observations, ${outside.length} outside their range; inside the range ` +
      `${summary(fit.blocks[0])} fitted, ${summary(fit.blocks[1])} kept out; ${fit.circles} points on the chart; ` +
      `${kept.length} kept out; ${dl.suggestedFilename()} with ${lines.length - 1} rows`;
  });

  await step('r) the Appraise tab appraises one scheme in one year', async () => {
    await page.click('#tab-appraise');
    await page.waitForFunction(() => document.querySelectorAll('#appraise-schemes input').length > 0
      || document.querySelector('#message.error:not([hidden])'));
    const offered = await page.$$eval('#appraise-schemes input', (els) => els.map((el) => el.value));
    check(offered.includes(APPRAISE_SCHEME) && offered.length > 1, `the schemes offered are ${offered.join(', ')}`);
    check(await page.$eval('#appraise-scenario', (el) => el.value) === 'today', 'the appraisal does not start from today');
    for (const id of offered.filter((x) => x !== APPRAISE_SCHEME)) await page.uncheck(`#appraise-schemes input[value="${id}"]`);
    await page.fill('#appraise-years', '2040');
    await page.fill('#appraise-draws', '20');
    await page.click('#appraise-button');
    await page.waitForFunction(() => {
      const status = document.querySelector('#appraise-status')?.dataset.status;
      return status === 'done' || status === 'failed' || document.querySelector('#message.error:not([hidden])');
    }, null, { timeout: APPRAISE_TIMEOUT_MS });
    await page.waitForFunction(() => document.querySelectorAll('#appraise-cases tbody tr').length > 0
      || document.querySelector('#appraise-status').dataset.status !== 'done'
      || document.querySelector('#message.error:not([hidden])'));
    const shown = await page.evaluate(() => ({
      status: document.querySelector('#appraise-status').dataset.status,
      text: document.querySelector('#appraise-status .run-status-text').textContent.trim(),
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      cases: [...document.querySelectorAll('#appraise-cases tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim())),
      charts: [...document.querySelectorAll('#appraise-charts .chart')].map((el) => ({
        chart: el.dataset.chart, rects: el.querySelectorAll('svg rect').length, texts: el.querySelectorAll('svg text').length })),
      scripts: document.querySelectorAll('#appraise-charts script, #appraise-charts [onload], #appraise-charts [onclick]').length,
      countries: document.querySelectorAll('#appraise-countries tbody tr[data-party]').length,
      sharing: document.querySelectorAll('#appraise-sharing tbody tr').length,
      model: document.querySelector('#appraise-model').textContent,
      selected: document.querySelector('#appraise-case').value,
    }));
    check(!shown.error, `the page shows an error: ${shown.error}`);
    check(shown.status === 'done', `the appraisal ended ${shown.status}: ${shown.text}`);
    check(shown.cases.length === 1 && shown.cases[0][0] === APPRAISE_SCHEME, `the cases are ${JSON.stringify(shown.cases)}`);
    check(/^[−-]?[\d,]+\.\d$/.test(shown.cases[0][1]), `the case's NPV reads ${shown.cases[0][1]}`);
    check(shown.selected === APPRAISE_SCHEME, `the case shown is ${shown.selected}`);
    check(shown.charts.length === 4 && shown.charts.every((c) => c.rects > 0 && c.texts > 0),
      `the case's charts: ${JSON.stringify(shown.charts)}`);
    check(shown.scripts === 0, 'the charts brought scripts or event handlers into the page');
    check(shown.countries > 0, '#appraise-countries has no rows');
    check(shown.sharing > 0, '#appraise-sharing has no rows');
    check(/solved in 2040 \(10 runs\)/.test(shown.model) && /20 Monte Carlo draws/.test(shown.model),
      `the appraisal does not say how it was made: ${shown.model}`);

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('[data-csv="appraise-cases"]')]);
    const lines = readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    check(/appraisal-today-cases\.csv$/.test(dl.suggestedFilename()), `the cases are saved as ${dl.suggestedFilename()}`);
    check(lines[0].startsWith('Case,NPV,BCR,EIRR') && lines.length === 2 && lines[1].startsWith(`${APPRAISE_SCHEME},`),
      `the cases CSV: ${lines.join(' | ')}`);

    await dismissNotice(page);
    await page.$eval('#panel-appraise', (el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join(shotDir, 'appraise.png') });
    await page.$eval('#appraise-charts', (el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(shotDir, 'appraise-charts.png') });
    await page.$eval('#appraise-countries', (el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(shotDir, 'appraise-countries.png') });
    return `${shown.text} ${shown.cases[0].join(' | ')}; ${shown.charts.length} charts, ${shown.countries} parties, ` +
      `${shown.sharing} sharing rows; ${dl.suggestedFilename()}`;
  }, APPRAISE_TIMEOUT_MS + 20_000);

  await step('s) the Water tab draws the Amu Darya and what Qosh Tepa takes', async () => {
    await page.click('#tab-water');
    await page.waitForFunction(() => document.querySelectorAll('#water-gauges tbody tr[data-gauge]').length > 0
      || document.querySelector('#message.error:not([hidden])'));
    const read = () => page.evaluate(() => ({
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      gauges: Object.fromEntries([...document.querySelectorAll('#water-gauges tbody tr[data-gauge]')]
        .map((tr) => [tr.dataset.gauge, [...tr.cells].slice(1).map((td) => Number(td.textContent.replace(/,/g, '')))])),
      countries: Object.fromEntries([...document.querySelectorAll('#water-countries tbody tr[data-country]')]
        .map((tr) => [tr.dataset.country, Number(tr.cells[2].textContent.replace(/,/g, ''))])),
      sea: Number(document.querySelector('#water-sea').textContent.replace(/,/g, '')),
      month: document.querySelector('#water-month-name').textContent,
      widths: [...document.querySelectorAll('.leaflet-flows-pane path')].map((p) => Number(p.getAttribute('stroke-width'))),
      markers: document.querySelectorAll('.leaflet-nodes-pane path.leaflet-interactive').length,
    }));
    const before = await read();
    check(!before.error, `the page shows an error: ${before.error}`);
    check(before.gauges.termez && before.gauges.kerki, `the gauges shown are ${Object.keys(before.gauges).join(', ')}`);
    check(before.widths.length >= 20 && before.markers >= 20, `the schematic has ${before.widths.length} reaches and ${before.markers} nodes`);
    check(before.month === 'Jan', `the month starts at ${before.month}`);

    // July carries the snowmelt: wider lines and more at the gauges than January.
    await setRange(page, '#water-month', 7);
    const july = await read();
    check(july.month === 'Jul', `the slider shows ${july.month}`);
    check(july.gauges.termez[0] > before.gauges.termez[0], `Termez in July ${july.gauges.termez[0]}, January ${before.gauges.termez[0]}`);
    check(Math.max(...july.widths) > Math.max(...before.widths), 'the reaches are no wider in July than in January');

    await page.fill('#water-qosh-tepa', '10000');
    await page.waitForFunction((sea) => Number(document.querySelector('#water-sea').textContent.replace(/,/g, '')) !== sea, before.sea);
    const after = await read();
    check(!after.error, `the page shows an error: ${after.error}`);
    check(after.sea < before.sea, `to the Aral: ${before.sea} → ${after.sea}`);
    check((after.countries.AFG || 0) > (before.countries.AFG || 0), `Afghanistan gets ${before.countries.AFG} → ${after.countries.AFG}`);
    check(after.month === 'Jul', 'the month went back when the year was recomputed');

    await dismissNotice(page);
    await page.screenshot({ path: join(shotDir, 'water.png') });
    // The river goes with its tab.
    await page.click('#tab-map');
    const left = await page.$$eval('.leaflet-flows-pane path', (ps) => ps.length);
    check(left === 0, `${left} reaches stay on the map after leaving the Water tab`);
    return `Termez ${before.gauges.termez[1]} hm³/yr; to the Aral ${before.sea} → ${after.sea} hm³ with Qosh Tepa at 10,000`;
  }, 15_000);

  await step('t) the Power tab draws the grid, its imports and the water-for-power bargain', async () => {
    await page.click('#tab-power');
    await page.waitForFunction(() => document.querySelectorAll('#power-imports tbody tr[data-supplier]').length > 0
      || document.querySelector('#message.error:not([hidden])'));
    const read = () => page.evaluate(() => ({
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      suppliers: [...document.querySelectorAll('#power-imports tbody tr[data-supplier]')].map((tr) => tr.dataset.supplier),
      share: document.querySelector('#power-imports tfoot tr.share td:last-child')?.textContent || '',
      checks: document.querySelectorAll('#power-checks tbody tr[data-check]').length,
      islands: document.querySelectorAll('#power-unserved tbody tr[data-node]').length,
      lines: [...document.querySelectorAll('.leaflet-flows-pane path.power-line')].map((p) => p.getAttribute('stroke')),
      nodes: document.querySelectorAll('.leaflet-nodes-pane path.power-node').length,
      month: document.querySelector('#power-month-name').textContent,
      loadingHead: document.querySelector('#power-lines-loading').textContent,
      marked: document.querySelectorAll('#power-imports thead th.now').length,
      projects: [...document.querySelectorAll('#power-projects input')].map((i) => [i.value, i.checked, i.disabled]),
      year: document.querySelector('#power-results').dataset.year,
    }));
    const before = await read();
    check(!before.error, `the page shows an error: ${before.error}`);
    check(before.suppliers.includes('uz'), `the imports table lists ${before.suppliers.join(', ')}`);
    check(/%$/.test(before.share), `the import share reads ${before.share}`);
    check(before.checks > 0, 'no observation is set against the base year');
    check(before.islands >= 5, `${before.islands} islands in the unserved table`);
    check(before.lines.length > 0 && before.lines.every((c) => c), `${before.lines.length} lines drawn on the map`);
    check(before.nodes >= 8, `${before.nodes} grid nodes on the map`);
    check(before.month === 'Year' && before.marked === 0, `the slider starts at ${before.month}`);
    check(before.projects.some(([id]) => id === 'casa-1000'), `the projects offered: ${JSON.stringify(before.projects)}`);

    // January, then July: the colours and the loading column follow the month.
    await setRange(page, '#power-month', 1);
    const jan = await read();
    check(jan.month === 'Jan' && jan.marked === 1 && /Jan/.test(jan.loadingHead), `January: ${jan.month}, ${jan.loadingHead}`);
    await setRange(page, '#power-month', 7);
    const jul = await read();
    check(jul.month === 'Jul' && /Jul/.test(jul.loadingHead), `July: ${jul.month}, ${jul.loadingHead}`);
    check(JSON.stringify(jul.lines) !== JSON.stringify(jan.lines), 'the lines keep their colours from January to July');

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('[data-csv="power-imports"]')]);
    const lines = readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    check(/power-base-2023-imports\.csv$/.test(dl.suggestedFilename()), `the imports are saved as ${dl.suggestedFilename()}`);
    check(lines[0].startsWith('Supplier,Jan,Feb') && lines.some((l) => l.startsWith('Import share')),
      `the imports CSV: ${lines.slice(0, 3).join(' | ')}`);

    // CASA-1000 in 2028: its line joins the map.
    await page.fill('#power-year', '2028');
    await page.waitForFunction(() => document.querySelector('#power-results').dataset.year === '2028');
    await page.check('#power-projects input[value="casa-1000"]');
    await page.waitForFunction(() => document.querySelector('#power-title').textContent.includes('casa-1000')
      || document.querySelector('#message.error:not([hidden])'));
    const casa = await read();
    check(!casa.error, `the page shows an error: ${casa.error}`);
    check(casa.lines.length > before.lines.length, `lines on the map: ${before.lines.length} → ${casa.lines.length}`);
    check(casa.month === 'Jul', 'the month went back when the year was recomputed');

    await page.click('#power-bargain');
    await page.waitForFunction(() => !document.querySelector('#power-bargain-results').hidden
      || document.querySelector('#message.error:not([hidden])'), null, { timeout: 40_000 });
    const deal = await page.evaluate(() => ({
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      status: document.querySelector('#power-bargain-status').textContent,
      summary: document.querySelector('#power-bargain-summary').textContent,
      nash: document.querySelector('#power-nash')?.textContent || '',
      ranges: document.querySelectorAll('#power-ranges tbody tr').length,
    }));
    check(!deal.error, `the page shows an error: ${deal.error}`);
    check(/No deal/.test(deal.summary) && /M\$\/yr/.test(deal.summary), `the no-deal payoffs: ${deal.summary}`);
    check(deal.nash.length > 0, 'the Nash solution (or its absence) is not shown');
    check(deal.ranges > 0, 'the table of acceptable prices is empty');

    await dismissNotice(page);
    await page.screenshot({ path: join(shotDir, 'power.png') });
    // The grid goes with its tab.
    await page.click('#tab-map');
    const left = await page.$$eval('.leaflet-flows-pane path.power-line', (ps) => ps.length);
    check(left === 0, `${left} power lines stay on the map after leaving the Power tab`);
    return `${before.suppliers.length} suppliers, import share ${before.share}, ${before.checks} observations, ` +
      `${before.lines.length} → ${casa.lines.length} lines; ${deal.status} Nash: ${deal.nash}`;
  }, 60_000);

  await step('u) the Sweeps tab shows a sweep\'s progress, tornado and tables', async () => {
    // No sweep yet (played by the test): the page says how to run one.
    await page.route('**/api/sweeps', (route) => route.fulfill({
      contentType: 'application/json', body: JSON.stringify({ dir: '/nowhere/out', sweeps: [] }),
    }));
    await page.click('#tab-sweeps');
    await page.waitForFunction(() => !document.querySelector('#sweeps-empty').hidden);
    const empty = await page.$eval('#sweeps-empty', (el) => el.textContent.replace(/\s+/g, ' '));
    check(/karvan sweep FILE -o out\/sweep-NAME/.test(empty) && /\/nowhere\/out/.test(empty),
      `the empty state does not say how to run a sweep: ${empty}`);
    check(await page.$eval('#sweep-results', (el) => el.hidden), 'an empty sweep folder still shows results');
    await page.unroute('**/api/sweeps');

    // A small sweep written where the server looks: a ∈ {0, 1} × b ∈ {0, 2}, one variant failed.
    const { dir } = await page.evaluate(() => fetch('/api/sweeps').then((r) => r.json()));
    const name = `sweep-e2e-${process.pid}`;
    if (!existsSync(dir)) written.push(dir);
    const folder = join(dir, name);
    written.push(folder);
    mkdirSync(join(folder, 'errors'), { recursive: true });
    writeFileSync(join(folder, 'sweep.toml'), 'name = "e2e"\nbase = "today"\n');
    writeFileSync(join(folder, 'variants.csv'), 'id,a,b\nv0,0,0\nv1,0,2\nv2,1,0\nv3,1,2\nv4,2,0\n');
    writeFileSync(join(folder, 'results.csv'), 'id,a,b,run.routed_tonnes,run.levies.UZB_musd,run.levies.AFG_musd\n' +
      'v0,0,0,100,0,5\nv1,0,2,90,2,4\nv2,1,0,80,10,3\nv3,1,2,50,12,1\n');
    writeFileSync(join(folder, 'errors/v4.txt'), 'the model did not converge\n');

    await page.click('#sweeps-refresh-empty');
    await page.waitForSelector(`#sweeps-list tr[data-name="${name}"]`);
    const listed = await page.$eval(`#sweeps-list tr[data-name="${name}"]`, (tr) => [...tr.cells].map((td) => td.textContent.trim()));
    check(/^4 \/ 5/.test(listed[1]) && listed[2] === '1', `the sweep's progress: ${JSON.stringify(listed)}`);
    await page.click(`#sweeps-list tr[data-name="${name}"]`);
    await page.waitForFunction((n) => document.querySelector('#sweep-results').dataset.sweep === n
      || document.querySelector('#message.error:not([hidden])'), name);
    const read = () => page.evaluate(() => ({
      error: document.querySelector('#message.error:not([hidden]) .message-text')?.textContent.trim() || '',
      title: document.querySelector('#sweep-title').textContent,
      figures: [...document.querySelectorAll('#sweep-figure option')].map((o) => o.value),
      figure: document.querySelector('#sweep-figure').value,
      bars: document.querySelectorAll('#sweep-tornado svg rect').length,
      scripts: document.querySelectorAll('#sweep-tornado script, #sweep-tornado [onload]').length,
      effects: [...document.querySelectorAll('#sweep-effects tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim())),
      dist: [...document.querySelectorAll('#sweep-distribution tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim())),
      best: [...document.querySelectorAll('#sweep-best tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim())),
    }));
    const first = await read();
    check(!first.error, `the page shows an error: ${first.error}`);
    check(/4 of 5 variants finished, 1 failed/.test(first.title), `the sweep's title: ${first.title}`);
    check(first.figure === 'run.routed_tonnes' && first.figures.length === 3, `the figures offered: ${first.figures}`);
    check(first.bars >= 2 && first.scripts === 0, `the tornado has ${first.bars} rectangles and ${first.scripts} scripts`);
    // Tonnes by a: (100 + 90) / 2 = 95 and (80 + 50) / 2 = 65; by b: 90 and 70.
    check(JSON.stringify(first.effects) === JSON.stringify([['a', '0', '95.00', '2'], ['', '1', '65.00', '2'],
      ['b', '0', '90.00', '2'], ['', '2', '70.00', '2']]), `the main effects: ${JSON.stringify(first.effects)}`);
    check(first.dist.length === 3 && first.dist[0][0] === 'run.routed_tonnes' && first.dist[0][7] === '80.00',
      `the distribution: ${JSON.stringify(first.dist)}`);
    const uzb = first.best.find((r) => r[1] === 'run.levies.UZB_musd');
    const afg = first.best.find((r) => r[1] === 'run.levies.AFG_musd');
    check(uzb && /Uzbekistan/.test(uzb[0]) && uzb[2] === 'v3' && uzb[3] === '12.00' && uzb[4] === 'a = 1, b = 2',
      `the best variant for Uzbekistan: ${JSON.stringify(uzb)}`);
    check(afg && afg[2] === 'v0' && afg[3] === '5.00', `the best variant for Afghanistan: ${JSON.stringify(afg)}`);

    // Another figure: Uzbekistan's levies, 1 and 11 by a.
    await page.selectOption('#sweep-figure', 'run.levies.UZB_musd');
    await page.waitForFunction(() => document.querySelector('#sweep-results').dataset.figure === 'run.levies.UZB_musd');
    const levies = await read();
    check(levies.effects[0][2] === '1.00' && levies.effects[1][2] === '11.00', `the levies' main effects: ${JSON.stringify(levies.effects)}`);
    check(levies.bars >= 2, 'the levies have no tornado');

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click('[data-csv="sweep-distribution"]')]);
    const lines = readFileSync(await dl.path(), 'utf8').trim().split(/\r?\n/);
    check(dl.suggestedFilename() === `karvan-sweep-e2e-${process.pid}-distribution.csv`, `the distribution is saved as ${dl.suggestedFilename()}`);
    check(lines[0] === 'Figure,n,Min,P10,Median,P90,Max,Mean' && lines.some((l) => /^run\.levies\.UZB_musd,4,0,0\.6\d*,6,11\.(4|39)\d*,12,6$/.test(l)),
      `the distribution CSV: ${lines.join(' | ')}`);

    await dismissNotice(page);
    await page.$eval('#panel-sweeps', (el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join(shotDir, 'sweeps.png') });
    rmSync(folder, { recursive: true, force: true });
    return `${first.title} ${first.bars} tornado rectangles; ${dl.suggestedFilename()} with ${lines.length - 1} rows`;
  });

  clearTimeout(watchdog);
  await finish(0);
}

main().catch((e) => finish(1, `FAIL: ${(e && e.stack) || e}`));

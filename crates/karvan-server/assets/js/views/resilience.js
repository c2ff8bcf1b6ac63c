// The Resilience view: a closure over the year (where the cargo goes, what it costs) and the
// resilience analysis (criticality ranking, years of closures, diversification).

import { api, query } from '../api.js';
import { dotSwatch, lineSwatch } from '../charts.js';
import { COLOURS } from '../colours.js';
import { $, $$, fill, h, s } from '../dom.js';
import { fileSlug } from '../downloads.js';
import { changeClass, fmt0, fmt1, fmt2, fmtKt, fmtKtChange, fmtMusd, fmtPct, fmtSigned, ordinal, plural, sum } from '../format.js';
import { jobStatus, runJob } from '../jobs.js';
import { legendItem, registerLegend } from '../map/legend.js';
import { legendClearance } from '../map/map.js';
import { addClickHandler, addClosedView, networkFeature, onNetworkLoaded, restyleClosures, zoomToElement } from '../map/network.js';
import { replaceOverlay, setOverlay } from '../map/overlays.js';
import { attempt, showMessage } from '../messages.js';
import { countryName, state } from '../state.js';
import { currentTab } from '../tabs.js';

const CRITICAL_ROWS = 25;
const RISK_CORRIDOR_ROWS = 10;
const DAY_MS = 86_400_000;
// The model's year has 365 days: day 0 is 1 January, the last is 364.
const LAST_DAY = 364;
// Monte Carlo bars: the mean darker, the percentiles redder the further into the tail.
const MC_STATS = [['mean', 'Mean', '#37474f'], ['p50', 'P50', '#ef9a9a'], ['p95', 'P95', '#e53935'], ['p99', 'P99', '#8e0000']];

/** The pairs of countries that share crossings, from the nodes at either end of each crossing. */
function collectCountryPairs(fc) {
  const countryOf = new Map(fc.features.filter((f) => f.properties.element === 'node')
    .map((f) => [f.properties.id, f.properties.country]));
  const pairs = new Map();
  for (const f of fc.features) {
    const p = f.properties;
    if (p.element !== 'crossing') continue;
    const ends = [countryOf.get(p.from), countryOf.get(p.to)];
    if (!ends[0] || !ends[1] || ends[0] === ends[1]) continue;
    // Ordered by name, so that "Afghanistan–Pakistan" and its key AFG-PAK read alike.
    const [a, b] = ends.sort((x, y) => countryName(x).localeCompare(countryName(y)));
    const key = `${a}-${b}`;
    if (!pairs.has(key)) pairs.set(key, { key, a, b, crossings: [] });
    pairs.get(key).crossings.push(p.id);
  }
  state.countryPairs = [...pairs.values()]
    .map((pair) => ({ ...pair, label: `${countryName(pair.a)}–${countryName(pair.b)}` }))
    .sort((x, y) => x.label.localeCompare(y.label));
  renderRiskPairs();
  restyleClosures(); // a pair chosen before the network changed covers its crossings again
}

function renderRiskPairs() {
  const sel = $('#risk-pair');
  sel.replaceChildren(h('option', { value: '' }, 'Add the border between two countries…'),
    ...state.countryPairs.map((pair) => h('option', { value: pair.key, title: pair.crossings.join(', ') },
      `${pair.label} (all ${plural(pair.crossings.length, 'crossing')})`)));
}

/** Ids of every crossing and line chosen, a pair standing for all its crossings. */
function riskClosedIds() {
  const ids = new Set();
  for (const c of state.risk.closures.values()) {
    const pair = state.countryPairs.find((x) => x.key === c.key);
    for (const id of pair ? pair.crossings : [c.key]) ids.add(id);
  }
  return ids;
}

export function addRiskPair() {
  const sel = $('#risk-pair');
  const pair = state.countryPairs.find((x) => x.key === sel.value);
  sel.value = ''; // the select adds; the chips below hold what is closed
  if (!pair || state.risk.closures.has(pair.key)) return;
  state.risk.closures.set(pair.key, { key: pair.key, label: `${pair.label} (all crossings)` });
  riskClosuresChanged();
}

/** A click on the map: a line or crossing joins the closure, or leaves it. */
function toggleRiskElement(p) {
  const adding = !state.risk.closures.has(p.id);
  if (adding) state.risk.closures.set(p.id, { key: p.id, label: p.name });
  else state.risk.closures.delete(p.id);
  showMessage(`${p.name} ${adding ? 'added to' : 'removed from'} the closure.`, 'info');
  riskClosuresChanged();
}

function riskClosuresChanged() {
  renderRiskClosures();
  restyleClosures();
}

export function renderRiskClosures() {
  const box = $('#risk-closures');
  const chosen = [...state.risk.closures.values()];
  if (!chosen.length) { fill(box, h('span', { class: 'muted small' }, 'Nothing to close yet.')); return; }
  fill(box, chosen.map((c) => h('span', { class: 'chip', title: c.key, dataset: { key: c.key } }, c.label,
    h('button', { type: 'button', 'aria-label': `Reopen ${c.label}`,
      onclick: () => { state.risk.closures.delete(c.key); riskClosuresChanged(); } }, '×'))));
}

/** Day of the year (0 = 1 January) of a date input's value "YYYY-MM-DD". */
function dayOfYear(value) {
  const [y, m, d] = value.split('-').map(Number);
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(y, 0, 1)) / DAY_MS);
}

/** The date picker follows the start day, in the year it shows (this year at first). */
export function syncRiskDate() {
  const day = Number($('#risk-start').value);
  if ($('#risk-start').value === '' || !Number.isInteger(day) || day < 0 || day > LAST_DAY) return;
  const shown = $('#risk-date').value;
  const year = shown ? Number(shown.slice(0, 4)) : new Date().getFullYear();
  $('#risk-date').value = new Date(Date.UTC(year, 0, 1) + day * DAY_MS).toISOString().slice(0, 10);
}

/** The start day follows the date picker; 31 December of a leap year is the model's last day. */
export function syncRiskStart() {
  const value = $('#risk-date').value;
  if (value) $('#risk-start').value = Math.min(LAST_DAY, dayOfYear(value));
}

const dateOfDay = (day) => new Date(Date.UTC(2025, 0, 1) + day * DAY_MS)
  .toLocaleDateString('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });

/** A whole number from a form field, checked against its bounds. */
function readInteger(selector, label, min, max) {
  const text = $(selector).value.trim();
  const v = Number(text);
  if (text === '' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new Error(`${label} must be a whole number from ${fmt0(min)} to ${fmt0(max)}.`);
  }
  return v;
}

function readRiskForm() {
  if (!state.risk.closures.size) {
    throw new Error('Choose what to close: the border between two countries, or crossings and lines on the map.');
  }
  return {
    scenario: $('#risk-scenario').value,
    close: [...state.risk.closures.keys()].join(','),
    start: readInteger('#risk-start', 'The start day', 0, LAST_DAY),
    days: readInteger('#risk-days', 'The number of days', 0, 365),
  };
}

export async function assessClosure() {
  const params = readRiskForm();
  const button = $('#risk-button');
  button.disabled = true;
  $('#risk-title').textContent = 'Routing the year…';
  try {
    const data = await api(`/api/risk?${query(params)}`);
    renderRisk(data, params);
  } finally {
    button.disabled = false;
  }
}

function renderRisk(data, params) {
  $('#risk-results').hidden = false;
  for (const id of ['risk-corridors', 'risk-countries']) {
    $(`#${id}`).dataset.file = fileSlug('karvan', 'closure', params.scenario, params.close, `day-${params.start}`, `${params.days}-days`, id.slice(5));
  }
  const end = Math.min(365, data.start + data.days);
  const cut = data.start + data.days > 365 ? ' (cut at the end of the year)' : '';
  $('#risk-title').textContent = `Scenario ${params.scenario}: closed from day ${fmt0(data.start)} ` +
    `(${dateOfDay(data.start)}) for ${plural(end - data.start, 'day')}${cut}; the rest of the year as in the scenario.`;
  renderRiskKey(data);
  renderRiskCorridors(data);
  renderRiskCountries(data);
}

/** "5 crossings and 1 line": the server names what it closed; the map's network knows which is which. */
function closedCount(names) {
  const lines = names.filter((name) => state.network.features.some((f) =>
    f.properties.element === 'link' && f.properties.name === name)).length;
  const crossings = names.length - lines;
  return [crossings ? plural(crossings, 'crossing') : null, lines ? plural(lines, 'line') : null]
    .filter(Boolean).join(' and ') || 'nothing';
}

/** "+12.34 million USD (+0.5 %)": a change of cost against the base. */
function costChange(cost, base) {
  const pct = base ? ` (${fmtSigned((100 * (cost - base)) / base, fmt1)} %)` : '';
  return `${fmtSigned((cost - base) / 1e6, fmt2)} million USD${pct}`;
}

function renderRiskKey(data) {
  const { base, closed_all_year: all, year } = data;
  const lost = (t) => (t >= 0.5 ? `${fmtKt(t)} kt (${fmt0(t)} t)` : 'none');
  const items = [
    ['Closed', closedCount(data.closed), data.closed.join('; ')],
    ['Cost of the year', costChange(year.cost_usd, base.cost_usd),
      `generalized cost of the routed trade, ${fmtMusd(base.cost_usd)} → ${fmtMusd(year.cost_usd)} million USD`],
    ['Closed all year', costChange(all.cost_usd, base.cost_usd), 'the same closure for the whole year'],
    ['Lost trade, the year', lost(year.lost_tonnes - base.lost_tonnes),
      `closed all year: ${lost(all.lost_tonnes - base.lost_tonnes)}; trade with no route left is not in the cost`],
  ];
  $('#risk-key').replaceChildren(...items.map(([k, v, note]) =>
    h('div', {}, h('dt', {}, k), h('dd', {}, v, note ? h('div', { class: 'muted small' }, note) : null))));
}

/** Corridors by the change a whole year's closure makes, then by size; the rest behind a button. */
function renderRiskCorridors(data) {
  const t = (annual, name) => annual.corridor_tonnes[name] || 0;
  const names = [...new Set([data.base, data.closed_all_year, data.year].flatMap((a) => Object.keys(a.corridor_tonnes)))];
  const change = (name) => t(data.closed_all_year, name) - t(data.base, name);
  const size = (name) => Math.max(t(data.base, name), t(data.closed_all_year, name));
  const sorted = names.sort((x, y) => Math.abs(change(y)) - Math.abs(change(x)) || size(y) - size(x) || x.localeCompare(y));
  const shown = Math.max(RISK_CORRIDOR_ROWS, sorted.filter((name) => Math.abs(change(name)) >= 50).length);
  $('#risk-corridors tbody').replaceChildren(...sorted.map((name, i) => {
    const [b, all, year] = [t(data.base, name), t(data.closed_all_year, name), t(data.year, name)];
    return h('tr', { hidden: i >= shown, dataset: { corridor: name, base: b, closed: all, year } },
      h('td', {}, Math.abs(all - b) >= 50 ? h('strong', {}, name) : name),
      h('td', { class: 'num' }, fmtKt(b)),
      h('td', { class: 'num' }, fmtKt(all)),
      h('td', { class: changeClass(all - b) }, fmtKtChange(all - b)),
      h('td', { class: 'num' }, fmtKt(year)),
      h('td', { class: changeClass(year - b) }, fmtKtChange(year - b)));
  }));
  const more = $('#risk-corridors-more');
  more.hidden = sorted.length <= shown;
  more.textContent = `Show all ${sorted.length} corridors`;
}

export function showAllRiskCorridors() {
  for (const tr of $$('#risk-corridors tbody tr')) tr.hidden = false;
  $('#risk-corridors-more').hidden = true;
}

/** Lost trade and extra cost by origin country, for the countries the closure touches. */
function renderRiskCountries(data) {
  const { base, closed_all_year: all, year } = data;
  const get = (annual, key, c) => annual[key][c] || 0;
  const diff = (annual, key, c) => get(annual, key, c) - get(base, key, c);
  const countries = [...new Set([base, all, year].flatMap((a) => [...Object.keys(a.lost_by_country), ...Object.keys(a.cost_by_country)]))]
    .filter((c) => Math.abs(diff(all, 'lost_by_country', c)) >= 0.5 || Math.abs(diff(all, 'cost_by_country', c)) >= 5e3)
    .sort((x, y) => diff(all, 'lost_by_country', y) - diff(all, 'lost_by_country', x)
      || diff(all, 'cost_by_country', y) - diff(all, 'cost_by_country', x));
  const body = countries.map((c) => h('tr', { dataset: { country: c } },
    h('td', {}, countryName(c)),
    h('td', { class: 'num' }, fmtKt(diff(year, 'lost_by_country', c))),
    h('td', { class: 'num' }, fmtKt(diff(all, 'lost_by_country', c))),
    h('td', { class: changeClass(-diff(year, 'cost_by_country', c)) }, fmtSigned(diff(year, 'cost_by_country', c) / 1e6, fmt2)),
    h('td', { class: changeClass(-diff(all, 'cost_by_country', c)) }, fmtSigned(diff(all, 'cost_by_country', c) / 1e6, fmt2))));
  $('#risk-countries tbody').replaceChildren(...(body.length ? body
    : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No country loses trade or pays more.'))]));
}

/* The resilience analysis */

function readResilienceForm() {
  return {
    scenario: $('#resilience-scenario').value,
    samples: readInteger('#resilience-samples', 'The number of years sampled', 1, 5000),
    seed: readInteger('#resilience-seed', 'The seed', 0, Number.MAX_SAFE_INTEGER),
  };
}

export async function analyseResilience() {
  if (state.analysing) return;
  const request = readResilienceForm();
  state.analysing = true;
  $('#resilience-button').disabled = true;
  // Until the new results come, the last ones stay only if this one never starts or is cancelled.
  const shown = !$('#resilience-results').hidden;
  $('#resilience-results').hidden = true;
  try {
    const job = await runJob({
      status: jobStatus('resilience'),
      path: '/api/resilience',
      body: request,
      what: 'Analysis',
      of: `of ${request.scenario}`,
      // First every element closed in turn, then the sampled years: one step each.
      progress: (j, seconds) => ({
        text: `Closures and years solved ${fmt0(j.done)} / ${fmt0(j.total)} (${seconds} s)`,
        done: j.done,
        total: j.total,
      }),
      howFar: (j) => (j.total ? `${fmt0(j.done)} of ${fmt0(j.total)} closures and years solved` : null),
      done: (j, seconds) => `Analysis ${j.id} of ${request.scenario} done in ${seconds} s.`,
    });
    // The Monte Carlo reports the cost of each year; the base year tells what closures add.
    const base = await api(`/api/risk?${query({ scenario: request.scenario })}&close=`);
    renderResilience(job.analysis, base.base, request.scenario);
  } catch (e) {
    if (e.shown && shown) $('#resilience-results').hidden = false;
    throw e;
  } finally {
    state.analysing = false;
    $('#resilience-button').disabled = false;
  }
}

function renderResilience(a, base, scenario) {
  $('#resilience-results').hidden = false;
  for (const id of ['criticality', 'monte-carlo', 'resilience-lost', 'diversification']) {
    $(`#${id}`).dataset.file = fileSlug('karvan', 'resilience', scenario, id.replace('resilience-', ''));
  }
  const mc = a.monte_carlo;
  $('#resilience-model').textContent = `Scenario ${scenario}: ${plural(a.criticality.length, 'line and crossing', 'lines and crossings')} ` +
    `closed in turn for a year; ${plural(mc.samples, 'year')} sampled (seed ${mc.seed}), in which each of ` +
    `${plural(a.risky_crossings, 'crossing')} closes with a chance of ${a.closure_chance_per_year} × its risk index ` +
    `(the higher of its two sides), for ${fmt0(a.closure_days)} days from a random day.`;
  const top = a.criticality.slice(0, CRITICAL_ROWS);
  renderCriticality(top);
  showCritical(top, scenario);
  renderMonteCarlo(mc, base);
  $('#monte-carlo-chart').replaceChildren(monteCarloChart(mc, base));
  renderResilienceLost(mc);
  renderDiversification(a.diversification);
}

function renderCriticality(rows) {
  $('#criticality tbody').replaceChildren(...rows.map((c, i) => h('tr', {
    dataset: { id: c.id }, class: 'clickable', title: 'Show it on the map',
    onclick: () => zoomToElement(c.id),
  },
  h('td', { class: 'num' }, i + 1),
  h('td', { title: c.id }, c.name),
  h('td', { class: 'num' }, fmtKt(c.lost_tonnes)),
  h('td', { class: changeClass(-c.extra_cost_usd) }, fmtSigned(c.extra_cost_usd / 1e6, fmt2)))));
}

/** Critical elements in red: the most critical the widest, fading down the ranking. */
function showCritical(rows, scenario) {
  const ranked = rows.filter((c) => c.lost_tonnes > 0 || c.extra_cost_usd > 0);
  const n = ranked.length;
  const scale = (i) => (n > 1 ? 1 - i / (n - 1) : 1); // 1 for the first, 0 for the last
  const group = L.featureGroup();
  // The least critical first, so the most critical is drawn on top.
  [...ranked].reverse().forEach((c) => {
    const i = ranked.indexOf(c);
    const f = networkFeature(c.id);
    if (!f) return;
    const tip = `#${i + 1} ${c.name}: lost ${fmtKt(c.lost_tonnes)} kt, ${fmtSigned(c.extra_cost_usd / 1e6, fmt2)} million USD a year`;
    const layer = f.properties.element === 'crossing'
      ? L.circleMarker(L.GeoJSON.coordsToLatLng(f.geometry.coordinates), {
        pane: 'flows', radius: 8 + 10 * scale(i), color: COLOURS.critical, weight: 2,
        fillColor: COLOURS.critical, fillOpacity: 0.3,
      })
      : L.geoJSON(f, { pane: 'flows', style: { color: COLOURS.critical, weight: 2.5 + 9.5 * scale(i), opacity: 0.85, lineCap: 'round' } });
    layer.bindTooltip(tip, { sticky: true, className: 'net-tooltip' });
    layer.on('click', () => { if (currentTab() === 'resilience') toggleRiskElement(f.properties); });
    group.addLayer(layer);
  });
  state.overlayInfo.critical = { scenario, count: n };
  replaceOverlay('critical', group, scenario);
  setOverlay('critical');
  // The ranking spans the region: show all of it, clear of the legend, whatever the map was zoomed to.
  if (group.getLayers().length) {
    state.map.fitBounds(group.getBounds(), { paddingTopLeft: [legendClearance(), 30], paddingBottomRight: [30, 30], maxZoom: 6 });
  }
}

registerLegend('critical', () => {
  const info = state.overlayInfo.critical || {};
  return [h('h4', {}, `Critical: ${info.scenario || ''}`),
    legendItem(lineSwatch(COLOURS.critical, 9), 'Most critical line'),
    legendItem(lineSwatch(COLOURS.critical, 3), `${ordinal(info.count || CRITICAL_ROWS)} most critical`),
    legendItem(dotSwatch('rgba(183, 28, 28, 0.3)', COLOURS.critical, 6, 2), 'Critical crossing'),
    h('div', { class: 'muted' }, 'Width ∝ rank; each closed all year')];
});


/** The Monte Carlo quantities, the cost as extra over the base year. */
const mcQuantities = (mc, base) => [
  { label: 'Extra cost of the year', unit: 'million USD', value: (d) => (d - base.cost_usd) / 1e6, dist: mc.cost_usd, format: fmt2 },
  { label: 'Lost trade', unit: 'thousand tonnes', value: (d) => (d - base.lost_tonnes) / 1e3, dist: mc.lost_tonnes, format: fmt1 },
];

function renderMonteCarlo(mc, base) {
  $('#monte-carlo tbody').replaceChildren(...mcQuantities(mc, base).map((q) => h('tr', {},
    h('td', {}, q.label, h('div', { class: 'muted small' }, q.unit)),
    MC_STATS.map(([key]) => h('td', { class: 'num', dataset: { value: q.value(q.dist[key]) } }, q.format(q.value(q.dist[key])))))));
}

/** Bars of the mean and the percentiles of each quantity, each on its own scale from zero. */
function monteCarloChart(mc, base) {
  const width = 520;
  const rowH = 17;
  const m = { left: 48, right: 78, top: 4 };
  const quantities = mcQuantities(mc, base).map((q) => ({ ...q, values: MC_STATS.map(([key]) => q.value(q.dist[key])) }));
  // A quantity that is zero in every year gets a sentence, not four empty bars.
  const isZero = (q) => q.values.every((v) => q.format(v) === q.format(0));
  const groupH = (q) => (isZero(q) ? 42 : 34 + rowH * MC_STATS.length);
  const height = m.top + sum(quantities.map(groupH));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Distribution of the years of closures' });
  let y0 = m.top;
  for (const q of quantities) {
    const { values } = q;
    const lo = Math.min(0, ...values);
    const hi = Math.max(lo + 1e-9, 0, ...values);
    const X = (v) => m.left + ((width - m.left - m.right) * (v - lo)) / (hi - lo);
    svg.append(s('text', { x: 0, y: y0 + 13, 'font-size': 12, 'font-weight': 600, fill: '#1d2733' }, `${q.label}, ${q.unit}`));
    if (isZero(q)) {
      svg.append(s('text', { x: m.left, y: y0 + 31, 'font-size': 11.5, fill: '#5f6b7a' }, 'None in any year sampled.'));
      y0 += groupH(q);
      continue;
    }
    MC_STATS.forEach(([, label, colour], i) => {
      const v = values[i];
      const y = y0 + 20 + i * rowH;
      svg.append(s('text', { x: m.left - 8, y: y + 11, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6b7a' }, label));
      svg.append(s('rect', { x: Math.min(X(0), X(v)), y: y + 2, width: Math.max(Math.abs(X(v) - X(0)), 1), height: rowH - 5,
        fill: colour, rx: 1.5 }, s('title', {}, `${q.label}, ${label}: ${q.format(v)} ${q.unit}`)));
      svg.append(s('text', { x: width - 2, y: y + 11, 'text-anchor': 'end', 'font-size': 11, fill: '#1d2733' }, q.format(v)));
    });
    svg.append(s('line', { x1: X(0), x2: X(0), y1: y0 + 19, y2: y0 + 20 + rowH * MC_STATS.length, stroke: '#5f6b7a' }));
    y0 += groupH(q);
  }
  return svg;
}

function renderResilienceLost(mc) {
  const rows = Object.entries(mc.lost_by_country).filter(([, d]) => d.p99 >= 0.5 || d.mean >= 0.5)
    .sort(([, x], [, y]) => y.mean - x.mean);
  $('#resilience-lost tbody').replaceChildren(...(rows.length
    ? rows.map(([c, d]) => h('tr', { dataset: { country: c } }, h('td', {}, countryName(c)),
      MC_STATS.map(([key]) => h('td', { class: 'num' }, fmt1(d[key] / 1e3)))))
    : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No trade is lost in any year sampled: every shipment finds a route.'))]));
}

/** Most concentrated first: the countries with the fewest real alternatives. */
function renderDiversification(rows) {
  const crossingName = (id) => (state.crossings.find((c) => c.id === id) || {}).name || id;
  const sorted = [...rows].sort((x, y) => y.corridor_hhi - x.corridor_hhi);
  $('#diversification tbody').replaceChildren(...sorted.map((d) => h('tr', { dataset: { country: d.country } },
    h('td', {}, countryName(d.country)),
    h('td', { class: 'num' }, fmtKt(d.tonnes)),
    h('td', { class: 'num', title: `${fmt1(1 / d.corridor_hhi)} corridors' worth` }, fmt2(d.corridor_hhi)),
    // The server sends the largest integer when a zone is itself a port: no cut separates them.
    h('td', { class: 'num' }, d.disjoint_routes_to_sea > 1e15 ? '—' : fmt0(d.disjoint_routes_to_sea)),
    h('td', {}, d.worst_crossing ? crossingName(d.worst_crossing) : '–'),
    h('td', { class: 'num' }, fmtPct(d.worst_crossing_share)))));
}

// The Resilience tab shows what it is about to close on top of the map scenario's state, and
// a click on a line or crossing adds it to the closure or removes it.
addClosedView((p) => (currentTab() === 'resilience' && riskClosedIds().has(p.id) ? true : null));
addClickHandler((p) => {
  if ((p.element !== 'crossing' && p.element !== 'link') || currentTab() !== 'resilience') return false;
  toggleRiskElement(p);
  return true;
});
onNetworkLoaded(collectCountryPairs);

/** Wires the Resilience tab's controls. */
export function bindResilience() {
  $('#risk-pair').addEventListener('change', addRiskPair);
  $('#risk-start').addEventListener('input', syncRiskDate);
  $('#risk-date').addEventListener('change', syncRiskStart);
  $('#risk-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(assessClosure); });
  $('#risk-corridors-more').addEventListener('click', showAllRiskCorridors);
  $('#resilience-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(analyseResilience); });
  renderRiskClosures();
  syncRiskDate();
}

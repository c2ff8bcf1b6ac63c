// The Power view: one year of cross-border electricity on the Afghan grid from `/api/power` —
// the grid's nodes on the map with lines between them coloured by how full they run (the
// year's mean, or a month's on the slider), each node's unserved energy and price in its
// tooltip; imports by supplier month by month, the import share, unserved energy by island,
// the base year against what was observed, and the lines' payments (market) apart from their
// transit fees (levy) and congestion rent. "Bargain" asks `/api/power/bargain` for the
// water-for-power deals and shows the no-deal payoffs, the Nash solution and the prices both
// sides accept. Its layers are on the map only while the tab is open.

import { api, query } from '../api.js';
import { $, fill, h } from '../dom.js';
import { fileSlug } from '../downloads.js';
import { fmt0, fmt1, fmt2, fmtPct, shortName, sum } from '../format.js';
import { attempt } from '../messages.js';
import { state } from '../state.js';
import { onTab } from '../tabs.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const KIND_COLOURS = { supplier: '#1565c0', island: '#e65100', market: '#2e7d32' };
// Loading 0 … 1: green, amber, red; a line that does not run is grey and dashed.
const LOAD_STOPS = [[0, [46, 125, 50]], [0.5, [249, 168, 37]], [0.85, [230, 81, 0]], [1, [183, 28, 28]]];
const IDLE = '#9e9e9e';
const YEAR_MIN = 1990;
const YEAR_MAX = 2100;

// What the tab shows: the server's answer and the map layers drawn from it.
const shown = { data: null, key: null, layer: null, lines: [], nodes: [], fitted: false };
// What the person changed on top of the scenario; a new scenario starts afresh.
const asked = { year: null, projects: new Set(), hydro: null, regime: null };
// Each load gets a number; an answer to an older one is dropped.
let loads = 0;
let typing = null;

/** 0 for the year, 1–12 for a month. */
const monthShown = () => Number($('#power-month').value);

export function loadingColour(loading) {
  if (loading == null) return IDLE;
  const r = Math.max(0, Math.min(1, loading));
  for (let i = 1; i < LOAD_STOPS.length; i++) {
    const [x1, c1] = LOAD_STOPS[i];
    if (r <= x1) {
      const [x0, c0] = LOAD_STOPS[i - 1];
      const t = (r - x0) / (x1 - x0);
      return `rgb(${c0.map((v, k) => Math.round(v + t * (c1[k] - v))).join(',')})`;
    }
  }
  return 'rgb(183,28,28)';
}

/** A line's loading in the month shown (1–12), or its mean over the months it runs. */
function lineLoading(line, m) {
  if (m > 0) return line.loading[m - 1];
  const running = line.loading.filter((x) => x != null);
  return running.length ? sum(running) / running.length : null;
}

const mean = (xs) => sum(xs) / xs.length;

/** The query of the form as the person set it. */
function params(withHydro) {
  const p = new URLSearchParams(query({
    scenario: $('#power-scenario').value || 'base',
    year: asked.year,
    regime: asked.regime,
  }));
  if (withHydro && asked.hydro != null) p.set('hydro_from_water', String(asked.hydro));
  for (const id of asked.projects) p.append('project', id);
  return p.toString();
}

/** The year field's value, or an error naming its range. */
function readYear() {
  const text = $('#power-year').value.trim();
  if (text === '') return null;
  const y = Number(text);
  if (!Number.isInteger(y) || y < YEAR_MIN || y > YEAR_MAX) {
    throw new Error(`The year must be a whole year from ${YEAR_MIN} to ${YEAR_MAX}.`);
  }
  return y;
}

/** Asks the server for the year as the form sets it, and shows it. */
export async function loadPower() {
  asked.year = readYear();
  const key = params(true);
  if (key === shown.key) return;
  shown.key = key;
  const load = ++loads;
  $('#power-status').textContent = 'Dispatching the grid month by month…';
  try {
    const data = await api(`/api/power?${key}`);
    if (load !== loads) return;
    shown.data = data;
    $('#power-status').textContent = '';
    $('#power-bargain-results').hidden = true;
    $('#power-bargain-status').textContent = '';
    fillForm();
    draw();
    render();
  } catch (e) {
    if (load === loads) {
      $('#power-status').textContent = '';
      shown.key = null;
    }
    throw e;
  }
}

/** The form as the answer has it: the year modelled, the projects built, the hydro link. */
function fillForm() {
  const { settings, projects } = shown.data;
  $('#power-year').placeholder = String(settings.year);
  const year = settings.year;
  fill($('#power-projects'), ...projects.map((p) => {
    const fromScenario = settings.scenario_projects.includes(p.id);
    const late = p.opens > year;
    const box = h('input', {
      type: 'checkbox', value: p.id, checked: settings.projects.includes(p.id),
      disabled: fromScenario || (late && !asked.projects.has(p.id)),
      onchange: (e) => {
        if (e.target.checked) asked.projects.add(p.id);
        else asked.projects.delete(p.id);
        attempt(loadPower);
      },
    });
    const note = fromScenario ? ' (the scenario builds it)' : late ? ` (opens ${p.opens})` : '';
    return h('label', { class: late && !fromScenario ? 'off' : null, title: p.description, dataset: { project: p.id } },
      box, ` ${p.name}`, h('span', { class: 'muted small' }, note));
  }));
  const regime = $('#power-regime');
  if (regime.options.length !== settings.regimes.length) {
    fill(regime, ...settings.regimes.map((r) => h('option', { value: r }, /^\d+$/.test(r) ? `${r} (observed)` : r)));
  }
  regime.value = settings.regime;
  $('#power-hydro').checked = settings.hydro_from_water;
}

const nodeName = (id) => {
  const n = shown.data && shown.data.nodes.find((x) => x.id === id);
  return n ? shortName(n.name) : id;
};

/** The grid on the map: lines under the nodes, both on the map only while the tab is open. */
function draw() {
  const { data } = shown;
  if (shown.layer) shown.layer.remove();
  const at = new Map(data.nodes.map((n) => [n.id, n]));
  const group = L.layerGroup();
  shown.lines = data.lines.filter((l) => at.has(l.from) && at.has(l.to)).map((l) => {
    const a = at.get(l.from);
    const b = at.get(l.to);
    const line = L.polyline([[a.lat, a.lon], [b.lat, b.lon]], {
      pane: 'flows', weight: 5, opacity: 0.9, lineCap: 'round', className: 'power-line',
    });
    line.bindTooltip('', { sticky: true, className: 'net-tooltip' });
    group.addLayer(line);
    return { line, data: l };
  });
  shown.nodes = data.nodes.map((n) => {
    const marker = L.circleMarker([n.lat, n.lon], {
      pane: 'nodes', radius: 7, color: '#fff', weight: 1.5,
      fillColor: KIND_COLOURS[n.kind] || '#555', fillOpacity: 1, className: 'power-node',
    });
    marker.bindTooltip('', { className: 'net-tooltip' });
    group.addLayer(marker);
    return { marker, data: n };
  });
  shown.layer = group;
  if (isOpen()) group.addTo(state.map);
  if (!shown.fitted && isOpen()) fit();
}

function fit() {
  shown.fitted = true;
  state.map.fitBounds(shown.data.nodes.map((n) => [n.lat, n.lon]), { padding: [40, 40], maxZoom: 7 });
}

const numCell = (text, props = {}) => h('td', { class: 'num', ...props }, text);

/** Twelve monthly cells and the year's, the month shown marked. */
function monthCells(values, format, m) {
  return [...values.map((v, i) => numCell(format(v), { class: i + 1 === m ? 'num now' : 'num' })),
    numCell(format(sum(values)))];
}

function monthHead(first, m) {
  return h('tr', {}, h('th', {}, first),
    ...MONTHS.map((name, i) => h('th', { class: i + 1 === m ? 'num now' : 'num' }, name)), h('th', { class: 'num' }, 'Year'));
}

/** The month's (or year's) colours and tooltips on the map, and the tables. */
function render() {
  const { data } = shown;
  if (!data) return;
  const m = monthShown();
  const when = m > 0 ? MONTHS[m - 1] : 'the year';
  $('#power-month-name').textContent = m > 0 ? MONTHS[m - 1] : 'Year';
  for (const { line, data: l } of shown.lines) {
    const loading = lineLoading(l, m);
    const flow = m > 0 ? l.flow_gwh[m - 1] : sum(l.flow_gwh);
    line.setStyle({ color: loadingColour(loading), dashArray: loading == null ? '4 6' : null });
    line.setTooltipContent(`${l.id}: ${nodeName(l.from)} → ${nodeName(l.to)}, ${fmt0(l.capacity_mw)} MW; `
      + `${fmt1(flow)} GWh in ${when}, ${loading == null ? 'not running' : `${fmtPct(loading)} loaded${m > 0 ? '' : ' (mean of the months it runs)'}`}`);
    if (line.getElement()) line.getElement().dataset.loading = loading == null ? '' : loading.toFixed(3);
  }
  for (const { marker, data: n } of shown.nodes) {
    const unserved = m > 0 ? n.unserved_gwh[m - 1] : sum(n.unserved_gwh);
    const price = m > 0 ? n.price_usd_mwh[m - 1] : mean(n.price_usd_mwh);
    marker.setTooltipContent(`${shortName(n.name)} (${n.kind}): unserved ${fmt1(unserved)} GWh in ${when}; `
      + `${m > 0 ? 'price' : 'mean price'} ${fmt1(price)} $/MWh`);
  }
  renderSummary();
  renderTables(m);
  $('#power-results').hidden = false;
  $('#power-results').dataset.year = String(data.year);
}

function keyRow(label, value, note) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value, note ? h('div', { class: 'small muted' }, note) : null));
}

function renderSummary() {
  const { data } = shown;
  const s = data.settings;
  const built = s.projects.length ? s.projects.join(', ') : 'none';
  $('#power-title').textContent = `${s.scenario}, ${data.year}; projects: ${built}; `
    + `hydro ${s.hydro_from_water ? `from the water model (${s.regime} year)` : 'from the grid\'s monthly series'}`;
  fill($('#power-summary'),
    keyRow('Imports', `${fmt0(sum(data.imports_gwh))} GWh`, `${fmtPct(data.import_share_year)} of the islands' supply`),
    keyRow('Unserved', `${fmt0(sum(data.unserved_islands_gwh))} GWh`),
    keyRow('Islands\' bill', `${fmt1(data.importer_imports_musd + data.importer_own_generation_musd + data.importer_shortage_musd)} M$`,
      `imports ${fmt1(data.importer_imports_musd)}, own plants ${fmt1(data.importer_own_generation_musd)}, shortage ${fmt1(data.importer_shortage_musd)}`));
}

function renderTables(m) {
  const { data } = shown;
  const slug = fileSlug('power', data.settings.scenario, data.year);
  const imports = $('#power-imports');
  imports.dataset.file = `${slug}-imports`;
  fill(imports.tHead, monthHead('Supplier', m));
  fill(imports.tBodies[0], ...data.imports.map((i) => h('tr', { dataset: { supplier: i.supplier } },
    h('td', {}, nodeName(i.supplier)), ...monthCells(i.gwh, fmt0, m))));
  fill(imports.tFoot,
    h('tr', {}, h('td', {}, 'All imports'), ...monthCells(data.imports_gwh, fmt0, m)),
    // The share's cells say their number as a percentage in the CSV, so the GWh columns stay GWh.
    h('tr', { class: 'share' }, h('td', { dataset: { csv: 'Import share (%)' } }, 'Import share'),
      ...data.import_share.map((x, i) => numCell(fmtPct(x), { class: i + 1 === m ? 'num now' : 'num', dataset: { csv: (100 * x).toFixed(1) } })),
      numCell(fmtPct(data.import_share_year), { dataset: { csv: (100 * data.import_share_year).toFixed(1) } })));

  const islands = data.nodes.filter((n) => n.kind === 'island');
  const unserved = $('#power-unserved');
  unserved.dataset.file = `${slug}-unserved`;
  fill(unserved.tHead, monthHead('Island', m));
  fill(unserved.tBodies[0], ...islands.map((n) => h('tr', { dataset: { node: n.id } },
    h('td', { title: n.name }, shortName(n.name)), ...monthCells(n.unserved_gwh, fmt0, m))));
  fill(unserved.tFoot, h('tr', {}, h('td', {}, 'All islands'), ...monthCells(data.unserved_islands_gwh, fmt0, m)));

  const share = (c) => c.quantity === 'import_share';
  const value = (c, v) => (share(c) ? fmtPct(v) : fmt0(v));
  $('#power-checks-none').hidden = data.checks.length > 0;
  $('#power-checks').hidden = data.checks.length === 0;
  fill($('#power-checks tbody'), ...data.checks.map((c) => h('tr', { dataset: { check: c.id } },
    h('td', { title: c.source }, `${c.id}`, h('div', { class: 'small muted' }, `${c.quantity.replace(/_/g, ' ')}, ${nodeName(c.node)}`)),
    numCell(value(c, c.observed)),
    numCell(`${value(c, c.low)}–${value(c, c.high)}`, { dataset: { csv: `${c.low}-${c.high}` } }),
    numCell(value(c, c.modelled)),
    h('td', { class: c.inside ? 'inside' : 'outside' }, c.inside ? 'yes' : 'no'))));

  $('#power-lines-loading').textContent = m > 0 ? `Loading, ${MONTHS[m - 1]}` : 'Loading (mean)';
  fill($('#power-lines tbody'), ...data.lines.map((l) => {
    const loading = lineLoading(l, m);
    return h('tr', { dataset: { line: l.id } },
      h('td', {}, l.id, h('div', { class: 'small muted' }, `${nodeName(l.from)} → ${nodeName(l.to)}${l.project ? ` (${l.project})` : ''}`)),
      numCell(fmt0(l.capacity_mw)),
      numCell(fmt0(sum(l.flow_gwh))),
      numCell(loading == null ? '–' : fmtPct(loading), { style: `color: ${loadingColour(loading)}` }),
      numCell(fmt2(l.payments_musd)),
      numCell(fmt2(l.fees_musd), { title: l.fee_country ? `to ${l.fee_country}, ${fmt1(l.fee_usd_mwh)} $/MWh` : null }),
      numCell(fmt2(l.congestion_rent_musd)));
  }));
}

/** The water-for-power bargaining view of the scenario, year and projects shown. */
async function bargain() {
  const button = $('#power-bargain');
  button.disabled = true;
  $('#power-bargain-status').textContent = 'Weighing every deal of water for winter power…';
  try {
    const b = await api(`/api/power/bargain?${params(false)}`);
    $('#power-bargain-status').textContent = `${fmt0(b.deals.length)} deals weighed, ${fmt0(b.acceptable_deals)} better than no deal for both sides (${b.settings.regime} year).`;
    const d = b.disagreement;
    const nash = b.nash;
    fill($('#power-bargain-summary'),
      keyRow('No deal', `Afghanistan ${fmt1(d.afghanistan_musd)} M$/yr; downstream ${fmt1(d.downstream_musd)} M$/yr`,
        `Qosh Tepa takes its planned ${fmt0(b.terms.planned_hm3)} hm³; no extra winter power`),
      nash
        ? keyRow('Nash solution', h('span', { id: 'power-nash' }, `Qosh Tepa ${fmt0(nash.withdrawal_hm3)} hm³, ${fmt0(nash.winter_mw)} MW extra in winter at ${fmt1(nash.price_usd_mwh)} $/MWh`),
          `gains over no deal: Afghanistan ${fmt2(nash.afghanistan_gain)} M$/yr, downstream ${fmt2(nash.downstream_gain)} M$/yr`)
        : keyRow('Nash solution', h('span', { id: 'power-nash' }, 'none: no deal beats no deal for both sides')));
    const ranges = [...b.price_ranges].sort((x, y) => (x.withdrawal_hm3 - y.withdrawal_hm3) || (x.winter_mw - y.winter_mw));
    fill($('#power-ranges tbody'), ranges.length
      ? ranges.map((r) => h('tr', {},
        numCell(fmt0(r.withdrawal_hm3)), numCell(fmt0(r.winter_mw)),
        numCell(fmt1(r.price_low_usd_mwh)), numCell(fmt1(r.price_high_usd_mwh))))
      : h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No price is acceptable to both sides.')));
    $('#power-bargain-results').hidden = false;
  } catch (e) {
    $('#power-bargain-status').textContent = '';
    throw e;
  } finally {
    button.disabled = false;
  }
}

const isOpen = () => document.body.dataset.tab === 'power';

function showLayer(open) {
  if (!shown.layer) return;
  if (open) {
    shown.layer.addTo(state.map);
    render(); // the paths are drawn anew: their colours and data with them
  } else shown.layer.remove();
}

/** The scenario picker: every scenario the page knows, the shipped power ones first. */
function fillScenarios() {
  const sel = $('#power-scenario');
  const keep = sel.value || 'base';
  const power = ['casa-1000', 'uzbek-500kv', 'hydro-linked', 'dry-year-power', 'rogun-filling', 'qosh-tepa'];
  const names = (state.scenarios || []).map((s) => s.name);
  const first = ['base', ...power.filter((n) => names.includes(n))];
  const rest = names.filter((n) => !first.includes(n));
  fill(sel, ...first.map((n) => h('option', { value: n }, n)),
    rest.length ? h('optgroup', { label: 'Other scenarios' }, ...rest.map((n) => h('option', { value: n }, n))) : null);
  sel.value = [...first, ...rest].includes(keep) ? keep : 'base';
}

export function bindPower() {
  fill($('#power-key'),
    ...Object.entries(KIND_COLOURS).map(([kind, colour]) => h('span', { style: `--dot: ${colour}` }, kind)),
    h('span', { class: 'power-key' }, h('i', { class: 'swatch', style: `background: ${loadingColour(0)}` }), 'idle'),
    h('span', { class: 'power-key' }, h('i', { class: 'swatch', style: `background: ${loadingColour(0.5)}` }), 'half'),
    h('span', { class: 'power-key' }, h('i', { class: 'swatch', style: `background: ${loadingColour(1)}` }), 'full'));
  onTab((tab) => {
    const open = tab === 'power';
    showLayer(open);
    if (open) $('#map').classList.add('dim-network');
    else if (tab === 'map') $('#map').classList.toggle('dim-network', ['flows', 'changes', 'critical'].includes(state.overlayShown));
    if (open) {
      fillScenarios();
      if (!shown.data) attempt(loadPower);
      else if (!shown.fitted) fit();
    }
  });
  $('#power-form').addEventListener('submit', (e) => e.preventDefault());
  $('#power-scenario').addEventListener('change', () => {
    asked.year = null;
    asked.projects.clear();
    asked.hydro = null;
    asked.regime = null;
    $('#power-year').value = '';
    attempt(loadPower);
  });
  $('#power-year').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => attempt(loadPower), 400);
  });
  $('#power-year').addEventListener('change', () => {
    clearTimeout(typing);
    attempt(loadPower);
  });
  $('#power-hydro').addEventListener('change', (e) => {
    asked.hydro = e.target.checked;
    attempt(loadPower);
  });
  $('#power-regime').addEventListener('change', (e) => {
    asked.regime = e.target.value;
    attempt(loadPower);
  });
  $('#power-month').addEventListener('input', render);
  $('#power-bargain').addEventListener('click', () => attempt(bargain));
}

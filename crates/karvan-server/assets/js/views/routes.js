// The Routes view: the cheapest routes between two places, what each country is paid, and
// the cost–distance staircase.

import { api, query } from '../api.js';
import { lineChart, lineSwatch } from '../charts.js';
import { ROUTE_COLOURS } from '../colours.js';
import { $, $$, h } from '../dom.js';
import { downloadCsv, downloadGeoJson, fileSlug } from '../downloads.js';
import { fmt0, fmt1, fmt2 } from '../format.js';
import { legendItem, registerLegend } from '../map/legend.js';
import { activeOverlay, replaceOverlay, setOverlay } from '../map/overlays.js';
import { attempt, showMessage } from '../messages.js';
import { state } from '../state.js';

// The API finds at most this many routes between two places.
const MAX_ALTERNATIVES = 10;
const DEFAULT_ALTERNATIVES = 3;

/**
 * The number of alternatives asked for, a whole number from 1 to 10. A value outside that
 * (or not a number) is replaced in the field by the nearest one allowed, and a note under
 * the field says so; `live` only says what is wrong, while the person is still typing.
 */
function checkAlternatives(live = false) {
  const input = $('#route-alternatives');
  const note = $('#route-alternatives-note');
  const text = input.value.trim();
  const v = Number(text);
  const given = text !== '' && !input.validity.badInput && Number.isFinite(v);
  const used = given ? Math.max(1, Math.min(MAX_ALTERNATIVES, Math.round(v))) : DEFAULT_ALTERNATIVES;
  const wrong = !given || used !== v;
  input.setAttribute('aria-invalid', String(wrong && given));
  if (!wrong) {
    note.hidden = true;
    return used;
  }
  if (live) {
    note.textContent = given ? `Alternatives go from 1 to ${MAX_ALTERNATIVES}.` : '';
    note.hidden = !given;
    return used;
  }
  input.value = String(used);
  input.setAttribute('aria-invalid', 'false');
  note.textContent = given
    ? `Alternatives go from 1 to ${MAX_ALTERNATIVES}, whole numbers: ${used} used instead of ${text}.`
    : `No number of alternatives given: ${used} used.`;
  note.hidden = false;
  return used;
}

export async function findRoutes() {
  const from = $('#route-from').value.trim();
  const to = $('#route-to').value.trim();
  const alternatives = checkAlternatives();
  if (!from || !to) throw new Error('Choose an origin and a destination.');
  const params = {
    from, to, alternatives,
    commodity: $('#route-commodity').value,
    scenario: $('#route-scenario').value,
  };
  const button = $('#find-routes');
  button.disabled = true;
  $('#routes-summary').textContent = 'Finding routes…';
  try {
    const data = await api(`/api/route?${query(params)}`);
    renderRoutes(data, params);
  } finally {
    button.disabled = false;
  }
}

/** Money paid per tonne: everything but the value of time. */
const paid = (t) => t.freight + t.tariff + t.border_fees + t.transfers + t.risk;
const withTime = (t) => paid(t) + t.time_cost;

function renderRoutes(data, params) {
  const routes = data.routes || [];
  $('#routes-summary').textContent = routes.length
    ? `${routes.length} route${routes.length === 1 ? '' : 's'} from ${data.from} to ${data.to}, ` +
      `${params.commodity}, scenario ${params.scenario}. Click a route to pick it out on the map.`
    : `No open route from ${data.from} to ${data.to} in scenario ${params.scenario}.`;
  if (!routes.length) showMessage(`No open route from ${data.from} to ${data.to}.`, 'info');
  const best = routes.length ? withTime(routes[0].total) : 0;
  $('#routes').replaceChildren(...routes.map((r, i) => routeItem(r, i, best)));
  drawRoutes(routes, params.scenario);
  renderStaircases(routes);
  state.lastRoutes = { data, params, routes };
  $('#routes-downloads').hidden = !routes.length;
}

const routesFile = (what) => {
  const { params } = state.lastRoutes;
  return fileSlug('karvan', 'routes', params.from, params.to, params.commodity, params.scenario, what);
};

const BREAKDOWN = [['km', 'km'], ['hours', 'hours'], ['freight', 'freight_usd_per_t'],
  ['tariff', 'levies_usd_per_t'], ['border_fees', 'border_fees_usd_per_t'], ['transfers', 'transfers_usd_per_t'],
  ['risk', 'risk_usd_per_t'], ['time_cost', 'time_usd_per_t']];

/** Every route's breakdown by country and its total, as the Routes tab shows them. */
function downloadBreakdown() {
  const rows = [['route', 'path', 'country', 'role', ...BREAKDOWN.map(([, name]) => name), 'total_usd_per_t']];
  state.lastRoutes.routes.forEach((r, i) => {
    const path = r.countries.map((c) => c.name).join(' > ');
    for (const c of r.countries) {
      rows.push([i + 1, path, c.name, c.kind || '', ...BREAKDOWN.map(([key]) => c.parts[key]), withTime(c.parts)]);
    }
    rows.push([i + 1, path, 'Total', '', ...BREAKDOWN.map(([key]) => r.total[key]), withTime(r.total)]);
  });
  downloadCsv(routesFile('breakdown'), rows);
}

/** The routes drawn on the map, as lines with their totals. */
function downloadRouteLines() {
  const features = state.lastRoutes.routes.map((r, i) => ({
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: r.geometry || [] },
    properties: {
      route: i + 1,
      countries: r.countries.map((c) => c.name).join(' > '),
      crossings: r.steps.filter((st) => st.kind === 'crossing').map((st) => st.name).join('; '),
      km: r.total.km,
      hours: r.total.hours,
      paid_usd_per_t: paid(r.total),
      with_time_usd_per_t: withTime(r.total),
    },
  }));
  downloadGeoJson(routesFile('lines'), { type: 'FeatureCollection', features });
}

function routeItem(r, i, best) {
  const colour = ROUTE_COLOURS[i % ROUTE_COLOURS.length];
  const t = r.total;
  const crossings = r.steps.filter((st) => st.kind === 'crossing').map((st) => st.name);
  const extra = withTime(t) - best;
  const li = h('li', { class: 'route', style: `--route-colour: ${colour}`, dataset: { index: i } },
    h('div', { class: 'route-head' },
      h('span', {}, `Route ${i + 1}`),
      h('span', { class: 'muted small' }, i === 0 ? 'cheapest' : `+${fmt2(extra)} USD/t`)),
    h('div', { class: 'route-path' }, r.countries.map((c) => c.name).join(' → ')),
    crossings.length ? h('div', { class: 'route-crossings' }, `Crossing ${crossings.join('; ')}`) : null,
    h('div', { class: 'totals' },
      total('Distance', `${fmt0(t.km)} km`),
      total('Time', `${fmt0(t.hours)} h`),
      total('Paid', `${fmt2(paid(t))} USD/t`),
      total('With time', `${fmt2(withTime(t))} USD/t`)),
    h('details', { open: i === 0 },
      h('summary', {}, 'Breakdown by country (USD per tonne)'),
      h('div', { class: 'table-wrap' }, breakdownTable(r))));
  li.addEventListener('click', (e) => {
    if (e.target.closest('details')) return; // opening the breakdown is not a selection
    highlightRoute(i);
  });
  return li;
}

const total = (label, value) => h('div', {}, h('span', {}, label), h('strong', {}, value));

function breakdownTable(r) {
  const cols = [['km', 'km', fmt0], ['hours', 'h', fmt1], ['freight', 'Freight', fmt2],
    ['tariff', 'Levies', fmt2], ['border_fees', 'Border', fmt2], ['transfers', 'Transf.', fmt2],
    ['risk', 'Risk', fmt2], ['time_cost', 'Time', fmt2]];
  const row = (label, kind, parts, tag = 'td') => h('tr', {},
    h(tag, {}, label, kind ? h('div', { class: 'muted small' }, kind) : null),
    cols.map(([key, , f]) => h('td', { class: 'num' }, f(parts[key]))),
    h('td', { class: 'num' }, h('strong', {}, fmt2(withTime(parts)))));
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Country'), cols.map(([, label]) => h('th', { class: 'num' }, label)),
      h('th', { class: 'num' }, 'Total'))),
    h('tbody', {}, r.countries.map((c) => row(c.name, c.kind, c.parts))),
    h('tfoot', {}, row('Total', null, r.total)));
}

function drawRoutes(routes, scenario) {
  state.routeLines = [];
  const group = L.featureGroup();
  routes.forEach((r, i) => {
    const colour = ROUTE_COLOURS[i % ROUTE_COLOURS.length];
    const latlngs = (r.geometry || []).map(([lon, lat]) => [lat, lon]);
    if (latlngs.length < 2) return;
    // A white casing keeps the route readable over the network lines.
    const casing = L.polyline(latlngs, { pane: 'routes', color: '#fff', weight: 9, opacity: 0.85, interactive: false });
    const line = L.polyline(latlngs, { pane: 'routes', color: colour, weight: 5, opacity: 0.95 });
    line.bindTooltip(`Route ${i + 1}: ${fmt0(r.total.km)} km, ${fmt2(withTime(r.total))} USD/t`, { sticky: true });
    line.on('click', () => highlightRoute(i));
    group.addLayer(casing).addLayer(line);
    state.routeLines.push({ colour, line, casing });
  });
  replaceOverlay('routes', group, scenario);
  setOverlay('routes');
  // Draw the cheapest route last, so it is on top.
  for (const r of [...state.routeLines].reverse()) { r.casing.bringToFront(); r.line.bringToFront(); }
  if (routes.length && group.getLayers().length) {
    state.map.fitBounds(group.getBounds(), { padding: [30, 30] });
  }
}

function highlightRoute(i) {
  state.routeLines.forEach((r, k) => {
    r.line.setStyle({ opacity: k === i ? 1 : 0.3, weight: k === i ? 6 : 4 });
    r.casing.setStyle({ opacity: k === i ? 0.9 : 0.3 });
  });
  const chosen = state.routeLines[i];
  if (chosen) { chosen.casing.bringToFront(); chosen.line.bringToFront(); }
  $$('#routes .route').forEach((li, k) => li.classList.toggle('active', k === i));
  if (activeOverlay() !== 'routes') setOverlay('routes');
}


registerLegend('routes', () => [h('h4', {}, 'Routes'),
  ...state.routeLines.map((r, i) => legendItem(lineSwatch(r.colour, 5), `Route ${i + 1}`))]);

function renderStaircases(routes) {
  const box = $('#staircase');
  if (!routes.length) { box.replaceChildren(); return; }
  const series = (key) => routes.map((r, i) => ({
    colour: ROUTE_COLOURS[i % ROUTE_COLOURS.length],
    points: (r.staircase || []).map((p) => ({
      x: p.km,
      y: p[key],
      mark: p.event.startsWith('crossing') || p.event.startsWith('transfer'),
      label: `${p.event} — ${p.place}: ${fmt0(p.km)} km, ${fmt2(p.cost_usd_per_t)} USD/t, ${fmt0(p.hours)} h`,
    })),
  }));
  const key = h('div', { class: 'chart-key' }, routes.map((r, i) =>
    h('span', {}, lineSwatch(ROUTE_COLOURS[i % ROUTE_COLOURS.length], 3), `Route ${i + 1}`)));
  box.replaceChildren(
    h('h3', {}, 'Cost and time against distance'),
    h('p', { class: 'hint' }, 'Steps are border crossings and transhipments (dots; hover for details).'),
    key,
    h('div', { class: 'chart-title' }, 'Cumulative cost with time (USD per tonne)'),
    h('div', { class: 'chart' }, lineChart({ series: series('cost_usd_per_t'), xLabel: 'km', yLabel: 'USD/t' })),
    h('div', { class: 'chart-title' }, 'Cumulative time (hours)'),
    h('div', { class: 'chart' }, lineChart({ series: series('hours'), xLabel: 'km', yLabel: 'hours' })));
}

/** Wires the Routes tab's controls. */
export function bindRoutes() {
  $('#route-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(findRoutes); });
  $('#route-alternatives').addEventListener('input', () => checkAlternatives(true));
  $('#route-alternatives').addEventListener('change', () => checkAlternatives());
  $('#routes-breakdown-csv').addEventListener('click', downloadBreakdown);
  $('#routes-geojson').addEventListener('click', downloadRouteLines);
}

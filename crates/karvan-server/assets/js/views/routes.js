// The Routes view: the cheapest routes between two places, what each country is paid, and
// the cost–distance staircase.

import { api, query } from '../api.js';
import { lineChart, lineSwatch } from '../charts.js';
import { ROUTE_COLOURS } from '../colours.js';
import { $, $$, h } from '../dom.js';
import { fmt0, fmt1, fmt2 } from '../format.js';
import { legendItem, registerLegend } from '../map/legend.js';
import { activeOverlay, replaceOverlay, setOverlay } from '../map/overlays.js';
import { attempt, showMessage } from '../messages.js';
import { state } from '../state.js';

export async function findRoutes() {
  const from = $('#route-from').value.trim();
  const to = $('#route-to').value.trim();
  if (!from || !to) throw new Error('Choose an origin and a destination.');
  const alternatives = Math.max(1, Math.min(10, Number($('#route-alternatives').value) || 3));
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
const paid = (t) => t.operating + t.tariff + t.border_fees + t.transfers + t.risk;
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
  drawRoutes(routes);
  renderStaircases(routes);
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
  const cols = [['km', 'km', fmt0], ['hours', 'h', fmt1], ['operating', 'Oper.', fmt2],
    ['tariff', 'Tariff', fmt2], ['border_fees', 'Border', fmt2], ['transfers', 'Transf.', fmt2],
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

function drawRoutes(routes) {
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
  replaceOverlay('routes', group);
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
}

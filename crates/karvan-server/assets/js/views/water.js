// The Water view: one year of the Amu Darya basin from `/api/water` — the schematic of the
// river on the map (nodes by kind, reaches as wide as the month's flow), a month slider, the
// year's regime, Qosh Tepa's and the Tajik canals' withdrawals, and the year's deliveries by
// country and flow at each gauge. Its layers are on the map only while the tab is open.

import { api, query } from '../api.js';
import { $, fill, h } from '../dom.js';
import { fmt0, fmtPct } from '../format.js';
import { attempt } from '../messages.js';
import { countryName, state } from '../state.js';
import { onTab } from '../tabs.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const KIND_COLOURS = {
  inflow: '#1e88e5',
  confluence: '#90a4ae',
  reservoir: '#00897b',
  withdrawal: '#e65100',
  gauge: '#6a1b9a',
  terminal: '#0d47a1',
};
const RIVER = '#2b7bba';
const HM3 = { min: 0, max: 100_000 };
// Widest line on the map, for the largest monthly flow of the year, in pixels.
const WIDEST = 14;

// What the tab shows: the server's answer, and the map layers drawn from it.
const shown = { data: null, key: null, layer: null, reaches: [], fitted: false };
// Each load gets a number; an answer to an older one is dropped.
let loads = 0;
let typing = null;

const month = () => Number($('#water-month').value) - 1;

/** A withdrawal input's value, or an error naming its range. */
function hm3(selector, field) {
  const text = $(selector).value.trim();
  const v = text === '' ? 0 : Number(text);
  if (!Number.isFinite(v) || v < HM3.min || v > HM3.max) {
    throw new Error(`${field} must be a number from 0 to 100,000 hm³ a year.`);
  }
  return v;
}

/** Asks the server for the year as the form sets it, and shows it. */
export async function loadWater() {
  const params = {
    regime: $('#water-regime').value,
    qosh_tepa_hm3: hm3('#water-qosh-tepa', 'Qosh Tepa'),
    tajik_hm3: hm3('#water-tajik', 'The Tajik canals'),
  };
  const key = query(params);
  if (key === shown.key) return;
  shown.key = key;
  const load = ++loads;
  $('#water-status').textContent = 'Balancing the river month by month…';
  try {
    const data = await api(`/api/water?${key}`);
    if (load !== loads) return;
    shown.data = data;
    $('#water-status').textContent = '';
    draw();
    render();
  } catch (e) {
    if (load === loads) {
      $('#water-status').textContent = '';
      shown.key = null;
    }
    throw e;
  }
}

/** The schematic: reaches under the nodes, both on the map only while the tab is open. */
function draw() {
  const { data } = shown;
  if (shown.layer) shown.layer.remove();
  const at = new Map(data.nodes.map((n) => [n.id, n]));
  const group = L.layerGroup();
  shown.reaches = data.reaches.map((r) => {
    const a = at.get(r.from);
    const b = at.get(r.to);
    const line = L.polyline([[a.lat, a.lon], [b.lat, b.lon]], {
      pane: 'flows', color: RIVER, opacity: 0.8, lineCap: 'round', weight: 2,
    });
    line.bindTooltip('', { sticky: true, className: 'net-tooltip' });
    group.addLayer(line);
    return { line, from: r.from, name: `${a.name} → ${b.name}` };
  });
  for (const n of data.nodes) {
    const marker = L.circleMarker([n.lat, n.lon], {
      pane: 'nodes', radius: n.kind === 'confluence' ? 3.5 : 6, color: '#fff', weight: 1.5,
      fillColor: KIND_COLOURS[n.kind] || '#555', fillOpacity: 1,
    });
    marker.bindTooltip(`${n.name} (${n.kind}, ${n.country})`, { className: 'net-tooltip' });
    group.addLayer(marker);
  }
  shown.layer = group;
  if (isOpen()) group.addTo(state.map);
  if (!shown.fitted && isOpen()) {
    shown.fitted = true;
    state.map.fitBounds(data.nodes.map((n) => [n.lat, n.lon]), { padding: [40, 40], maxZoom: 7 });
  }
}

/** The month's flows on the reaches, and the tables. */
function render() {
  const { data } = shown;
  if (!data) return;
  const m = month();
  $('#water-month-name').textContent = MONTHS[m];
  const max = Math.max(1, ...data.months.flatMap((mo) => Object.values(mo.outflow)));
  const flows = data.months[m].outflow;
  for (const r of shown.reaches) {
    const flow = flows[r.from] || 0;
    r.line.setStyle({ weight: Math.max(1.5, (WIDEST * flow) / max) });
    r.line.setTooltipContent(`${r.name}: ${fmt0(flow)} hm³ in ${MONTHS[m]}`);
  }
  const countries = Object.entries(data.year.by_country);
  fill($('#water-countries tbody'), ...countries.map(([iso3, c]) => h('tr', { 'data-country': iso3 },
    h('td', {}, countryName(iso3)),
    h('td', { class: 'num' }, fmt0(c.asked)),
    h('td', { class: 'num' }, fmt0(c.delivered)),
    h('td', { class: 'num' }, c.asked > 0 ? fmtPct(c.delivered / c.asked) : '–'))));
  // Gauges from upstream down, as the basin lists its nodes.
  const gauges = data.nodes.filter((n) => n.id in data.year.gauges);
  fill($('#water-gauges tbody'), ...gauges.map((n) => h('tr', { 'data-gauge': n.id },
    h('td', {}, n.name),
    h('td', { class: 'num' }, fmt0(flows[n.id])),
    h('td', { class: 'num' }, fmt0(data.year.gauges[n.id])))));
  const sea = data.nodes.find((n) => n.kind === 'terminal');
  $('#water-sea-month').textContent = sea ? fmt0(flows[sea.id]) : '–';
  $('#water-sea').textContent = fmt0(data.year.to_sea);
  $('#water-results').hidden = false;
  $('#water-results').dataset.regime = data.regime;
}

const isOpen = () => document.body.dataset.tab === 'water';

function showLayer(open) {
  if (!shown.layer) return;
  if (open) shown.layer.addTo(state.map);
  else shown.layer.remove();
}

export function bindWater() {
  fill($('#water-key'), ...Object.entries(KIND_COLOURS).map(([kind, colour]) => h('span', { style: `--dot: ${colour}` }, kind)));
  onTab((tab) => {
    const open = tab === 'water';
    showLayer(open);
    // The transport network fades under the river; leaving for the Map tab shows it as its overlay wants.
    if (open) $('#map').classList.add('dim-network');
    else if (tab === 'map') $('#map').classList.toggle('dim-network', ['flows', 'changes', 'critical'].includes(state.overlayShown));
    if (open && !shown.data) attempt(loadWater);
    else if (open && !shown.fitted && shown.data) {
      shown.fitted = true;
      state.map.fitBounds(shown.data.nodes.map((n) => [n.lat, n.lon]), { padding: [40, 40], maxZoom: 7 });
    }
  });
  $('#water-form').addEventListener('submit', (e) => e.preventDefault());
  $('#water-regime').addEventListener('change', () => attempt(loadWater));
  for (const id of ['#water-qosh-tepa', '#water-tajik']) {
    // Typing waits for a pause; leaving the field asks at once.
    $(id).addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => attempt(loadWater), 300);
    });
    $(id).addEventListener('change', () => {
      clearTimeout(typing);
      attempt(loadWater);
    });
  }
  $('#water-month').addEventListener('input', render);
}

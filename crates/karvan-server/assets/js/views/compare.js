// The Compare view: tonnage by corridor, revenue by country and the lines that change,
// between two scenarios.

import { api, query } from '../api.js';
import { textWidth } from '../charts.js';
import { COLOURS } from '../colours.js';
import { $, $$, h, s } from '../dom.js';
import { downloadGeoJson, fileSlug } from '../downloads.js';
import { changeClass, fmt2, fmtKt, fmtKtChange, fmtMusd, fmtPct, fmtSigned } from '../format.js';
import { showChanges } from '../map/overlays.js';
import { attempt } from '../messages.js';
import { state } from '../state.js';

export async function compare(a, b) {
  if (!a || !b) throw new Error('Choose two scenarios to compare.');
  const button = $('#compare-button');
  button.disabled = true;
  $('#compare-title').textContent = `Comparing ${a} with ${b}…`;
  try {
    const data = await api(`/api/compare?${query({ a, b })}`);
    renderComparison(data, a, b);
    showChanges(data.flow_changes, a, b);
  } finally {
    button.disabled = false;
  }
}

function renderComparison(data, a, b) {
  const c = data.comparison;
  $('#compare-results').hidden = false;
  for (const id of ['compare-corridors', 'compare-revenue', 'compare-elements']) {
    $(`#${id}`).dataset.file = fileSlug('karvan', 'compare', a, 'vs', b, id.slice(8));
  }
  state.lastComparison = { a, b, changes: data.flow_changes };
  $('#compare-title').textContent = `A = ${label(a, c.a)}, B = ${label(b, c.b)}. Route choice: ` +
    `${describeAssignment(data.assignment_a)} (A), ${describeAssignment(data.assignment_b)} (B).`;
  renderCorridorTable(c.corridors || []);
  renderRevenueTable(c.revenue || []);
  $('#revenue-chart').replaceChildren(revenueChart(c.revenue || []));
  renderElementTable(c.elements || []);
}

/** A scenario's name, with the name its results carry when that differs. */
const label = (name, reported) => (reported && reported !== name ? `${name} (${reported})` : name);

function describeAssignment(x) {
  if (!x) return '–';
  return `${x.method}, ${x.measure} ${x.convergence != null ? x.convergence.toExponential(1) : '–'}`;
}

/** Corridors whose tonnage changes first (largest change first), then the largest. */
function renderCorridorTable(rows) {
  const change = (r) => r.tonnes_b - r.tonnes_a;
  const size = (r) => Math.max(r.tonnes_a, r.tonnes_b);
  const sorted = [...rows].sort((x, y) =>
    (Math.abs(change(y)) - Math.abs(change(x))) || (size(y) - size(x)));
  // The changed corridors and the largest others; the rest behind a button.
  const shown = Math.max(8, sorted.filter((r) => Math.abs(change(r)) >= 50).length);
  $('#compare-corridors tbody').replaceChildren(...sorted.map((r, i) => {
    const d = change(r);
    return h('tr', { dataset: { corridor: r.corridor }, hidden: i >= shown },
      h('td', {}, d ? h('strong', {}, r.corridor) : r.corridor),
      h('td', { class: 'num' }, fmtKt(r.tonnes_a)),
      h('td', { class: 'num' }, fmtKt(r.tonnes_b)),
      h('td', { class: changeClass(d), dataset: { change: d } }, fmtKtChange(d)),
      h('td', { class: 'num' }, fmtPct(r.share_a)),
      h('td', { class: 'num' }, fmtPct(r.share_b)));
  }));
  const more = $('#corridors-more');
  more.hidden = sorted.length <= shown;
  more.textContent = `Show all ${sorted.length} corridors`;
}

export function showAllCorridors() {
  for (const tr of $$('#compare-corridors tbody tr')) tr.hidden = false;
  $('#corridors-more').hidden = true;
}

function renderRevenueTable(rows) {
  $('#compare-revenue tbody').replaceChildren(...rows.map((r) => {
    const change = r.levies_b - r.levies_a;
    const transit = r.transit_revenue_b - r.transit_revenue_a;
    // What carriers and terminals take on the country's territory: the market part.
    const market = r.market_b - r.market_a;
    return h('tr', { dataset: { country: r.country } },
      h('td', {}, r.name),
      h('td', { class: 'num' }, fmtMusd(r.levies_a)),
      h('td', { class: 'num' }, fmtMusd(r.levies_b)),
      h('td', { class: changeClass(change), dataset: { change } }, fmtSigned(change / 1e6, fmt2)),
      h('td', { class: changeClass(transit), dataset: { change: transit } }, fmtSigned(transit / 1e6, fmt2)),
      h('td', { class: changeClass(market), dataset: { change: market } }, fmtSigned(market / 1e6, fmt2)));
  }));
}

function renderElementTable(rows) {
  const top = rows.map((r) => ({ ...r, change: r.tonnes_b - r.tonnes_a }))
    .filter((r) => r.change)
    .sort((x, y) => Math.abs(y.change) - Math.abs(x.change))
    .slice(0, 12);
  const body = top.length ? top.map((r) => h('tr', {},
    h('td', {}, r.name),
    h('td', { class: 'num' }, fmtKt(r.tonnes_a)),
    h('td', { class: 'num' }, fmtKt(r.tonnes_b)),
    h('td', { class: changeClass(r.change) }, fmtKtChange(r.change))))
    : [h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No line or crossing carries a different tonnage.'))];
  $('#compare-elements tbody').replaceChildren(...body);
}

/** Horizontal bars of each country's revenue change, around a zero line. */
function revenueChart(rows) {
  const data = rows.map((r) => ({ name: r.name, change: (r.levies_b - r.levies_a) / 1e6 }));
  const width = 430;
  const rowH = 19;
  // Room for the longest name on the left and the longest value on the right.
  const m = {
    left: Math.ceil(Math.max(60, ...data.map((d) => textWidth(d.name, 11))) + 12),
    right: Math.ceil(Math.max(40, ...data.map((d) => textWidth(fmtSigned(d.change, fmt2), 11))) + 10),
    top: 22,
    bottom: 6,
  };
  const height = m.top + m.bottom + rowH * data.length;
  const maxAbs = Math.max(1e-9, ...data.map((d) => Math.abs(d.change)));
  const mid = m.left + (width - m.left - m.right) / 2;
  const half = (width - m.left - m.right) / 2;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Revenue change by country' });
  svg.append(s('text', { x: 0, y: 12, 'font-size': 11, 'font-weight': 600, fill: '#1d2733' },
    'Revenue change, B − A (million USD)'));
  data.forEach((d, i) => {
    const y = m.top + i * rowH;
    const w = (half * Math.abs(d.change)) / maxAbs;
    const colour = d.change > 0 ? COLOURS.more : COLOURS.less;
    svg.append(s('text', { x: m.left - 8, y: y + 13, 'text-anchor': 'end', 'font-size': 11, fill: '#1d2733' }, d.name));
    if (d.change) {
      svg.append(s('rect', { x: d.change > 0 ? mid : mid - w, y: y + 3, width: Math.max(w, 1), height: rowH - 6,
        fill: colour, rx: 2 }, s('title', {}, `${d.name}: ${fmtSigned(d.change, fmt2)} million USD`)));
    }
    svg.append(s('text', { x: width - 2, y: y + 13, 'text-anchor': 'end', 'font-size': 11,
      fill: d.change ? colour : '#5f6b7a' }, fmtSigned(d.change, fmt2)));
  });
  svg.append(s('line', { x1: mid, x2: mid, y1: m.top - 2, y2: height - m.bottom, stroke: '#5f6b7a' }));
  return svg;
}

/** Wires the Compare tab's controls. */
export function bindCompare() {
  $('#compare-changes-geojson').addEventListener('click', () => {
    const last = state.lastComparison;
    if (last) downloadGeoJson(fileSlug('karvan', 'compare', last.a, 'vs', last.b, 'flow-changes'), last.changes);
  });
  $('#corridors-more').addEventListener('click', showAllCorridors);
  $('#compare-form').addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(() => compare($('#compare-a').value, $('#compare-b').value));
  });
}

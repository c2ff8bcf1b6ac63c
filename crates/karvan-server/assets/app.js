// Karvan web page: a map of the network and six tabs (Map, Routes, Scenarios,
// Compare, Game, Resilience) over the JSON API of `karvan serve`. Plain ES2020, no build step, and only
// same-origin requests, so the page works offline.
'use strict';

/* ------------------------------------------------------------------------------------
 * Constants
 * ---------------------------------------------------------------------------------- */

const DEFAULT_BASE = 'central-asia-afghanistan';
const NAME_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const POLL_MS = 300;

// Rail is coloured by gauge because a gauge break is where cargo is transhipped.
const COLOURS = {
  rail: { 1520: '#6a1b9a', 1435: '#00897b', 1676: '#ef6c00', other: '#455a64' },
  road: '#8d7b68',
  sea: '#3d8fd1',
  closed: '#d32f2f',
  critical: '#b71c1c',
  more: '#1a9850',
  less: '#d73027',
  portRing: '#1565c0',
};
// Route colours stay clear of the network's (purple, teal and orange rail, brown road).
const ROUTE_COLOURS = ['#e91e63', '#1e88e5', '#43a047', '#212121', '#00bcd4',
  '#ffb300', '#795548', '#3949ab', '#c0ca33', '#546e7a'];
const COMMODITY_COLOURS = ['#1f77b4', '#8c564b', '#d62728', '#e6a700', '#2ca02c',
  '#9467bd', '#17becf', '#7f7f7f'];
// Risk index 0 (safe) … 1 (worst): green, amber, red.
const RISK_STOPS = [[0, [46, 125, 50]], [0.3, [249, 168, 37]], [0.6, [198, 40, 40]], [1, [120, 20, 20]]];

/* ------------------------------------------------------------------------------------
 * State
 * ---------------------------------------------------------------------------------- */

const state = {
  map: null,
  legend: null,
  popup: null,
  mapScenario: 'base',
  places: [],
  placeById: new Map(),
  commodities: [],
  countries: [],
  scenarios: [],
  network: null,          // the GeoJSON of the map scenario
  crossings: [],          // [{id, name, mode}] for the closure list
  projects: new Map(),    // project id -> {links, status}
  layers: { links: null, points: null },
  crossingLayers: new Map(), // crossing id -> circle marker, restyled when closures change
  overlays: { flows: null, changes: null, routes: null, critical: null },
  overlayInfo: {},        // what the legend says about each overlay
  routeLines: [],
  editor: null,           // the scenario being edited, see blankEditor()
  lastRun: null,
  running: false,
  playing: false,         // a game is being solved
  countryPairs: [],       // [{key: 'AFG-PAK', label, crossings: [ids]}] of the map's network
  risk: { closures: new Map() }, // what the Resilience tab closes: key -> {key, label, ids}
  analysing: false,       // a resilience analysis is running
};

/* ------------------------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------------------- */

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Properties rather than attributes for these, so the live state of a control is set.
const DOM_PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'open']);

/** Builds an HTML element: h('td', {class: 'num'}, '12'). Text is never parsed as HTML. */
function h(tag, props, ...children) {
  const e = document.createElement(tag);
  setProps(e, props);
  appendAll(e, children);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Builds an SVG element. */
function s(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v != null) e.setAttribute(k, v);
  }
  appendAll(e, children);
  return e;
}

function setProps(e, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'style') e.style.cssText = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (DOM_PROPS.has(k)) e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
}

/** Replaces an element's children; null and false children are left out. */
function fill(e, ...children) {
  e.replaceChildren();
  appendAll(e, children);
}

function appendAll(e, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
}

const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const nf3 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });

/** n, or 0 when it rounds to zero at that many digits (so no "-0" is shown). */
const unsignedZero = (n, digits) => (Math.abs(n) < 0.5 * 10 ** -digits ? 0 : n);
const fmt0 = (n) => (n == null ? '–' : nf0.format(unsignedZero(n, 0)));
const fmt1 = (n) => (n == null ? '–' : nf1.format(unsignedZero(n, 1)));
const fmt2 = (n) => (n == null ? '–' : nf2.format(unsignedZero(n, 2)));
const fmt3 = (n) => (n == null ? '–' : nf3.format(unsignedZero(n, 3)));
const fmtPct = (share) => (share == null ? '–' : `${nf1.format(share * 100)} %`);
const fmtMusd = (usd) => fmt2(usd / 1e6);
const fmtKt = (t) => (t == null ? '–' : fmt0(t / 1000));
/** A change in thousand tonnes, with a decimal when it is small. */
const fmtKtChange = (t) => (Math.abs(t) < 50 ? '0' : fmtSigned(t / 1000, Math.abs(t) < 10_000 ? fmt1 : fmt0));

/** A signed number with a real minus sign; zero has no sign. */
function fmtSigned(n, format = fmt0) {
  const text = format(Math.abs(n));
  if (text === format(0)) return text;
  return (n > 0 ? '+' : '−') + text;
}

const changeClass = (n) => (n > 0 ? 'num up' : n < 0 ? 'num down' : 'num');

/** "Containerised / general cargo (…)" → "Containerised / general cargo". */
const shortName = (name) => name.replace(/\s*\(.*\)\s*$/, '');

/** Text with its URLs as links (sources cite public references). */
function linkified(text) {
  const out = [];
  let last = 0;
  const re = /https?:\/\/[^\s,;)\]]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(text.slice(last, m.index));
    out.push(h('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer' }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

const placeName = (id) => (state.placeById.get(id) || {}).name || id;

/* ------------------------------------------------------------------------------------
 * Messages and the API
 * ---------------------------------------------------------------------------------- */

let messageTimer = null;

/** Shows a message; errors stay until dismissed, other messages fade after a while. */
function showMessage(text, kind = 'error') {
  const box = $('#message');
  box.className = `message ${kind}`;
  $('.message-text', box).textContent = text;
  box.hidden = false;
  clearTimeout(messageTimer);
  if (kind !== 'error') messageTimer = setTimeout(hideMessage, 6000);
}

function hideMessage() {
  $('#message').hidden = true;
}

/** Calls the API; a non-2xx answer throws an Error carrying the server's message. */
async function api(path, options = {}) {
  let res;
  try {
    res = await fetch(path, options);
  } catch (e) {
    throw new Error(`Cannot reach the Karvan server (${e.message}).`);
  }
  const text = await res.text();
  let body = null;
  if (text) {
    try { body = JSON.parse(text); } catch { body = null; }
  }
  if (!res.ok) {
    const why = body && body.error ? body.error : `${res.status} ${res.statusText}`;
    throw new Error(why);
  }
  return body;
}

/** A query string from an object, leaving out empty values. */
function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v != null && v !== '');
  return new URLSearchParams(entries).toString();
}

/** Runs an action and shows its error, so no handler fails silently. */
async function attempt(action) {
  try {
    return await action();
  } catch (e) {
    showMessage(e.message || String(e), 'error');
    return undefined;
  }
}

/* ------------------------------------------------------------------------------------
 * Map
 * ---------------------------------------------------------------------------------- */

function initMap() {
  const map = L.map('map', { zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 3, maxZoom: 12 });
  map.setView([36, 66], 5);
  // Panes keep the drawing order fixed whatever is added when: countries below the
  // network (overlayPane), overlays above it, places and crossings on top to click.
  addPane(map, 'basemap', 250);
  addPane(map, 'flows', 420);
  addPane(map, 'routes', 440);
  addPane(map, 'nodes', 460);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.attributionControl.addAttribution('Boundaries: Natural Earth');
  L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
  state.legend = L.control({ position: 'bottomleft' });
  state.legend.onAdd = () => {
    const div = L.DomUtil.create('div', 'legend');
    div.addEventListener('click', (e) => {
      if (e.target.closest('.legend-toggle')) div.classList.toggle('collapsed');
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  state.legend.addTo(map);
  // The map's box changes when the message area opens or closes.
  new ResizeObserver(() => map.invalidateSize()).observe($('#map'));
  state.map = map;
}

function addPane(map, name, zIndex) {
  map.createPane(name).style.zIndex = zIndex;
}

function drawBasemap(geojson) {
  L.geoJSON(geojson, {
    pane: 'basemap',
    interactive: false,
    style: (f) => ({
      color: '#9aa0a6',
      weight: 0.8,
      fillColor: f.properties.focus ? '#fbfaf5' : '#eeeee8',
      fillOpacity: 1,
    }),
  }).addTo(state.map);
}

/** Loads and draws the network of a scenario; the view is kept unless `fit`. */
async function loadNetwork(scenario, fit = false) {
  const fc = await api(`/api/network?${query({ scenario })}`);
  state.mapScenario = scenario;
  state.network = fc;
  $('#map-scenario').value = scenario;
  drawNetwork(fc);
  collectCrossingsAndProjects(fc);
  collectCountryPairs(fc);
  renderNetworkStats(fc);
  $('#attribution').textContent = fc.attribution ? `Data: ${fc.attribution}` : '';
  if (fit && state.layers.links) {
    state.map.fitBounds(state.layers.links.getBounds(), { padding: [20, 20] });
  }
}

function drawNetwork(fc) {
  for (const layer of Object.values(state.layers)) if (layer) layer.remove();
  state.crossingLayers.clear();
  const links = fc.features.filter((f) => f.properties.element === 'link');
  const nodes = fc.features.filter((f) => f.properties.element === 'node');
  // Road crossings first, so a rail crossing at the same border post sits on top of it.
  const crossings = fc.features
    .filter((f) => f.properties.element === 'crossing')
    .sort((a, b) => (a.properties.mode === 'road' ? 0 : 1) - (b.properties.mode === 'road' ? 0 : 1));

  state.layers.links = L.geoJSON({ type: 'FeatureCollection', features: links }, {
    style: (f) => linkStyle(f.properties),
    onEachFeature: bindNetworkFeature,
  }).addTo(state.map);

  state.layers.points = L.geoJSON({ type: 'FeatureCollection', features: [...nodes, ...crossings] }, {
    pointToLayer: (f, latlng) => {
      const marker = L.circleMarker(latlng, { pane: 'nodes', ...pointStyle(f.properties) });
      if (f.properties.element === 'crossing') state.crossingLayers.set(f.properties.id, marker);
      return marker;
    },
    onEachFeature: bindNetworkFeature,
  }).addTo(state.map);
  renderLegend();
}

function isOpen(p) {
  return p.open !== false;
}

/**
 * Closed: while a scenario is being edited, as its closures say; otherwise as the map's
 * scenario says (the element exists but is not open).
 */
function isClosed(p) {
  if (editingOnMap()) return state.editor.closures.has(p.id);
  // The Resilience tab shows what it is about to close on top of the map scenario's state.
  if (currentTab() === 'resilience' && riskClosedIds().has(p.id)) return true;
  return p.status === 'existing' && !isOpen(p);
}

function linkStyle(p) {
  const style = { weight: 1.6, opacity: 0.9, lineCap: 'round', className: 'net-link', dashArray: null };
  if (p.mode === 'rail') {
    style.color = COLOURS.rail[p.gauge_mm] || COLOURS.rail.other;
    style.weight = 2.6;
  } else if (p.mode === 'sea') {
    style.color = COLOURS.sea;
    style.weight = 1.6;
    style.dashArray = '6 5';
  } else {
    style.color = COLOURS.road;
  }
  // Projects (not yet existing) are dashed; what is not open in this scenario is faded.
  if (p.status !== 'existing') style.dashArray = '5 5';
  if (!isOpen(p)) style.opacity = 0.45;
  if (isClosed(p)) {
    style.color = COLOURS.closed;
    style.dashArray = '3 4';
    style.opacity = 0.9;
  }
  return style;
}

function pointStyle(p) {
  if (p.element === 'crossing') return crossingStyle(p);
  const port = p.kind === 'port' || p.kind === 'dry_port';
  let radius = 3;
  if (p.is_zone) radius = 5;
  else if (port) radius = 4.5;
  else if (p.kind === 'border_post' || p.kind === 'junction') radius = 2.2;
  return {
    radius,
    color: port ? COLOURS.portRing : '#263238',
    weight: p.is_zone || port ? 1.6 : 0.8,
    fillColor: riskColour(p.risk),
    fillOpacity: 0.95,
    className: 'net-node',
  };
}

function crossingStyle(p) {
  const closed = isClosed(p);
  const built = p.status === 'existing';
  let fill = p.mode === 'rail' ? '#ffffff' : '#ffd54f';
  if (!built) fill = '#eceff1';
  if (closed) fill = COLOURS.closed;
  return {
    radius: p.mode === 'rail' ? 4 : 7,
    color: closed ? '#7f0000' : '#263238',
    weight: 1.4,
    dashArray: built ? null : '2 2',
    fillColor: fill,
    fillOpacity: built || closed ? 1 : 0.7,
    className: 'net-crossing',
  };
}

function riskColour(risk) {
  const r = Math.max(0, Math.min(1, Number(risk) || 0));
  for (let i = 1; i < RISK_STOPS.length; i++) {
    const [x1, c1] = RISK_STOPS[i];
    if (r <= x1) {
      const [x0, c0] = RISK_STOPS[i - 1];
      const t = (r - x0) / (x1 - x0);
      const c = c0.map((v, k) => Math.round(v + t * (c1[k] - v)));
      return `rgb(${c.join(',')})`;
    }
  }
  return 'rgb(120,20,20)';
}

/** Restyles the crossings, after the closures being edited change. */
function restyleClosures() {
  if (state.layers.links) state.layers.links.setStyle((f) => linkStyle(f.properties));
  for (const marker of state.crossingLayers.values()) {
    marker.setStyle(crossingStyle(marker.feature.properties));
  }
}

function bindNetworkFeature(feature, layer) {
  const p = feature.properties;
  layer.bindTooltip(p.name, { sticky: true, direction: 'top', className: 'net-tooltip' });
  layer.on('click', (e) => {
    // While a scenario is being edited, a click on a crossing opens or closes it.
    if (p.element === 'crossing' && editingOnMap()) {
      toggleClosure(p.id);
      return;
    }
    // In the Resilience tab a click on a line or crossing adds it to the closure, or removes it.
    if ((p.element === 'crossing' || p.element === 'link') && currentTab() === 'resilience') {
      toggleRiskElement(p);
      return;
    }
    openPopup(e.latlng, networkPopup(p));
  });
}

/** Pixels to keep clear on the left of the map, where the legend is. */
function legendClearance() {
  const legend = state.legend.getContainer();
  return legend.classList.contains('collapsed') ? 30 : legend.offsetWidth + 30;
}

function openPopup(latlng, content) {
  // Keep the popup clear of the legend in the bottom-left corner.
  const left = legendClearance();
  state.popup = L.popup({ maxWidth: 380, minWidth: 240, autoPanPaddingTopLeft: [left, 30], autoPanPaddingBottomRight: [30, 30] })
    .setLatLng(latlng)
    .setContent(content)
    .openOn(state.map);
}

/** The attributes of a network element, its source, and what can be done with it. */
function networkPopup(p) {
  const rows = popupRows(p);
  const box = h('div', { class: 'popup' },
    h('h3', {}, p.name),
    attributeTable(rows),
    p.source ? h('div', { class: 'source' }, h('strong', {}, 'Source: '), linkified(p.source)) : null,
    p.length_source && p.length_source !== p.source
      ? h('div', { class: 'source' }, h('strong', {}, 'Length: '), linkified(p.length_source)) : null);
  const buttons = h('div', { class: 'buttons' });
  const users = h('div', { class: 'users' });
  if (p.element === 'link' || p.element === 'crossing') {
    buttons.append(h('button', {
      type: 'button', class: 'small primary',
      onclick: () => attempt(() => whoUses(p, users)),
    }, 'Who uses it?'));
  }
  if (p.element === 'crossing' && state.editor) {
    const closed = state.editor.closures.has(p.id);
    buttons.append(h('button', {
      type: 'button', class: 'small',
      onclick: () => { toggleClosure(p.id); state.map.closePopup(); },
    }, closed ? 'Reopen in the scenario being edited' : 'Close in the scenario being edited'));
  }
  if (buttons.childElementCount) box.append(buttons, users);
  return box;
}

function popupRows(p) {
  const yes = (b) => (b ? 'yes' : 'no');
  switch (p.element) {
    case 'node':
      return [['Country', p.country], ['Province', p.province], ['Kind', p.kind],
        ['Demand zone', yes(p.is_zone)], ['Risk index', p.risk], ['Id', p.id]];
    case 'link':
      return [['Mode', p.mode], ['Gauge', p.gauge_mm ? `${p.gauge_mm} mm` : null],
        ['Status', p.status], ['Opens', p.opens_year], ['Project', p.project],
        ['Open in scenario', yes(isOpen(p))], ['Length', `${fmt1(p.length_km)} km`],
        ['Capacity', p.capacity_t_per_year ? `${fmt0(p.capacity_t_per_year)} t/year` : 'unlimited'],
        ['Id', p.id]];
    case 'crossing':
      return [['Mode', p.mode], ['Between', `${placeName(p.from)} – ${placeName(p.to)}`],
        ['Status', p.status], ['Open in scenario', yes(isOpen(p))],
        ['Dwell', `${fmt1(p.dwell_hours)} h`], ['Border fee', `${fmt2(p.fee_usd_per_t)} USD/t`],
        ['Capacity', p.capacity_t_per_day ? `${fmt0(p.capacity_t_per_day)} t/day` : 'unlimited'],
        ['Id', p.id]];
    default:
      return [];
  }
}

function attributeTable(rows) {
  const kept = rows.filter(([, v]) => v != null && v !== '');
  return h('table', {}, kept.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))));
}

/** Which origin–destination flows use a link or crossing: in the popup and the Map tab. */
async function whoUses(p, box) {
  box.replaceChildren(h('p', { class: 'muted' }, 'Routing the demand…'));
  const data = await api(`/api/select-link?${query({ id: p.id, scenario: state.mapScenario })}`);
  const users = [...data.users].sort((a, b) => b.tonnes_on_element - a.tonnes_on_element);
  const total = users.reduce((sum, u) => sum + u.tonnes_on_element, 0);
  const head = `${users.length} flow${users.length === 1 ? '' : 's'}, ${fmt0(total)} t/year`;
  fill(box, h('p', {}, h('strong', {}, head)), usersTable(users.slice(0, 8)),
    users.length > 8 ? h('p', { class: 'muted small' }, `… and ${users.length - 8} more in the Map tab.`) : null);
  // The popup grew: let Leaflet lay it out again.
  if (state.popup && state.popup.isOpen()) state.popup.update();
  const panel = $('#selection');
  panel.replaceChildren(
    h('h3', {}, `Who uses ${p.name}?`),
    h('p', { class: 'muted small' }, `Scenario ${state.mapScenario}: ${head}.`),
    h('div', { class: 'table-wrap' }, usersTable(users)));
  panel.hidden = false;
}

function usersTable(users) {
  if (!users.length) return h('p', { class: 'muted' }, 'No flow is routed over it.');
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', {}, 'From → to'), h('th', {}, 'Commodity'),
      h('th', { class: 'num' }, 'Tonnes'))),
    h('tbody', {}, users.map((u) => h('tr', {},
      h('td', {}, `${placeName(u.origin)} → ${placeName(u.destination)}`),
      h('td', {}, u.commodity),
      h('td', { class: 'num', title: `of ${fmt0(u.od_tonnes)} t of this flow` }, fmt0(u.tonnes_on_element))))));
}

function collectCrossingsAndProjects(fc) {
  state.crossings = fc.features
    .filter((f) => f.properties.element === 'crossing')
    .map((f) => ({ id: f.properties.id, name: f.properties.name, mode: f.properties.mode }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const projects = new Map();
  for (const f of fc.features) {
    const p = f.properties;
    if (p.element !== 'link' || !p.project) continue;
    const entry = projects.get(p.project) || { links: 0, status: p.status, opens: p.opens_year };
    entry.links += 1;
    projects.set(p.project, entry);
  }
  state.projects = new Map([...projects].sort(([a], [b]) => a.localeCompare(b)));
}

function renderNetworkStats(fc) {
  const count = (pred) => fc.features.filter(pred).length;
  const isLink = (f) => f.properties.element === 'link';
  const isCrossing = (f) => f.properties.element === 'crossing';
  const stats = [
    ['Lines open', `${count((f) => isLink(f) && isOpen(f.properties))}/${count(isLink)}`],
    ['Crossings open', `${count((f) => isCrossing(f) && isOpen(f.properties))}/${count(isCrossing)}`],
    ['Places', count((f) => f.properties.element === 'node')],
    ['Demand zones', count((f) => f.properties.is_zone)],
  ];
  $('#network-stats').replaceChildren(...stats.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

/* ------------------------------------------------------------------------------------
 * Legend
 * ---------------------------------------------------------------------------------- */

function lineSwatch(colour, weight = 3, dash = null, opacity = 1) {
  return s('svg', { width: 30, height: 12, viewBox: '0 0 30 12' },
    s('line', { x1: 2, y1: 6, x2: 28, y2: 6, stroke: colour, 'stroke-width': weight,
      'stroke-dasharray': dash, 'stroke-opacity': opacity, 'stroke-linecap': 'round' }));
}

function dotSwatch(fill, stroke = '#263238', r = 5, strokeWidth = 1.2) {
  return s('svg', { width: 30, height: 14, viewBox: '0 0 30 14' },
    s('circle', { cx: 15, cy: 7, r, fill, stroke, 'stroke-width': strokeWidth }));
}

const legendItem = (swatch, text) => h('div', { class: 'item' }, swatch, h('span', {}, text));

function renderLegend() {
  const div = state.legend && state.legend.getContainer();
  if (!div) return;
  const active = activeOverlay();
  const parts = [h('button', { type: 'button', class: 'legend-toggle', title: 'Show or hide the legend' }, 'Legend')];
  if (active === 'flows') parts.push(...flowsLegend());
  else if (active === 'changes') parts.push(...changesLegend());
  else if (active === 'routes') parts.push(...routesLegend());
  else if (active === 'critical') parts.push(...criticalLegend());
  parts.push(
    h('h4', {}, 'Network'),
    legendItem(lineSwatch(COLOURS.rail[1520]), 'Rail 1520 mm'),
    legendItem(lineSwatch(COLOURS.rail[1435]), 'Rail 1435 mm'),
    legendItem(lineSwatch(COLOURS.rail[1676]), 'Rail 1676 mm'),
    legendItem(lineSwatch(COLOURS.road, 2), 'Road'),
    legendItem(lineSwatch(COLOURS.sea, 2, '6 5'), 'Sea'),
    legendItem(lineSwatch('#607d8b', 2.5, '5 5', 0.6), 'Project / not open'),
    legendItem(lineSwatch(COLOURS.closed, 2.5, '3 4'), 'Closed'),
    h('h4', {}, 'Border crossings'),
    legendItem(dotSwatch('#ffd54f', '#263238', 6), 'Road'),
    legendItem(dotSwatch('#ffffff', '#263238', 4), 'Rail'),
    legendItem(dotSwatch(COLOURS.closed, '#7f0000', 6), 'Closed'),
    h('h4', {}, 'Places, by security risk'),
    legendItem(dotSwatch(riskColour(0)), 'Low (0)'),
    legendItem(dotSwatch(riskColour(0.3)), 'Medium (0.3)'),
    legendItem(dotSwatch(riskColour(0.7)), 'High (0.6+)'),
    legendItem(dotSwatch('#ffffff', COLOURS.portRing, 4.5, 1.8), 'Port / dry port'));
  div.replaceChildren(...parts);
}

function flowsLegend() {
  const info = state.overlayInfo.flows || {};
  return [h('h4', {}, `Flows: ${info.scenario || ''}`),
    ...state.commodities.map((c) => legendItem(lineSwatch(commodityColour(c.id), 5), `Mostly ${c.id}`)),
    h('div', { class: 'muted' }, `Width ∝ tonnes; widest ${fmt0(info.max)} t/year`)];
}

function changesLegend() {
  const info = state.overlayInfo.changes || {};
  return [h('h4', {}, `Change ${info.a} → ${info.b}`),
    legendItem(lineSwatch(COLOURS.more, 5), 'More tonnes'),
    legendItem(lineSwatch(COLOURS.less, 5), 'Fewer tonnes'),
    h('div', { class: 'muted' }, `Width ∝ change; largest ${fmt0(info.max)} t/year`)];
}

function routesLegend() {
  return [h('h4', {}, 'Routes'),
    ...state.routeLines.map((r, i) => legendItem(lineSwatch(r.colour, 5), `Route ${i + 1}`))];
}

/* ------------------------------------------------------------------------------------
 * Overlays: run flows, comparison changes, routes (one at a time, for legibility)
 * ---------------------------------------------------------------------------------- */

function setOverlay(kind) {
  for (const [name, layer] of Object.entries(state.overlays)) {
    if (!layer) continue;
    if (name === kind) layer.addTo(state.map);
    else layer.remove();
  }
  for (const radio of $$('input[name="overlay"]')) {
    radio.disabled = radio.value !== 'none' && !state.overlays[radio.value];
    radio.checked = radio.value === (state.overlays[kind] ? kind : 'none');
  }
  $('#map').classList.toggle('dim-network', kind === 'flows' || kind === 'changes' || kind === 'critical');
  renderLegend();
}

function activeOverlay() {
  const checked = $('input[name="overlay"]:checked');
  return checked ? checked.value : 'none';
}

function replaceOverlay(kind, layer) {
  if (state.overlays[kind]) state.overlays[kind].remove();
  state.overlays[kind] = layer;
}

function commodityColour(id) {
  const i = state.commodities.findIndex((c) => c.id === id);
  return COMMODITY_COLOURS[(i < 0 ? 0 : i) % COMMODITY_COLOURS.length];
}

/** The commodity with the most tonnes on a feature (properties t_<commodity>). */
function dominantCommodity(p) {
  let best = null;
  for (const c of state.commodities) {
    const t = p[`t_${c.id}`] || 0;
    if (!best || t > best.t) best = { id: c.id, t };
  }
  return best ? best.id : null;
}

/** Line width in pixels, proportional to the value, with a floor to stay visible. */
const widthFor = (value, max) => Math.max(1.2, (16 * value) / (max || 1));

function showFlows(fc, scenario) {
  const features = fc.features.filter((f) => f.properties.tonnes > 0)
    .sort((a, b) => b.properties.tonnes - a.properties.tonnes); // thin lines on top
  const max = Math.max(0, ...features.map((f) => f.properties.tonnes));
  const layer = L.geoJSON({ type: 'FeatureCollection', features }, {
    pane: 'flows',
    style: (f) => ({
      color: commodityColour(dominantCommodity(f.properties)),
      weight: widthFor(f.properties.tonnes, max),
      opacity: 0.85,
      lineCap: 'butt',
    }),
    onEachFeature: (f, l) => {
      l.bindTooltip(`${f.properties.name}: ${fmt0(f.properties.tonnes)} t`, { sticky: true, className: 'net-tooltip' });
      l.on('click', (e) => openPopup(e.latlng, flowPopup(f.properties)));
    },
  });
  state.overlayInfo.flows = { scenario, max };
  replaceOverlay('flows', layer);
  setOverlay('flows');
}

function flowPopup(p) {
  const rows = state.commodities.map((c) => [c.id, `${fmt0(p[`t_${c.id}`] || 0)} t`]);
  const box = h('div', { class: 'popup' }, h('h3', {}, p.name),
    attributeTable([['Total', `${fmt0(p.tonnes)} t/year`], ...rows]),
    p.source ? h('div', { class: 'source' }, h('strong', {}, 'Source: '), linkified(p.source)) : null);
  const users = h('div', { class: 'users' });
  box.append(h('div', { class: 'buttons' }, h('button', {
    type: 'button', class: 'small primary', onclick: () => attempt(() => whoUses(p, users)),
  }, 'Who uses it?')), users);
  return box;
}

function showChanges(fc, a, b) {
  const features = (fc && fc.features ? fc.features : []).filter((f) => f.properties.change)
    .sort((x, y) => Math.abs(y.properties.change) - Math.abs(x.properties.change));
  const max = Math.max(0, ...features.map((f) => Math.abs(f.properties.change)));
  const layer = L.geoJSON({ type: 'FeatureCollection', features }, {
    pane: 'flows',
    style: (f) => ({
      color: f.properties.change > 0 ? COLOURS.more : COLOURS.less,
      weight: widthFor(Math.abs(f.properties.change), max),
      opacity: 0.85,
      lineCap: 'butt',
    }),
    onEachFeature: (f, l) => {
      const p = f.properties;
      l.bindTooltip(`${p.name}: ${fmtSigned(p.change)} t`, { sticky: true, className: 'net-tooltip' });
      l.on('click', (e) => openPopup(e.latlng, h('div', { class: 'popup' }, h('h3', {}, p.name),
        attributeTable([[`A (${a})`, `${fmt0(p.tonnes_a)} t`], [`B (${b})`, `${fmt0(p.tonnes_b)} t`],
          ['Change', `${fmtSigned(p.change)} t`]]))));
    },
  });
  state.overlayInfo.changes = { a, b, max };
  replaceOverlay('changes', layer);
  setOverlay('changes');
  // Show where the changes are; a change confined to one border is worth zooming to.
  if (features.length) state.map.fitBounds(layer.getBounds(), { padding: [80, 80], maxZoom: 5.5 });
}

/* ------------------------------------------------------------------------------------
 * Tabs
 * ---------------------------------------------------------------------------------- */

function showTab(name) {
  for (const tab of $$('.tabs [role="tab"]')) {
    tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  }
  for (const panel of $$('.tab-panel')) panel.hidden = panel.id !== `panel-${name}`;
  document.body.dataset.tab = name; // the Game tab widens the panel for its tables
  restyleClosures();
}

const currentTab = () => ($('.tabs [aria-selected="true"]') || {}).dataset.tab;

/* ------------------------------------------------------------------------------------
 * Pickers
 * ---------------------------------------------------------------------------------- */

function fillPlaces(places) {
  // Demand zones first: they are where freight starts and ends.
  const sorted = [...places].sort((a, b) => (b.is_zone - a.is_zone) || a.name.localeCompare(b.name));
  $('#places-list').replaceChildren(...sorted.map((p) =>
    h('option', { value: p.name, label: `${p.country} · ${p.is_zone ? 'zone' : p.kind.replace('_', ' ')}` })));
}

function fillCommodities(commodities) {
  $('#route-commodity').replaceChildren(...commodities.map((c) =>
    h('option', { value: c.id, title: c.name }, `${c.id} — ${shortName(c.name)}`)));
}

/** Fills every scenario picker, keeping each one's choice when it still exists. */
function fillScenarioPickers() {
  const names = state.scenarios.map((sc) => sc.name);
  for (const sel of $$('#map-scenario, #route-scenario, #compare-a, #compare-b, #game-scenario, #risk-scenario, #resilience-scenario')) {
    const keep = sel.value;
    sel.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
    if (names.includes(keep)) sel.value = keep;
  }
  if (!$('#map-scenario').value) $('#map-scenario').value = state.mapScenario;
  if (!$('#compare-b').value || $('#compare-b').value === 'base') {
    $('#compare-b').value = names.find((n) => n !== 'base') || 'base';
  }
}

/* ------------------------------------------------------------------------------------
 * Routes
 * ---------------------------------------------------------------------------------- */

async function findRoutes() {
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

/* ------------------------------------------------------------------------------------
 * Charts (inline SVG)
 * ---------------------------------------------------------------------------------- */

/** Round tick values from 0 to at least max: steps of 1, 2 or 5 times a power of ten. */
function niceTicks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((v) => v >= raw);
  const ticks = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * A line chart: series = [{colour, points: [{x, y, mark, label}]}]. Marked points
 * (border crossings) get a dot whose tooltip names the event.
 */
function lineChart({ series, xLabel, yLabel, width = 430, height = 220 }) {
  const m = { left: 48, right: 12, top: 10, bottom: 34 };
  const all = series.flatMap((sr) => sr.points);
  const xTicks = niceTicks(Math.max(0, ...all.map((p) => p.x)));
  const yTicks = niceTicks(Math.max(0, ...all.map((p) => p.y)));
  const xMax = xTicks[xTicks.length - 1];
  const yMax = yTicks[yTicks.length - 1];
  const X = (v) => m.left + ((width - m.left - m.right) * v) / xMax;
  const Y = (v) => height - m.bottom - ((height - m.top - m.bottom) * v) / yMax;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${yLabel} against ${xLabel}` });
  const grid = s('g', { class: 'grid' });
  const axis = s('g', { class: 'axis' });
  for (const v of yTicks) {
    grid.append(s('line', { x1: m.left, x2: width - m.right, y1: Y(v), y2: Y(v) }));
    axis.append(s('text', { x: m.left - 5, y: Y(v) + 3, 'text-anchor': 'end' }, fmt0(v)));
  }
  for (const v of xTicks) {
    axis.append(s('line', { x1: X(v), x2: X(v), y1: height - m.bottom, y2: height - m.bottom + 4 }));
    axis.append(s('text', { x: X(v), y: height - m.bottom + 15, 'text-anchor': 'middle' }, fmt0(v)));
  }
  axis.append(s('line', { x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
  axis.append(s('line', { x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom }));
  axis.append(s('text', { x: (m.left + width - m.right) / 2, y: height - 4, 'text-anchor': 'middle' }, xLabel));
  axis.append(s('text', { x: 11, y: (m.top + height - m.bottom) / 2, 'text-anchor': 'middle',
    transform: `rotate(-90 11 ${(m.top + height - m.bottom) / 2})` }, yLabel));
  svg.append(grid, axis);
  // Drawn last to first so the first series (the cheapest route) is on top.
  for (const sr of [...series].reverse()) {
    const d = sr.points.map((p, i) => `${i ? 'L' : 'M'}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join('');
    svg.append(s('path', { d, fill: 'none', stroke: sr.colour, 'stroke-width': 2, 'stroke-linejoin': 'round' }));
    for (const p of sr.points.filter((q) => q.mark)) {
      svg.append(s('circle', { cx: X(p.x), cy: Y(p.y), r: 2.8, fill: '#fff', stroke: sr.colour, 'stroke-width': 1.5 },
        s('title', {}, p.label)));
    }
  }
  return svg;
}

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

/* ------------------------------------------------------------------------------------
 * Scenarios: list and editor
 * ---------------------------------------------------------------------------------- */

async function loadScenarios() {
  state.scenarios = await api('/api/scenarios');
  renderScenarioList();
  fillScenarioPickers();
}

function renderScenarioList() {
  const current = state.editor && state.editor.original;
  $('#scenario-list').replaceChildren(...state.scenarios.map((sc) => h('li', { class: sc.name === current ? 'current' : null },
    h('div', {},
      h('div', {}, h('span', { class: 'scenario-name' }, sc.name), h('span', { class: `badge ${sc.origin}` }, sc.origin)),
      sc.description ? h('div', { class: 'scenario-desc' }, sc.description) : null),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'small', onclick: () => attempt(() => openScenario(sc.name)) },
        sc.origin === 'saved' ? 'Edit' : 'Copy & edit'),
      h('button', { type: 'button', class: 'small', title: 'Show this scenario\'s network on the map',
        onclick: () => attempt(() => loadNetwork(sc.name)) }, 'Map'),
      h('button', { type: 'button', class: 'small', onclick: () => attempt(() => runAndCompare(sc.name)) }, 'Run')))));
}

/** An editor state: what the form shows, plus what the form cannot show but keeps. */
function blankEditor() {
  return {
    original: null,
    origin: 'new',
    base: DEFAULT_BASE,
    name: '',
    description: '',
    year: null,
    growth: 0,
    tariffs: {},            // ISO3 -> percent change of transit tariffs
    closures: new Set(),
    projects: {},           // project id -> true | false | year
    extra: { tariffs: [], parameters: {}, assignment: {}, byCommodity: {}, game: {}, disruptions: [] },
  };
}

/** A tariff change that the per-country slider can show: a plain % on transit tariffs. */
function isSimpleTariff(t) {
  return t.percent != null && t.mode == null && (t.commodity == null || t.commodity === '*') &&
    (t.kind == null || t.kind === 'transit') && t.usd_per_t == null && t.usd_per_tkm == null;
}

function editorFromScenario(name, origin, sc) {
  const ed = blankEditor();
  ed.original = origin === 'saved' ? name : null;
  ed.origin = origin;
  ed.name = origin === 'saved' ? name : (name === 'base' ? '' : `${name}-copy`);
  if (!sc) return ed;
  ed.base = sc.base || DEFAULT_BASE;
  ed.description = sc.description || '';
  ed.year = sc.year ?? null;
  ed.growth = (sc.demand && sc.demand.growth_percent_per_year) || 0;
  ed.closures = new Set(sc.closures || []);
  ed.projects = { ...(sc.projects || {}) };
  for (const t of sc.tariff || []) {
    if (isSimpleTariff(t) && !(t.country in ed.tariffs)) ed.tariffs[t.country] = t.percent;
    else ed.extra.tariffs.push(t);
  }
  ed.extra.parameters = { ...(sc.parameters || {}) };
  ed.extra.assignment = Object.fromEntries(Object.entries(sc.assignment || {}).filter(([, v]) => v != null));
  ed.extra.byCommodity = { ...((sc.demand && sc.demand.by_commodity) || {}) };
  ed.extra.game = Object.fromEntries(Object.entries(sc.game || {}).filter(([, v]) => v != null));
  ed.extra.disruptions = sc.disruption || [];
  return ed;
}

async function openScenario(name) {
  const data = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  state.editor = editorFromScenario(name, data.origin, data.scenario);
  renderEditor();
  showTab('scenarios');
  $('#scenario-name').focus();
}

function newScenario() {
  state.editor = blankEditor();
  renderEditor();
  showTab('scenarios');
  $('#scenario-name').focus();
}

function renderEditor() {
  const ed = state.editor;
  const form = $('#scenario-editor');
  form.hidden = false;
  $('#editor-title').textContent = ed.original ? `Edit ${ed.original}` : 'New scenario';
  $('#editor-note').textContent = ed.origin === 'shipped' || ed.origin === 'dataset'
    ? 'Shipped scenarios cannot be overwritten: this copy is saved under the name below.'
    : 'Saved in the server\'s scenario folder. Click crossings on the map to close or reopen them.';
  $('#scenario-name').value = ed.name;
  $('#scenario-description').value = ed.description;
  $('#scenario-year').value = ed.year ?? '';
  $('#scenario-growth').value = ed.growth;
  renderTariffSliders();
  renderProjectSwitches();
  renderClosureList();
  renderExtraNote();
  $('#toml-preview').hidden = true;
  $('#run-status').hidden = true;
  renderScenarioList();
  restyleClosures();
}

function renderTariffSliders() {
  const ed = state.editor;
  const box = $('#tariff-sliders');
  box.replaceChildren();
  for (const c of state.countries) {
    const value = ed.tariffs[c.iso3] || 0;
    const out = h('output', { for: `tariff-${c.iso3}`, class: value ? 'changed' : null }, fmtPercent(value));
    const slider = h('input', {
      type: 'range', id: `tariff-${c.iso3}`, min: -100, max: 100, step: 1, value,
      'aria-label': `Change of ${c.name}'s transit tariffs, percent`,
      title: c.tariffs.length ? `${c.tariffs.length} tariff rows in the dataset` : 'No tariff rows in the dataset',
    });
    const update = () => {
      const v = Number(slider.value);
      if (v) ed.tariffs[c.iso3] = v; else delete ed.tariffs[c.iso3];
      out.textContent = fmtPercent(v);
      out.classList.toggle('changed', v !== 0);
    };
    slider.addEventListener('input', update);
    slider.addEventListener('change', update);
    box.append(h('label', { for: `tariff-${c.iso3}` }, c.name), slider, out);
  }
}

const fmtPercent = (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v)} %`;

function renderProjectSwitches() {
  const ed = state.editor;
  const box = $('#project-switches');
  if (!state.projects.size) { box.replaceChildren(h('p', { class: 'muted' }, 'The dataset has no projects.')); return; }
  box.replaceChildren(...[...state.projects].map(([id, info]) => {
    const setting = ed.projects[id];
    const options = [h('option', { value: '' }, 'as in dataset'),
      h('option', { value: 'true' }, 'open'), h('option', { value: 'false' }, 'closed')];
    if (typeof setting === 'number') options.push(h('option', { value: String(setting) }, `opens in ${setting}`));
    const select = h('select', { id: `project-${id}` }, options);
    select.value = setting == null ? '' : String(setting);
    select.addEventListener('change', () => {
      const v = select.value;
      if (v === '') delete ed.projects[id];
      else if (v === 'true' || v === 'false') ed.projects[id] = v === 'true';
      else ed.projects[id] = Number(v);
    });
    const what = `${info.links} line${info.links === 1 ? '' : 's'}, ${info.status.replace('_', ' ')}`;
    return h('div', { class: 'project' },
      h('label', { for: `project-${id}` }, h('span', {}, id, h('div', { class: 'muted small' }, what))), select);
  }));
}

function renderClosureList() {
  const ed = state.editor;
  const filter = $('#closure-filter').value.trim().toLowerCase();
  const known = new Set(state.crossings.map((c) => c.id));
  // Closed links (or unknown ids) from a loaded scenario are listed too, so they survive.
  const others = [...ed.closures].filter((id) => !known.has(id)).map((id) => ({ id, name: id, mode: 'link' }));
  const items = [...state.crossings, ...others].filter((c) =>
    !filter || c.name.toLowerCase().includes(filter) || c.id.includes(filter));
  $('#closure-list').replaceChildren(...items.map((c) => {
    const closed = ed.closures.has(c.id);
    return h('label', { class: closed ? 'closed' : null, title: c.id },
      h('input', { type: 'checkbox', checked: closed, dataset: { id: c.id },
        onchange: () => toggleClosure(c.id) }),
      c.name);
  }));
}

function renderExtraNote() {
  const x = state.editor.extra;
  const kept = [];
  if (x.tariffs.length) kept.push(`${x.tariffs.length} other tariff rule${x.tariffs.length === 1 ? '' : 's'}`);
  if (Object.keys(x.parameters).length) kept.push('parameter overrides');
  if (Object.keys(x.assignment).length) kept.push('route-choice settings');
  if (Object.keys(x.byCommodity).length) kept.push('growth by commodity');
  if (Object.keys(x.game).length) kept.push('game settings');
  if (x.disruptions.length) kept.push(`${x.disruptions.length} disruption${x.disruptions.length === 1 ? '' : 's'}`);
  $('#editor-extra').textContent = kept.length
    ? `Also kept from the original, unchanged: ${kept.join(', ')} (see “Show TOML”).` : '';
}

/** Whether a click on a crossing should close it rather than open its popup. */
function editingOnMap() {
  return Boolean(state.editor) && currentTab() === 'scenarios' && !$('#scenario-editor').hidden;
}

function toggleClosure(id) {
  const ed = state.editor;
  if (!ed) return;
  const closing = !ed.closures.has(id);
  if (closing) ed.closures.add(id); else ed.closures.delete(id);
  const crossing = state.crossings.find((c) => c.id === id);
  showMessage(`${crossing ? crossing.name : id} ${closing ? 'closed' : 'reopened'} in the scenario being edited.`, 'info');
  renderClosureList();
  restyleClosures();
}

/** Reads the form fields into the editor state. */
function readEditorForm() {
  const ed = state.editor;
  ed.name = $('#scenario-name').value.trim();
  ed.description = $('#scenario-description').value.trim();
  const year = $('#scenario-year').value.trim();
  ed.year = year === '' ? null : Number(year);
  ed.growth = Number($('#scenario-growth').value) || 0;
  if (!NAME_RE.test(ed.name)) {
    throw new Error('A scenario name is 1–64 lowercase letters, digits and “-”, starting with a letter or digit.');
  }
  if (ed.name === 'base') throw new Error('“base” is the dataset itself; choose another name.');
  if (ed.year != null && !Number.isInteger(ed.year)) throw new Error('The year must be a whole number.');
  return ed;
}

/* TOML writing. Strings use JSON's escapes, which are all valid TOML escapes. */

const tomlString = (v) => JSON.stringify(String(v)).replace(/\x7f/g, '\\u007f');
const tomlKey = (k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k));

function tomlNumber(n) {
  if (!Number.isFinite(n)) throw new Error(`${n} is not a number TOML can hold.`);
  return String(n);
}

/** A float written so TOML reads it as a float (3 → 3.0). */
const tomlFloat = (n) => (Number.isInteger(n) ? n.toFixed(1) : tomlNumber(n));

function tomlValue(v) {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return tomlNumber(v);
  return tomlString(v);
}

function editorToToml(ed) {
  const lines = ['# Written by the Karvan web page.'];
  lines.push(`name = ${tomlString(ed.name)}`);
  if (ed.description) lines.push(`description = ${tomlString(ed.description)}`);
  lines.push(`base = ${tomlString(ed.base || DEFAULT_BASE)}`);
  if (ed.year != null) lines.push(`year = ${ed.year}`);
  if (ed.closures.size) lines.push(`closures = [${[...ed.closures].map(tomlString).join(', ')}]`);

  const projects = Object.entries(ed.projects);
  if (projects.length) {
    lines.push('', '[projects]');
    for (const [id, v] of projects) lines.push(`${tomlKey(id)} = ${tomlValue(v)}`);
  }
  for (const [country, percent] of Object.entries(ed.tariffs)) {
    lines.push('', '[[tariff]]', `country = ${tomlString(country)}`, 'kind = "transit"', `percent = ${tomlFloat(percent)}`);
  }
  for (const t of ed.extra.tariffs) {
    lines.push('', '[[tariff]]');
    for (const key of ['country', 'mode', 'commodity', 'kind']) {
      if (t[key] != null) lines.push(`${key} = ${tomlString(t[key])}`);
    }
    for (const key of ['percent', 'usd_per_tkm', 'usd_per_t']) {
      if (t[key] != null) lines.push(`${key} = ${tomlFloat(t[key])}`);
    }
  }
  const byCommodity = Object.entries(ed.extra.byCommodity);
  if (ed.growth || byCommodity.length) {
    lines.push('', '[demand]', `growth_percent_per_year = ${tomlFloat(ed.growth)}`);
    if (byCommodity.length) {
      lines.push('', '[demand.by_commodity]');
      for (const [k, v] of byCommodity) lines.push(`${tomlKey(k)} = ${tomlFloat(v)}`);
    }
  }
  const parameters = Object.entries(ed.extra.parameters);
  if (parameters.length) {
    lines.push('', '[parameters]');
    for (const [k, v] of parameters) lines.push(`${tomlKey(k)} = ${tomlFloat(v)}`);
  }
  const assignment = Object.entries(ed.extra.assignment);
  if (assignment.length) {
    lines.push('', '[assignment]');
    for (const [k, v] of assignment) lines.push(`${tomlKey(k)} = ${k === 'gap' || k === 'dispersion' ? tomlFloat(v) : tomlValue(v)}`);
  }
  // The game's settings have no fields in the editor, but saving must not drop them.
  const game = Object.entries(ed.extra.game);
  if (game.length) {
    lines.push('', '[game]');
    for (const [k, v] of game) lines.push(`${tomlKey(k)} = ${Array.isArray(v) ? `[${v.map(tomlString).join(', ')}]` : tomlFloat(v)}`);
  }
  // Closures during the year (for `karvan risk`) are kept as they were.
  for (const d of ed.extra.disruptions) {
    lines.push('', '[[disruption]]', `close = [${d.close.map(tomlString).join(', ')}]`,
      `start_day = ${tomlFloat(d.start_day)}`, `days = ${tomlFloat(d.days)}`);
    if (d.capacity_share != null) lines.push(`capacity_share = ${tomlFloat(d.capacity_share)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function saveScenario() {
  const ed = readEditorForm();
  const toml = editorToToml(ed);
  await api(`/api/scenarios/${encodeURIComponent(ed.name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/toml' },
    body: toml,
  });
  ed.original = ed.name;
  ed.origin = 'saved';
  $('#editor-title').textContent = `Edit ${ed.name}`;
  await loadScenarios();
  showMessage(`Saved scenario “${ed.name}”.`, 'ok');
  return ed.name;
}

function showToml() {
  const pre = $('#toml-preview');
  if (!pre.hidden) { pre.hidden = true; return; }
  pre.textContent = editorToToml(readEditorForm());
  pre.hidden = false;
}

/* ------------------------------------------------------------------------------------
 * Runs
 * ---------------------------------------------------------------------------------- */

function setRunStatus(status, text) {
  const box = $('#run-status');
  box.hidden = false;
  box.dataset.status = status;
  $('#run-progress').hidden = status !== 'running';
  $('.run-status-text', box).textContent = text;
}

/** Starts a run and polls it until it is done or failed. */
async function runScenario(name) {
  const started = Date.now();
  setRunStatus('running', `Running ${name}…`);
  const { id } = await api('/api/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: name }),
  });
  for (;;) {
    const run = await api(`/api/runs/${id}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (run.status === 'done') {
      setRunStatus('done', `Run ${id} of ${name} done in ${seconds} s.`);
      return run;
    }
    if (run.status === 'failed') {
      setRunStatus('failed', `Run ${id} of ${name} failed: ${run.error}`);
      throw new Error(`The run of ${name} failed: ${run.error}`);
    }
    setRunStatus('running', `Running ${name}… ${seconds} s`);
    await sleep(POLL_MS);
  }
}

/** Save (when editing), run, show the flows, and compare with the base. */
async function runFromEditor() {
  if (state.running) return;
  const name = await saveScenario();
  await runAndCompare(name);
}

async function runAndCompare(name) {
  if (state.running) return;
  state.running = true;
  $('#run-button').disabled = true;
  try {
    const run = await runScenario(name);
    state.lastRun = run;
    renderRunSummary(run);
    await loadNetwork(name);
    const flows = await api(`/api/runs/${run.id}/flows`);
    showFlows(flows, name);
    $('#compare-a').value = 'base';
    $('#compare-b').value = name;
    await compare('base', name);
    showTab('compare');
  } catch (e) {
    if ($('#run-status').dataset.status === 'running') setRunStatus('failed', e.message);
    throw e;
  } finally {
    state.running = false;
    $('#run-button').disabled = false;
  }
}

function renderRunSummary(run) {
  const r = run.results;
  const a = r.assignment || {};
  const top = [...(r.corridors || [])].sort((x, y) => y.tonnes - x.tonnes).slice(0, 6);
  $('#run-summary').replaceChildren(
    h('h3', {}, `Run ${run.id}: ${run.scenario}`),
    h('dl', {},
      h('dt', {}, 'Demand'), h('dd', {}, `${fmt0(r.demand_tonnes)} t/year`),
      h('dt', {}, 'Routed'), h('dd', {}, `${fmt0(r.routed_tonnes)} t/year`),
      h('dt', {}, 'Unroutable demand rows'), h('dd', {}, fmt0((r.unroutable || []).length)),
      h('dt', {}, 'Route choice'), h('dd', {}, `${a.method || '–'}, ${fmt0(a.iterations)} iterations`),
      h('dt', {}, a.measure || 'Convergence'), h('dd', {}, a.convergence != null ? a.convergence.toExponential(1) : '–')),
    h('h4', {}, 'Largest corridors'),
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Corridor'), h('th', { class: 'num' }, 'Tonnes'), h('th', { class: 'num' }, 'Share'))),
      h('tbody', {}, top.map((c) => h('tr', {}, h('td', {}, c.corridor),
        h('td', { class: 'num' }, fmt0(c.tonnes)), h('td', { class: 'num' }, fmtPct(c.share)))))));
}

/* ------------------------------------------------------------------------------------
 * Compare
 * ---------------------------------------------------------------------------------- */

async function compare(a, b) {
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

function showAllCorridors() {
  for (const tr of $$('#compare-corridors tbody tr')) tr.hidden = false;
  $('#corridors-more').hidden = true;
}

function renderRevenueTable(rows) {
  $('#compare-revenue tbody').replaceChildren(...rows.map((r) => {
    const change = r.total_b - r.total_a;
    const transit = r.transit_revenue_b - r.transit_revenue_a;
    return h('tr', { dataset: { country: r.country } },
      h('td', {}, r.name),
      h('td', { class: 'num' }, fmtMusd(r.total_a)),
      h('td', { class: 'num' }, fmtMusd(r.total_b)),
      h('td', { class: changeClass(change), dataset: { change } }, fmtSigned(change / 1e6, fmt2)),
      h('td', { class: changeClass(transit), dataset: { change: transit } }, fmtSigned(transit / 1e6, fmt2)));
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
  const data = rows.map((r) => ({ name: r.name, change: (r.total_b - r.total_a) / 1e6 }));
  const width = 430;
  const rowH = 19;
  const m = { left: 130, right: 70, top: 22, bottom: 6 };
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

/* ------------------------------------------------------------------------------------
 * Game: transit tariffs as a game
 * ---------------------------------------------------------------------------------- */

// The seven countries that carry transit: the server's default players.
const GAME_PLAYERS = ['KAZ', 'UZB', 'TKM', 'TJK', 'AFG', 'PAK', 'IRN'];
const GAME_MAX_PLAYERS = 8;
const GAME_NUMBERS = [
  ['max_multiplier', '#game-max-multiplier', 'The max multiplier'],
  ['outside_markup', '#game-outside-markup', 'The outside markup'],
  ['dispersion', '#game-dispersion', 'The dispersion'],
  ['shipper_weight', '#game-shipper-weight', 'The shipper weight'],
];
// Short column heads, so a table of six solutions fits the panel; the full name is the tooltip.
const SOLUTION_LABELS = { today: 'Today', nash: 'Nash', coordinated: 'Coordinated', 'coordinated+shippers': '+ shippers' };
const GAME_CORRIDOR_ROWS = 10;
const GAME_COLOURS = { shapley: '#1f5f99', nash: '#9ab7d3' };

const countryName = (iso3) => (state.countries.find((c) => c.iso3 === iso3) || {}).name || iso3;
const solutionLabel = (name) => SOLUTION_LABELS[name] || shortName(name);
const sum = (xs) => xs.reduce((t, x) => t + x, 0);
/** "UZB rail" → "Uzbekistan rail". */
const variableLabel = (v) => v.replace(/^([A-Z]{3}) /, (_, iso3) => `${countryName(iso3)} `);
const plural = (n, word, many = `${word}s`) => `${fmt0(n)} ${n === 1 ? word : many}`;

/** The player checkboxes: the transit countries first and ticked, as the server's default. */
function renderGamePlayers() {
  const rank = (c) => (GAME_PLAYERS.includes(c.iso3) ? GAME_PLAYERS.indexOf(c.iso3) : GAME_PLAYERS.length);
  const countries = [...state.countries].sort((a, b) => rank(a) - rank(b));
  $('#game-players').replaceChildren(...countries.map((c) => h('label', { title: c.iso3 },
    h('input', { type: 'checkbox', value: c.iso3, checked: GAME_PLAYERS.includes(c.iso3),
      onchange: updatePlayersHint }),
    c.name)));
  updatePlayersHint();
}

/** Says what the choice of players costs: every coalition is solved, 2^n of them. */
function updatePlayersHint() {
  const n = $$('#game-players input:checked').length;
  const hint = $('#game-players-hint');
  hint.classList.toggle('down', n === 0 || n > GAME_MAX_PLAYERS);
  if (n === 0) hint.textContent = 'Choose at least one player.';
  else if (n > GAME_MAX_PLAYERS) hint.textContent = `At most ${GAME_MAX_PLAYERS} players.`;
  else {
    hint.textContent = `${plural(n, 'player')}, ${plural(2 ** n, 'coalition')} to solve. ` +
      'Each player more doubles the work: three take about a second, all seven a quarter of a minute or more.';
  }
}

/** The request for POST /api/games; an empty number field leaves the server's default. */
function readGameForm() {
  const players = $$('#game-players input:checked').map((input) => input.value);
  if (!players.length) throw new Error('Choose at least one player.');
  if (players.length > GAME_MAX_PLAYERS) {
    throw new Error(`At most ${GAME_MAX_PLAYERS} players: the game solves all 2^n coalitions.`);
  }
  const request = { scenario: $('#game-scenario').value, players };
  for (const [key, selector, label] of GAME_NUMBERS) {
    const input = $(selector);
    if (input.validity.badInput) throw new Error(`${label} must be a number ≥ 0.`);
    if (input.value.trim() === '') continue;
    const v = Number(input.value);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${label} must be a number ≥ 0.`);
    request[key] = v;
  }
  return request;
}

function setGameStatus(status, text, done = null, total = null) {
  const box = $('#game-status');
  box.hidden = false;
  box.dataset.status = status;
  const bar = $('#game-progress');
  bar.hidden = status !== 'running';
  // Until the server has counted the coalitions the bar is indeterminate (no value).
  if (total) {
    bar.max = total;
    bar.value = done;
  } else {
    bar.removeAttribute('value');
  }
  $('.run-status-text', box).textContent = text;
}

async function playGame() {
  if (state.playing) return;
  const request = readGameForm();
  state.playing = true;
  $('#game-button').disabled = true;
  $('#game-results').hidden = true;
  try {
    const game = await pollGame(request);
    renderGame(game.analysis, game.model);
  } catch (e) {
    if ($('#game-status').dataset.status === 'running') setGameStatus('failed', e.message);
    throw e;
  } finally {
    state.playing = false;
    $('#game-button').disabled = false;
  }
}

/** Starts a game and polls it, showing the coalitions solved, until it is done or failed. */
async function pollGame(request) {
  const started = Date.now();
  setGameStatus('running', `Starting the game on ${request.scenario} with ${plural(request.players.length, 'player')}…`);
  const { id } = await api('/api/games', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  for (;;) {
    const game = await api(`/api/games/${id}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (game.status === 'done') {
      const n = game.analysis.coalition_values.length;
      setGameStatus('done', `Game ${id} on ${request.scenario} done in ${seconds} s: ${plural(n, 'coalition')} solved.`);
      return game;
    }
    if (game.status === 'failed') {
      setGameStatus('failed', `Game ${id} on ${request.scenario} failed: ${game.error}`);
      throw new Error(`The game on ${request.scenario} failed: ${game.error}`);
    }
    setGameStatus('running', `Coalitions solved ${game.coalitions_done} / ${game.coalitions} (${seconds} s)`,
      game.coalitions_done, game.coalitions);
    await sleep(POLL_MS);
  }
}

function renderGame(a, model) {
  $('#game-results').hidden = false;
  $('#game-model').textContent = model;
  renderGameKey(a);
  renderGameTariffs(a);
  renderGamePayoffs(a);
  renderGameShapley(a);
  $('#game-shapley-chart').replaceChildren(shapleyChart(a));
  renderGameCorridors(a);
}

/** The grand coalition (all players together) is the last entry: its bitmask has every bit. */
const grandValue = (a) => a.coalition_values[a.coalition_values.length - 1];

function renderGameKey(a) {
  const nash = sum(a.nash.payoffs);
  const coordinated = nash + a.value_of_coordination;
  const items = [
    ['Value of coordination', `${fmtSigned(a.value_of_coordination / 1e6, fmt2)} million USD/year`,
      `joint payoff ${fmtMusd(nash)} at Nash → ${fmtMusd(coordinated)} coordinated`],
    ['Grand coalition', h('span', { id: 'game-grand', dataset: { value: grandValue(a) } },
      `${fmtMusd(grandValue(a))} million USD/year`),
    'what all the players earn together; the Shapley values share it out'],
    ['Nash equilibrium', `${plural(a.nash.rounds, 'round')} of best responses`,
      `largest gain left to a single country: ${fmt0(a.nash.max_gain)} USD/year`],
    ['Best responses cycled', a.nash.cycled ? 'yes' : 'no', null],
    ['Core', a.core_empty ? 'empty' : 'not empty', a.core_empty
      ? 'no split of the coordinated payoff leaves every group at least as well off as on its own'
      : 'some split of the coordinated payoff leaves every group at least as well off as on its own'],
    ...corridorItems(a),
  ];
  $('#game-key').replaceChildren(...items.map(([k, v, note]) =>
    h('div', {}, h('dt', {}, k), h('dd', {}, v, note ? h('div', { class: 'muted small' }, note) : null))));
}

/** A corridor coalition is only in the game when all its members play. */
function corridorItems(a) {
  if (!a.corridor_coalitions.length) {
    return [['Corridor coalitions', 'none among these players',
      'Trans-Afghan needs UZB, AFG and PAK; Western needs KAZ, TKM and AFG']];
  }
  return a.corridor_coalitions.map(([name, together, apart]) => [
    h('span', { title: name }, shortName(name)),
    `${fmtMusd(together)} together, ${fmtMusd(apart)} apart (million USD/year)`,
    `${name.replace(/^.*\((.*)\)$/, '$1')}: ${fmtSigned((together - apart) / 1e6, fmt2)} from coordinating`,
  ]);
}

/** The head row of a table with one column per solution. */
function solutionHead(solutions, first, extra = []) {
  return h('tr', {}, h('th', {}, first), extra,
    solutions.map((sol) => h('th', { class: 'num', title: sol.name }, solutionLabel(sol.name))));
}

function renderGameTariffs(a) {
  fill($('#game-tariffs thead'), solutionHead(a.solutions, 'Tariff', h('th', { class: 'num unit', title: 'Today\'s transit tariff' }, 'USD/t-km')));
  $('#game-tariffs tbody').replaceChildren(...a.variables.map((v, i) => h('tr', {},
    h('td', {}, variableLabel(v)),
    h('td', { class: 'num' }, fmt3(a.base_tariff[i])),
    a.solutions.map((sol) => h('td', {
      class: 'num', title: `${fmt3(sol.strategy[i] * a.base_tariff[i])} USD/t-km`,
    }, fmt2(sol.strategy[i]))))));
}

function renderGamePayoffs(a) {
  const row = (label, value, format, cls = null) => h('tr', { class: cls },
    h('td', {}, label), a.solutions.map((sol) => h('td', { class: 'num' }, format(value(sol.evaluation)))));
  fill($('#game-payoffs thead'), solutionHead(a.solutions, 'Country'));
  $('#game-payoffs tbody').replaceChildren(
    ...a.settings.players.map((p, i) => row(countryName(p), (e) => e.payoffs[i], fmtMusd)),
    row('All players', (e) => sum(e.payoffs), fmtMusd, 'total'),
    row('Shipped (kt)', (e) => e.shipped_tonnes, fmtKt, 'section'),
    row('Outside option (kt)', (e) => e.outside_tonnes, fmtKt),
    row('Shippers\' surplus', (e) => e.surplus, fmtMusd));
}

function renderGameShapley(a) {
  const row = (label, shapley, nash, tag = 'td') => h('tr', {},
    h(tag, {}, label),
    h('td', { class: 'num', dataset: { value: shapley } }, fmtMusd(shapley)),
    h('td', { class: 'num' }, fmtMusd(nash)),
    h('td', { class: changeClass(shapley - nash) }, fmtSigned((shapley - nash) / 1e6, fmt2)));
  $('#game-shapley tbody').replaceChildren(...a.settings.players.map((p, i) =>
    row(countryName(p), a.shapley[i], a.nash.payoffs[i])));
  fill($('#game-shapley tfoot'), row('All players', sum(a.shapley), sum(a.nash.payoffs)));
}

/**
 * Bars of each country's Shapley value beside its Nash payoff, from a zero line (a
 * payoff that counts shippers' surplus can be negative).
 */
function shapleyChart(a) {
  const data = a.settings.players.map((p, i) => ({
    name: countryName(p), shapley: a.shapley[i] / 1e6, nash: a.nash.payoffs[i] / 1e6,
  }));
  // As wide as the widened panel, so the text is drawn at about its own size.
  const width = 620;
  const rowH = 30;
  const barH = 11;
  const m = { left: 120, right: 60, top: 24, bottom: 6 };
  const height = m.top + m.bottom + rowH * data.length;
  const values = data.flatMap((d) => [d.shapley, d.nash]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(lo + 1e-9, 0, ...values);
  const X = (v) => m.left + ((width - m.left - m.right) * (v - lo)) / (hi - lo);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Shapley value and Nash payoff by country' });
  [['shapley', 'Shapley value'], ['nash', 'Nash payoff']].forEach(([key, text], k) => {
    const x = m.left + k * 120;
    svg.append(s('rect', { x, y: 4, width: 12, height: 10, fill: GAME_COLOURS[key], rx: 1.5 }),
      s('text', { x: x + 17, y: 13, 'font-size': 11.5, fill: '#1d2733' }, text));
  });
  svg.append(s('text', { x: width, y: 13, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6b7a' }, 'million USD/year'));
  data.forEach((d, i) => {
    const y = m.top + i * rowH;
    svg.append(s('text', { x: m.left - 8, y: y + barH + 6, 'text-anchor': 'end', 'font-size': 12, fill: '#1d2733' }, d.name));
    ['shapley', 'nash'].forEach((key, k) => {
      const v = d[key];
      const top = y + 2 + k * (barH + 1);
      svg.append(s('rect', { x: Math.min(X(0), X(v)), y: top, width: Math.max(Math.abs(X(v) - X(0)), 1), height: barH,
        fill: GAME_COLOURS[key], rx: 1.5 }, s('title', {}, `${d.name}, ${key === 'nash' ? 'Nash payoff' : 'Shapley value'}: ${fmt2(v)} million USD/year`)));
      svg.append(s('text', { x: width - 2, y: top + barH - 1.5, 'text-anchor': 'end', 'font-size': 11,
        fill: key === 'nash' ? '#5f6b7a' : '#1d2733' }, fmt2(v)));
    });
  });
  svg.append(s('line', { x1: X(0), x2: X(0), y1: m.top - 2, y2: height - m.bottom, stroke: '#5f6b7a' }));
  return svg;
}

/** Corridors by their largest tonnage under any solution; the rest behind a button. */
function renderGameCorridors(a) {
  const names = [...new Set(a.solutions.flatMap((sol) => Object.keys(sol.evaluation.corridor_tonnes)))];
  const tonnes = (name, sol) => sol.evaluation.corridor_tonnes[name] || 0;
  const size = (name) => Math.max(...a.solutions.map((sol) => tonnes(name, sol)));
  const sorted = names.sort((x, y) => size(y) - size(x) || x.localeCompare(y));
  fill($('#game-corridors thead'), solutionHead(a.solutions, 'Corridor'));
  $('#game-corridors tbody').replaceChildren(
    ...sorted.map((name, i) => h('tr', { hidden: i >= GAME_CORRIDOR_ROWS },
      h('td', {}, name), a.solutions.map((sol) => h('td', { class: 'num' }, fmtKt(tonnes(name, sol)))))),
    h('tr', { class: 'section' }, h('td', {}, 'Outside option'),
      a.solutions.map((sol) => h('td', { class: 'num' }, fmtKt(sol.evaluation.outside_tonnes)))));
  const more = $('#game-corridors-more');
  more.hidden = sorted.length <= GAME_CORRIDOR_ROWS;
  more.textContent = `Show all ${sorted.length} corridors`;
}

function showAllGameCorridors() {
  for (const tr of $$('#game-corridors tbody tr')) tr.hidden = false;
  $('#game-corridors-more').hidden = true;
}

/* ------------------------------------------------------------------------------------
 * Resilience: a closure over the year, and the resilience analysis
 * ---------------------------------------------------------------------------------- */

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

function addRiskPair() {
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

function renderRiskClosures() {
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
function syncRiskDate() {
  const day = Number($('#risk-start').value);
  if ($('#risk-start').value === '' || !Number.isInteger(day) || day < 0 || day > LAST_DAY) return;
  const shown = $('#risk-date').value;
  const year = shown ? Number(shown.slice(0, 4)) : new Date().getFullYear();
  $('#risk-date').value = new Date(Date.UTC(year, 0, 1) + day * DAY_MS).toISOString().slice(0, 10);
}

/** The start day follows the date picker; 31 December of a leap year is the model's last day. */
function syncRiskStart() {
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

async function assessClosure() {
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

function showAllRiskCorridors() {
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

function setResilienceStatus(status, text, done = null, total = null) {
  const box = $('#resilience-status');
  box.hidden = false;
  box.dataset.status = status;
  const bar = $('#resilience-progress');
  bar.hidden = status !== 'running';
  if (total) {
    bar.max = total;
    bar.value = done;
  } else {
    bar.removeAttribute('value');
  }
  $('.run-status-text', box).textContent = text;
}

async function analyseResilience() {
  if (state.analysing) return;
  const request = readResilienceForm();
  state.analysing = true;
  $('#resilience-button').disabled = true;
  $('#resilience-results').hidden = true;
  try {
    const job = await pollResilience(request);
    // The Monte Carlo reports the cost of each year; the base year tells what closures add.
    const base = await api(`/api/risk?${query({ scenario: request.scenario })}&close=`);
    renderResilience(job.analysis, base.base, request.scenario);
  } catch (e) {
    if ($('#resilience-status').dataset.status === 'running') setResilienceStatus('failed', e.message);
    throw e;
  } finally {
    state.analysing = false;
    $('#resilience-button').disabled = false;
  }
}

/** Starts the analysis and polls it, showing the network states solved, until done or failed. */
async function pollResilience(request) {
  const started = Date.now();
  setResilienceStatus('running', `Starting the analysis of ${request.scenario}…`);
  const { id } = await api('/api/resilience', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  for (;;) {
    const job = await api(`/api/resilience/${id}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (job.status === 'done') {
      setResilienceStatus('done', `Analysis ${id} of ${request.scenario} done in ${seconds} s.`);
      return job;
    }
    if (job.status === 'failed') {
      setResilienceStatus('failed', `Analysis ${id} of ${request.scenario} failed: ${job.error}`);
      throw new Error(`The resilience analysis of ${request.scenario} failed: ${job.error}`);
    }
    // First every element closed in turn, then the sampled years: one step each.
    setResilienceStatus('running', `Closures and years solved ${fmt0(job.done)} / ${fmt0(job.total)} (${seconds} s)`,
      job.done, job.total);
    await sleep(POLL_MS);
  }
}

function renderResilience(a, base, scenario) {
  $('#resilience-results').hidden = false;
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

/** The network feature of a line or crossing of the map, by id. */
function networkFeature(id) {
  return state.network && state.network.features.find((f) => f.properties.id === id && f.properties.element !== 'node');
}

function zoomToElement(id) {
  const f = networkFeature(id);
  if (!f) return;
  const layer = L.geoJSON(f);
  state.map.fitBounds(layer.getBounds(), { padding: [120, 120], maxZoom: 7 });
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
  replaceOverlay('critical', group);
  setOverlay('critical');
  // The ranking spans the region: show all of it, clear of the legend, whatever the map was zoomed to.
  if (group.getLayers().length) {
    state.map.fitBounds(group.getBounds(), { paddingTopLeft: [legendClearance(), 30], paddingBottomRight: [30, 30], maxZoom: 6 });
  }
}

function criticalLegend() {
  const info = state.overlayInfo.critical || {};
  return [h('h4', {}, `Critical: ${info.scenario || ''}`),
    legendItem(lineSwatch(COLOURS.critical, 9), 'Most critical line'),
    legendItem(lineSwatch(COLOURS.critical, 3), `${ordinal(info.count || CRITICAL_ROWS)} most critical`),
    legendItem(dotSwatch('rgba(183, 28, 28, 0.3)', COLOURS.critical, 6, 2), 'Critical crossing'),
    h('div', { class: 'muted' }, 'Width ∝ rank; each closed all year')];
}

const ordinal = (n) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th'}`;

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

/* ------------------------------------------------------------------------------------
 * Wiring and start-up
 * ---------------------------------------------------------------------------------- */

function bindControls() {
  $('.message-close').addEventListener('click', hideMessage);
  for (const tab of $$('.tabs [role="tab"]')) tab.addEventListener('click', () => showTab(tab.dataset.tab));
  for (const radio of $$('input[name="overlay"]')) radio.addEventListener('change', () => setOverlay(radio.value));
  $('#map-scenario').addEventListener('change', (e) => attempt(async () => {
    await loadNetwork(e.target.value);
    $('#route-scenario').value = e.target.value;
  }));
  $('#route-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(findRoutes); });
  $('#new-scenario').addEventListener('click', newScenario);
  $('#scenario-editor').addEventListener('submit', (e) => { e.preventDefault(); attempt(saveScenario); });
  $('#run-button').addEventListener('click', () => attempt(runFromEditor));
  $('#toml-button').addEventListener('click', () => attempt(showToml));
  $('#closure-filter').addEventListener('input', () => { if (state.editor) renderClosureList(); });
  $('#corridors-more').addEventListener('click', showAllCorridors);
  $('#compare-form').addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(() => compare($('#compare-a').value, $('#compare-b').value));
  });
  $('#game-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(playGame); });
  $('#game-corridors-more').addEventListener('click', showAllGameCorridors);
  $('#risk-pair').addEventListener('change', addRiskPair);
  $('#risk-start').addEventListener('input', syncRiskDate);
  $('#risk-date').addEventListener('change', syncRiskStart);
  $('#risk-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(assessClosure); });
  $('#risk-corridors-more').addEventListener('click', showAllRiskCorridors);
  $('#resilience-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(analyseResilience); });
}

async function start() {
  initMap();
  bindControls();
  renderLegend();
  const [basemap, places, commodities, countries] = await Promise.all([
    api('/api/basemap'), api('/api/places'), api('/api/commodities'), api('/api/countries'),
  ]);
  drawBasemap(basemap);
  state.places = places;
  state.placeById = new Map(places.map((p) => [p.id, p]));
  state.commodities = commodities;
  state.countries = countries;
  fillPlaces(places);
  fillCommodities(commodities);
  renderGamePlayers();
  renderRiskClosures();
  syncRiskDate();
  await loadScenarios();
  await loadNetwork('base', true);
  $('#route-scenario').value = 'base';
  document.body.dataset.ready = 'true';
}

attempt(start);

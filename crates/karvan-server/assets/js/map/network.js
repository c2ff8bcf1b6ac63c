// The network of the map's scenario: lines, places and crossings, their styles and popups.

import { api, query } from '../api.js';
import { COLOURS, HIGH_RISK, riskColour } from '../colours.js';
import { $, fill, h, linkified } from '../dom.js';
import { fmt0, fmt1, fmt2 } from '../format.js';
import { attempt } from '../messages.js';
import { placeName, state } from '../state.js';
import { setPlaceLabels } from './labels.js';
import { renderLegend } from './legend.js';
import { fitRegion, openPopup } from './map.js';
import { SymbolMarker } from './symbols.js';

// What the views add to the network: the ways they see closures, take clicks, extend popups,
// and what they do when a scenario's network is loaded.
const hooks = { closed: [], click: [], actions: [], loaded: [] };

/** fn(properties) → true (closed), false (open) or null (no opinion); the first opinion wins. */
export const addClosedView = (fn) => hooks.closed.push(fn);
/** fn(properties) → true when it has handled a click on the element. */
export const addClickHandler = (fn) => hooks.click.push(fn);
/** fn(properties) → a button for the element's popup, or null. */
export const addPopupAction = (fn) => hooks.actions.push(fn);
/** fn(geojson, scenario) after a scenario's network is loaded and drawn. */
export const onNetworkLoaded = (fn) => hooks.loaded.push(fn);

/** Loads and draws the network of a scenario; the view is kept unless `fit`. */
export async function loadNetwork(scenario, fit = false) {
  const fc = await api(`/api/network?${query({ scenario })}`);
  state.mapScenario = scenario;
  state.network = fc;
  $('#map-scenario').value = scenario;
  drawNetwork(fc);
  collectCrossingsAndProjects(fc);
  renderNetworkStats(fc);
  for (const fn of hooks.loaded) fn(fc, scenario);
  $('#attribution').textContent = fc.attribution ? `Data: ${fc.attribution}` : '';
  setPlaceLabels(fc);
  if (fit) fitRegion();
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
      const marker = new SymbolMarker(latlng, { pane: 'nodes', ...pointStyle(f.properties) });
      if (f.properties.element === 'crossing') state.crossingLayers.set(f.properties.id, marker);
      return marker;
    },
    onEachFeature: bindNetworkFeature,
  }).addTo(state.map);
  renderLegend();
}

export function isOpen(p) {
  return p.open !== false;
}

/**
 * Closed: while a scenario is being edited, as its closures say; otherwise as the map's
 * scenario says (the element exists but is not open).
 */
function isClosed(p) {
  // The views that close elements (the scenario editor, the Resilience tab) have their say first.
  for (const fn of hooks.closed) {
    const says = fn(p);
    if (says != null) return says;
  }
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
  const high = Number(p.risk) >= HIGH_RISK;
  let radius = 3;
  if (p.is_zone) radius = 5;
  else if (port) radius = 4.5;
  else if (p.kind === 'border_post' || p.kind === 'junction') radius = 2.2;
  // A place of high risk is a triangle, a warning sign, so it never looks like a closed crossing.
  if (high) radius = Math.max(radius, 4.5);
  return {
    radius,
    shape: high ? 'triangle' : 'circle',
    color: port ? COLOURS.portRing : '#263238',
    weight: p.is_zone || port || high ? 1.6 : 0.8,
    fillColor: riskColour(p.risk),
    fillOpacity: 0.95,
    className: high ? 'net-node risk-high' : 'net-node',
  };
}

function crossingStyle(p) {
  const closed = isClosed(p);
  const built = p.status === 'existing';
  let fill = p.mode === 'rail' ? '#ffffff' : '#ffd54f';
  if (!built) fill = '#eceff1';
  if (closed) fill = COLOURS.closed;
  return {
    // A closed crossing is a "no entry" sign, large enough to read whatever its mode.
    radius: closed ? 7 : p.mode === 'rail' ? 4 : 7,
    shape: closed ? 'no-entry' : 'circle',
    color: closed ? '#7f0000' : '#263238',
    weight: 1.4,
    dashArray: built ? null : '2 2',
    fillColor: fill,
    fillOpacity: built || closed ? 1 : 0.7,
    className: 'net-crossing',
  };
}

/** Restyles the crossings, after the closures being edited change. */
export function restyleClosures() {
  if (state.layers.links) state.layers.links.setStyle((f) => linkStyle(f.properties));
  for (const marker of state.crossingLayers.values()) {
    marker.setStyle(crossingStyle(marker.feature.properties));
  }
}

function bindNetworkFeature(feature, layer) {
  const p = feature.properties;
  layer.bindTooltip(p.name, { sticky: true, direction: 'top', className: 'net-tooltip' });
  layer.on('click', (e) => {
    // A view may take the click (to close or reopen the element); otherwise a popup.
    if (hooks.click.some((fn) => fn(p))) return;
    openPopup(e.latlng, networkPopup(p));
  });
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
  for (const fn of hooks.actions) {
    const button = fn(p);
    if (button) buttons.append(button);
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

export function attributeTable(rows) {
  const kept = rows.filter(([, v]) => v != null && v !== '');
  return h('table', {}, kept.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))));
}

/** Which origin–destination flows use a link or crossing: in the popup and the Map tab. */
export async function whoUses(p, box) {
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

/** The network feature of a line or crossing of the map, by id. */
export function networkFeature(id) {
  return state.network && state.network.features.find((f) => f.properties.id === id && f.properties.element !== 'node');
}

export function zoomToElement(id) {
  const f = networkFeature(id);
  if (!f) return;
  const layer = L.geoJSON(f);
  state.map.fitBounds(layer.getBounds(), { padding: [120, 120], maxZoom: 7 });
}


// Overlays on the network, one at a time for legibility: the flows of a run, the changes of a
// comparison, routes, critical elements. The views make them; this module shows and hides them.

import { lineSwatch } from '../charts.js';
import { COLOURS, COMMODITY_COLOURS } from '../colours.js';
import { $, $$, h, linkified } from '../dom.js';
import { fmt0, fmtSigned } from '../format.js';
import { attempt } from '../messages.js';
import { state } from '../state.js';
import { legendItem, registerLegend, renderLegend } from './legend.js';
import { openPopup } from './map.js';
import { attributeTable, whoUses } from './network.js';

// The scenario each overlay was made for, and the tab it belongs to: it is shown when that tab
// is opened and hidden in the tabs that have none; the Map tab chooses among them all.
const overlayScenario = {};
const OVERLAY_TAB = { routes: 'routes', flows: 'scenarios', changes: 'compare', critical: 'resilience' };

registerLegend('flows', () => {
  const info = state.overlayInfo.flows || {};
  return [h('h4', {}, `Flows: ${info.scenario || ''}`),
    ...state.commodities.map((c) => legendItem(lineSwatch(commodityColour(c.id), 5), `Mostly ${c.id}`)),
    h('div', { class: 'muted' }, `Width ∝ tonnes; widest ${fmt0(info.max)} t/year`)];
});

registerLegend('changes', () => {
  const info = state.overlayInfo.changes || {};
  return [h('h4', {}, `Change ${info.a} → ${info.b}`),
    legendItem(lineSwatch(COLOURS.more, 5), 'More tonnes'),
    legendItem(lineSwatch(COLOURS.less, 5), 'Fewer tonnes'),
    h('div', { class: 'muted' }, `Width ∝ change; largest ${fmt0(info.max)} t/year`)];
});

export function setOverlay(kind) {
  for (const [name, layer] of Object.entries(state.overlays)) {
    if (!layer) continue;
    if (name === kind) layer.addTo(state.map);
    else layer.remove();
  }
  for (const radio of $$('input[name="overlay"]')) {
    radio.disabled = radio.value !== 'none' && !state.overlays[radio.value];
    radio.checked = radio.value === (state.overlays[kind] ? kind : 'none');
  }
  state.overlayShown = state.overlays[kind] ? kind : 'none';
  $('#map').classList.toggle('dim-network', ['flows', 'changes', 'critical'].includes(state.overlayShown));
  renderLegend();
}

export const activeOverlay = () => state.overlayShown;

/** Puts a new layer in an overlay's place; `scenario` is the scenario whose network it is drawn on. */
export function replaceOverlay(kind, layer, scenario) {
  if (state.overlays[kind]) state.overlays[kind].remove();
  state.overlays[kind] = layer;
  overlayScenario[kind] = scenario;
}

/** Shows the overlay of a tab (or none); the Map tab keeps whatever is shown. */
export function showOverlayOfTab(tab) {
  if (tab === 'map') return;
  const kind = Object.keys(OVERLAY_TAB).find((k) => OVERLAY_TAB[k] === tab);
  setOverlay(kind && state.overlays[kind] ? kind : 'none');
}

/** Forgets the overlays made for another scenario than the one the map now shows. */
export function dropOverlaysNotOf(scenario) {
  for (const [kind, layer] of Object.entries(state.overlays)) {
    if (!layer || overlayScenario[kind] === scenario) continue;
    layer.remove();
    state.overlays[kind] = null;
  }
  setOverlay(state.overlays[state.overlayShown] ? state.overlayShown : 'none');
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

export function showFlows(fc, scenario) {
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
  replaceOverlay('flows', layer, scenario);
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

export function showChanges(fc, a, b) {
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
  replaceOverlay('changes', layer, b);
  setOverlay('changes');
  // Show where the changes are; a change confined to one border is worth zooming to.
  if (features.length) state.map.fitBounds(layer.getBounds(), { padding: [80, 80], maxZoom: 5.5 });
}


// The map's legend: what the overlay shown means, then the network's symbols.

import { COLOURS, HIGH_RISK, riskColour } from '../colours.js';
import { dotSwatch, lineSwatch } from '../charts.js';
import { h } from '../dom.js';
import { state } from '../state.js';
import { symbolSwatch } from './symbols.js';

// Overlay kind -> a function returning the legend's entries for it.
const overlayLegends = new Map();

/** Says how the legend describes an overlay while it is shown. */
export function registerLegend(kind, fn) {
  overlayLegends.set(kind, fn);
}

export const legendItem = (swatch, text) => h('div', { class: 'item' }, swatch, h('span', {}, text));

export function renderLegend() {
  const div = state.legend && state.legend.getContainer();
  if (!div) return;
  const parts = [h('button', { type: 'button', class: 'legend-toggle', title: 'Show or hide the legend' }, 'Legend')];
  const overlay = overlayLegends.get(state.overlayShown);
  if (overlay) parts.push(...overlay());
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
    legendItem(symbolSwatch('no-entry', { fill: COLOURS.closed, stroke: '#7f0000', r: 6.5, weight: 1.4 }), 'Closed crossing'),
    h('h4', {}, 'Places, by security risk'),
    legendItem(dotSwatch(riskColour(0)), 'Low (0)'),
    legendItem(dotSwatch(riskColour(0.3)), 'Medium (0.3)'),
    legendItem(symbolSwatch('triangle', { fill: riskColour(0.7), r: 5, weight: 1.4 }), `High risk (${HIGH_RISK}+)`),
    legendItem(dotSwatch('#ffffff', COLOURS.portRing, 4.5, 1.8), 'Port / dry port'));
  div.replaceChildren(...parts);
}

// The pickers shared by several views: places, commodities, scenarios.

import { $, $$, h } from './dom.js';
import { shortName } from './format.js';
import { state } from './state.js';

export function fillPlaces(places) {
  // Demand zones first: they are where freight starts and ends.
  const sorted = [...places].sort((a, b) => (b.is_zone - a.is_zone) || a.name.localeCompare(b.name));
  $('#places-list').replaceChildren(...sorted.map((p) =>
    h('option', { value: p.name, label: `${p.country} · ${p.is_zone ? 'zone' : p.kind.replace('_', ' ')}` })));
}

export function fillCommodities(commodities) {
  $('#route-commodity').replaceChildren(...commodities.map((c) =>
    h('option', { value: c.id, title: c.name }, `${c.id} — ${shortName(c.name)}`)));
}

/** Fills every scenario picker, keeping each one's choice when it still exists. */
export function fillScenarioPickers() {
  const names = state.scenarios.map((sc) => sc.name);
  for (const sel of $$('#map-scenario, #route-scenario, #compare-a, #compare-b, #game-scenario, #risk-scenario, #resilience-scenario, #appraise-scenario, #fit-scenario')) {
    const keep = sel.value;
    sel.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
    if (names.includes(keep)) sel.value = keep;
    // A picker with a default of its own (the appraisal's calibrated base year) starts there.
    else if (names.includes(sel.dataset.default)) sel.value = sel.dataset.default;
  }
  if (!$('#map-scenario').value) $('#map-scenario').value = state.mapScenario;
  if (!$('#compare-b').value || $('#compare-b').value === 'base') {
    $('#compare-b').value = names.find((n) => n !== 'base') || 'base';
  }
}

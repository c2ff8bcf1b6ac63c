// Karvan web page: a map of the network and eleven tabs (Map, Routes, Scenarios, Compare, Game,
// Resilience, Appraise, Fit, Water, Power, Sweeps) over the JSON API of `karvan serve`. Plain ES modules, no build
// step, and only same-origin requests, so the page works offline. This module starts the page
// and wires the parts that belong to no single view.

import { api } from './api.js';
import { $, $$ } from './dom.js';
import { downloadCsv, downloadGeoJson, fileSlug, tableRows } from './downloads.js';
import { addMapActions } from './map/export.js';
import { renderLegend } from './map/legend.js';
import { closePopup, drawBasemap, initMap } from './map/map.js';
import { loadNetwork, onNetworkLoaded, restyleClosures } from './map/network.js';
import { dropOverlaysNotOf, setOverlay, showOverlayOfTab } from './map/overlays.js';
import { attempt, hideError, hideMessage } from './messages.js';
import { fillCommodities, fillPlaces } from './pickers.js';
import { state } from './state.js';
import { onTab, showTab } from './tabs.js';
import { bindAppraise } from './views/appraise.js';
import { bindCompare } from './views/compare.js';
import { bindFit } from './views/fit.js';
import { bindGame, renderGamePlayers } from './views/game.js';
import { bindPower } from './views/power.js';
import { bindResilience } from './views/resilience.js';
import { bindRoutes } from './views/routes.js';
import { bindScenarios, loadScenarios } from './views/scenarios.js';
import { bindSweeps } from './views/sweeps.js';
import { bindWater } from './views/water.js';

function bindControls() {
  $('.message-close').addEventListener('click', hideMessage);
  for (const tab of $$('.tabs [role="tab"]')) tab.addEventListener('click', () => showTab(tab.dataset.tab));
  onTab(restyleClosures);
  // What belongs to a tab does not outlive it: its popups, its error, its overlay.
  onTab((tab) => {
    closePopup();
    hideError();
    showOverlayOfTab(tab);
  });
  // Nor does what belongs to a scenario outlive the map's move to another one.
  let shownScenario = null;
  onNetworkLoaded((fc, scenario) => {
    if (shownScenario !== null && scenario !== shownScenario) {
      closePopup();
      hideError();
      $('#selection').hidden = true;
      dropOverlaysNotOf(scenario);
    }
    shownScenario = scenario;
  });
  for (const radio of $$('input[name="overlay"]')) radio.addEventListener('change', () => setOverlay(radio.value));
  $('#map-scenario').addEventListener('change', (e) => attempt(async () => {
    await loadNetwork(e.target.value);
    $('#route-scenario').value = e.target.value;
  }));
  // Every table with a "Download CSV" button saves the rows it holds, under the name its view gave it.
  for (const button of $$('[data-csv]')) {
    button.addEventListener('click', () => {
      const table = $(`#${button.dataset.csv}`);
      downloadCsv(table.dataset.file || fileSlug('karvan', table.id), tableRows(table));
    });
  }
  $('#network-geojson').addEventListener('click', () => {
    if (state.network) downloadGeoJson(fileSlug('karvan', 'network', state.mapScenario), state.network);
  });
  bindRoutes();
  bindScenarios();
  bindCompare();
  bindGame();
  bindResilience();
  bindAppraise();
  bindFit();
  bindWater();
  bindPower();
  bindSweeps();
}

async function start() {
  initMap();
  addMapActions();
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
  await loadScenarios();
  await loadNetwork('base', true);
  $('#route-scenario').value = 'base';
  document.body.dataset.ready = 'true';
}

attempt(start);

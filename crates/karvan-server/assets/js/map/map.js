// The Leaflet map: its panes, the countries under the network, popups.

import { $ } from '../dom.js';
import { state } from '../state.js';
import { setCountryLabels } from './labels.js';

/** The opening view: Central Asia, Afghanistan, Pakistan and the ports they reach. */
const REGION = [[23.5, 51.5], [46, 79]];

/** Fits the map to the region the tool is about (not every far gateway of the network). */
export function fitRegion() {
  state.map.fitBounds(REGION, { padding: [10, 10] });
}

export function initMap() {
  const map = L.map('map', { zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 3, maxZoom: 12 });
  // What the map shows, south,west,north,east, for whoever reads the page (the browser test).
  map.on('moveend zoomend', () => {
    const b = map.getBounds();
    $('#map').dataset.bounds = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map((v) => v.toFixed(2)).join(',');
    $('#map').dataset.zoom = String(map.getZoom());
  });
  map.fitBounds(REGION, { padding: [10, 10] });
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

export function drawBasemap(geojson) {
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
  setCountryLabels(geojson);
}

/** Pixels to keep clear on the left of the map, where the legend is. */
export function legendClearance() {
  const legend = state.legend.getContainer();
  return legend.classList.contains('collapsed') ? 30 : legend.offsetWidth + 30;
}

export function openPopup(latlng, content) {
  // Keep the popup clear of the legend in the bottom-left corner.
  const left = legendClearance();
  state.popup = L.popup({ maxWidth: 380, minWidth: 240, autoPanPaddingTopLeft: [left, 30], autoPanPaddingBottomRight: [30, 30] })
    .setLatLng(latlng)
    .setContent(content)
    .openOn(state.map);
}

export function closePopup() {
  if (state.map) state.map.closePopup();
  state.popup = null;
}

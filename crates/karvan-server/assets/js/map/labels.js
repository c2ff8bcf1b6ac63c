// Names on the map: countries at a point well inside each one, places by importance as
// the map is zoomed in (demand zones and ports first, border posts last), never two labels
// on top of each other.

import { textWidth } from '../charts.js';
import { shortName } from '../format.js';
import { state } from '../state.js';

const COUNTRY_FONT = 12;
const PLACE_FONT = 11.5;
// Country names are spaced out (style.css, `.map-label.country`), in em.
const LETTER_SPACING = 0.12;

// The zoom from which a place is named, by what it is; a label that would cover another is
// left out until there is room for it.
const PLACE_ZOOM = { zone: 4.5, port: 5.5, city: 5.75, station: 7, junction: 7, border_post: 7.5 };

let layer = null;          // the labels shown, redrawn after every move
let countries = [];        // [{name, latlng, focus, area}] from the basemap
let places = [];           // [{name, latlng, rank, minZoom}] from the network
let symbols = [];          // [{latlng, r}]: the larger symbols, which no label covers

/** Twice the signed area of a ring of [x, y] points. */
function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  }
  return a;
}

function inRing(x, y, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function distanceToSegment(x, y, [x1, y1], [x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = dx * dx + dy * dy;
  const t = len ? Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / len)) : 0;
  return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy));
}

/** How far a point is inside a polygon (outer ring, then holes); negative outside. */
function depth(x, y, rings) {
  let inside = inRing(x, y, rings[0]);
  for (const hole of rings.slice(1)) if (inRing(x, y, hole)) inside = false;
  let d = Infinity;
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) d = Math.min(d, distanceToSegment(x, y, ring[i - 1], ring[i]));
  }
  return inside ? d : -d;
}

/**
 * A point well inside a polygon, where its name reads best: the deepest point of a grid over
 * the polygon, refined on finer grids around the best so far. Longitudes are scaled by the
 * cosine of the latitude so "deep" means the same north–south and east–west.
 */
function labelPoint(rings) {
  const lat0 = rings[0].reduce((t, p) => t + p[1], 0) / rings[0].length;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const scaled = rings.map((ring) => ring.map(([lon, lat]) => [lon * k, lat]));
  const xs = scaled[0].map((p) => p[0]);
  const ys = scaled[0].map((p) => p[1]);
  let box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  let best = null;
  for (let round = 0; round < 3; round++) {
    const n = 16;
    const sx = (box[2] - box[0]) / n;
    const sy = (box[3] - box[1]) / n;
    for (let i = 0; i <= n; i++) {
      for (let j = 0; j <= n; j++) {
        const x = box[0] + i * sx;
        const y = box[1] + j * sy;
        const d = depth(x, y, scaled);
        if (!best || d > best.d) best = { x, y, d };
      }
    }
    box = [best.x - sx, best.y - sy, best.x + sx, best.y + sy];
  }
  return L.latLng(best.y, best.x / k);
}

/** The label point of a country: inside its largest polygon (the mainland, not an island). */
function countryLabel(feature) {
  const g = feature.geometry;
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  if (!polygons.length) return null;
  const k = (rings) => Math.abs(ringArea(rings[0]) * Math.cos((rings[0][0][1] * Math.PI) / 180));
  const largest = polygons.reduce((a, b) => (k(b) > k(a) ? b : a));
  const bounds = L.latLngBounds(largest[0].map(([lon, lat]) => [lat, lon]));
  return { name: feature.properties.name, latlng: labelPoint(largest), bounds, focus: Boolean(feature.properties.focus), area: k(largest) };
}

/** Country labels from the basemap's features. */
export function setCountryLabels(geojson) {
  countries = geojson.features.filter((f) => f.properties && f.properties.name)
    .map(countryLabel).filter(Boolean)
    .sort((a, b) => b.area - a.area);
  redraw();
}

/** How a place ranks for naming: lower is named first. */
function placeKind(p) {
  if (p.is_zone) return 'zone';
  if (p.kind === 'port' || p.kind === 'dry_port') return 'port';
  return PLACE_ZOOM[p.kind] ? p.kind : 'junction';
}

/**
 * Place labels from the nodes of the map's network. Within a rank, the places with more lines
 * and crossings are named first: a hub matters more than the end of a branch.
 */
export function setPlaceLabels(fc) {
  const order = Object.keys(PLACE_ZOOM);
  const degree = new Map();
  for (const f of fc.features) {
    const p = f.properties;
    if (p.element !== 'link' && p.element !== 'crossing') continue;
    for (const id of [p.from, p.to]) degree.set(id, (degree.get(id) || 0) + 1);
  }
  places = fc.features.filter((f) => f.properties.element === 'node')
    .map((f) => {
      const kind = placeKind(f.properties);
      const [lon, lat] = f.geometry.coordinates;
      return {
        name: shortName(f.properties.name), latlng: L.latLng(lat, lon), rank: order.indexOf(kind),
        minZoom: PLACE_ZOOM[kind], degree: degree.get(f.properties.id) || 0,
      };
    })
    .sort((a, b) => a.rank - b.rank || b.degree - a.degree || a.name.localeCompare(b.name));
  // Crossings, zones and ports are drawn large (network.js): labels keep clear of them.
  symbols = fc.features.filter((f) => {
    const p = f.properties;
    return p.element === 'crossing' || (p.element === 'node' && (p.is_zone || p.kind === 'port' || p.kind === 'dry_port'));
  }).map((f) => {
    const [lon, lat] = f.geometry.coordinates;
    return { latlng: L.latLng(lat, lon), r: f.properties.element === 'crossing' && f.properties.mode === 'rail' ? 4 : 6 };
  });
  redraw();
}

// Where a place's label may go, in order of preference: right, left, above, below its symbol.
const PLACEMENTS = [
  { side: 'right', box: (x, y, w, h) => ({ x1: x + 6, x2: x + 8 + w, y1: y - h / 2, y2: y + h / 2 }) },
  { side: 'left', box: (x, y, w, h) => ({ x1: x - 8 - w, x2: x - 6, y1: y - h / 2, y2: y + h / 2 }) },
  { side: 'above', box: (x, y, w, h) => ({ x1: x - w / 2, x2: x + w / 2, y1: y - 6 - h, y2: y - 6 }) },
  { side: 'below', box: (x, y, w, h) => ({ x1: x - w / 2, x2: x + w / 2, y1: y + 6, y2: y + 6 + h }) },
];

/** The boxes of the map's controls (legend, zoom, scale…), in the map's own pixels. */
function controlBoxes(map) {
  const origin = map.getContainer().getBoundingClientRect();
  return [...map.getContainer().querySelectorAll('.leaflet-control')].map((el) => {
    const r = el.getBoundingClientRect();
    return { x1: r.left - origin.left, x2: r.right - origin.left, y1: r.top - origin.top, y2: r.bottom - origin.top };
  }).filter((b) => b.x2 > b.x1 && b.y2 > b.y1);
}

const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** The labels that fit at this zoom: countries first, then places by rank, none overlapping. */
export function visibleLabels() {
  const map = state.map;
  if (!map) return [];
  const zoom = map.getZoom();
  const size = map.getSize();
  const taken = controlBoxes(map);
  const shown = [];
  // Whole labels only: one cut by the edge of the map is left out.
  const fits = (box) => box.x1 >= 0 && box.x2 <= size.x && box.y1 >= 0 && box.y2 <= size.y && !taken.some((t) => overlaps(t, box));
  const countryFont = zoom >= 6 ? COUNTRY_FONT + 2 : COUNTRY_FONT;
  for (const c of countries) {
    const pt = map.latLngToContainerPoint(c.latlng);
    const text = c.name.toUpperCase();
    const w = textWidth(text, countryFont, 600) + text.length * LETTER_SPACING * countryFont;
    // A country too small on the screen for its name goes unnamed until zoomed in.
    const span = map.latLngToContainerPoint(c.bounds.getNorthEast()).x - map.latLngToContainerPoint(c.bounds.getSouthWest()).x;
    if (span < w * 0.9) continue;
    const box = { x1: pt.x - w / 2, x2: pt.x + w / 2, y1: pt.y - countryFont * 0.7, y2: pt.y + countryFont * 0.7 };
    if (!fits(box)) continue;
    taken.push(box);
    shown.push({ kind: 'country', text, name: c.name, latlng: c.latlng, point: pt, focus: c.focus, font: countryFont });
  }
  for (const sym of symbols) {
    const pt = map.latLngToContainerPoint(sym.latlng);
    taken.push({ x1: pt.x - sym.r, x2: pt.x + sym.r, y1: pt.y - sym.r, y2: pt.y + sym.r });
  }
  for (const p of places) {
    if (zoom < p.minZoom) continue;
    const pt = map.latLngToContainerPoint(p.latlng);
    const w = textWidth(p.name, PLACE_FONT, p.rank === 0 ? 700 : 500) + 2; // and its halo
    const at = PLACEMENTS.map((pl) => ({ side: pl.side, box: pl.box(pt.x, pt.y, w, PLACE_FONT * 1.3) }))
      .find((c) => fits(c.box));
    if (!at) continue;
    taken.push(at.box);
    shown.push({ kind: 'place', text: p.name, name: p.name, latlng: p.latlng, point: pt, box: at.box, side: at.side, rank: p.rank, font: PLACE_FONT });
  }
  return shown;
}

/** Draws the labels that fit, as markers in their own pane that take no clicks. */
export function redraw() {
  const map = state.map;
  if (!map) return;
  if (!layer) {
    map.createPane('labels').style.zIndex = 455; // over the overlays, under places and crossings
    map.getPane('labels').style.pointerEvents = 'none';
    layer = L.layerGroup().addTo(map);
    map.on('zoomend moveend resize', redraw);
  }
  layer.clearLayers();
  for (const l of visibleLabels()) {
    const cls = l.kind === 'country'
      ? `map-label country${l.focus ? ' focus' : ''}`
      : `map-label place rank-${l.rank} ${l.side}`;
    const icon = L.divIcon({ className: cls, html: '', iconSize: null });
    const marker = L.marker(l.latlng, { icon, pane: 'labels', interactive: false, keyboard: false });
    marker.on('add', () => {
      const el = marker.getElement();
      el.dataset.name = l.name;
      const span = document.createElement('span');
      span.textContent = l.text;
      span.style.fontSize = `${l.font}px`;
      el.replaceChildren(span);
    });
    layer.addLayer(marker);
  }
}

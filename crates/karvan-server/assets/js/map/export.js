// The map on paper and in files: "Print map" prints the map alone (style.css, @media print),
// and the map can be saved as SVG or PNG. The SVG is put together from what Leaflet's SVG
// renderer has drawn (countries, network, overlays, symbols), the labels, the legend and a
// scale bar; the PNG is that SVG drawn on a canvas. Nothing leaves the browser.

import { textWidth } from '../charts.js';
import { $, h, s } from '../dom.js';
import { download, fileSlug } from '../downloads.js';
import { attempt } from '../messages.js';
import { state } from '../state.js';
import { visibleLabels } from './labels.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// Bottom to top, as the map draws them (see map.js and network.js).
const PANES = ['basemap', 'overlay', 'flows', 'routes', 'nodes'];
const SEA = '#dfeaf3';
const INK = '#1d2733';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';

/** What the map shows, in words: for the printed caption and the files' titles. */
function mapTitle() {
  const overlay = state.overlayShown !== 'none' ? `, ${$(`input[name="overlay"][value="${state.overlayShown}"]`)?.parentElement.textContent.trim().toLowerCase()}` : '';
  return `Karvan — freight network, scenario ${state.mapScenario}${overlay}`;
}

function attribution() {
  const data = state.network && state.network.attribution ? ` Data: ${state.network.attribution}` : '';
  return `Boundaries: Natural Earth.${data}`;
}

/** Prints the map alone, with a caption naming the scenario and the overlay. */
export function printMap() {
  $('#print-caption').replaceChildren(h('strong', {}, mapTitle()),
    h('span', {}, ` — ${new Date().toISOString().slice(0, 10)}. ${attribution()}`));
  holdSizeForPrint();
  window.print();
}

/** Keeps the map's size on paper as on the screen, so Leaflet's drawing fits it exactly. */
function holdSizeForPrint() {
  const r = $('#map').getBoundingClientRect();
  document.documentElement.style.setProperty('--print-width', `${Math.round(r.width)}px`);
  document.documentElement.style.setProperty('--print-height', `${Math.round(r.height)}px`);
}

/** Words in lines no wider than `width` pixels at a font size. */
function wrap(text, size, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size) > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** An element's box relative to the map's. */
function boxIn(el, origin) {
  const r = el.getBoundingClientRect();
  return { x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height };
}

/** A label as SVG text, placed as the page places it, with a white halo. */
function labelText(l) {
  const country = l.kind === 'country';
  let x = l.point.x;
  let y = l.point.y;
  let anchor = 'middle';
  if (!country) {
    const b = l.box;
    y = (b.y1 + b.y2) / 2;
    if (l.side === 'right') { x = b.x1 + 1; anchor = 'start'; }
    else if (l.side === 'left') { x = b.x2 - 1; anchor = 'end'; }
    else x = (b.x1 + b.x2) / 2;
  }
  return s('text', {
    x: x.toFixed(1), y: y.toFixed(1), 'text-anchor': anchor, 'dominant-baseline': 'central',
    'font-size': l.font, 'font-weight': country || l.rank === 0 ? 600 : 500,
    'letter-spacing': country ? `${0.12 * l.font}px` : null,
    fill: country ? (l.focus ? '#6b7580' : '#9aa0a6') : '#263238',
    stroke: '#fff', 'stroke-width': 3, 'stroke-linejoin': 'round', 'paint-order': 'stroke',
  }, l.text);
}

/** The legend as the map shows it: headings, swatches (already SVG) and their text. */
function legendSvg(origin) {
  const legend = state.legend && state.legend.getContainer();
  if (!legend || legend.classList.contains('collapsed')) return null;
  const box = boxIn(legend, origin);
  const g = s('g', { class: 'legend' },
    s('rect', { x: box.x, y: box.y, width: box.width, height: box.height, rx: 6, fill: '#fff', 'fill-opacity': 0.94, stroke: '#c4ccd6' }));
  for (const el of legend.querySelectorAll('h4, .item, .muted, .legend-toggle')) {
    const b = boxIn(el, origin);
    if (!b.height) continue;
    if (el.matches('.item')) {
      const swatch = el.querySelector('svg');
      const sb = boxIn(swatch, origin);
      const copy = swatch.cloneNode(true);
      copy.setAttribute('x', sb.x);
      copy.setAttribute('y', sb.y);
      g.append(copy);
      const tb = boxIn(el.querySelector('span'), origin);
      g.append(s('text', { x: tb.x, y: tb.y + tb.height / 2, 'dominant-baseline': 'central', 'font-size': 11, fill: INK }, el.textContent));
    } else {
      const bold = !el.matches('.muted');
      g.append(s('text', { x: b.x, y: b.y + b.height / 2, 'dominant-baseline': 'central',
        'font-size': 11, 'font-weight': bold ? 700 : 400, fill: bold ? INK : '#5f6b7a' }, el.textContent.trim()));
    }
  }
  return g;
}

/** The scale bar as the map shows it. */
function scaleSvg(origin) {
  const line = state.map.getContainer().querySelector('.leaflet-control-scale-line');
  if (!line) return null;
  const b = boxIn(line, origin);
  return s('g', { class: 'scale' },
    s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, fill: '#fff', 'fill-opacity': 0.8 }),
    s('path', { d: `M${b.x},${b.y + 2}V${b.y + b.height}H${b.x + b.width}V${b.y + 2}`, fill: 'none', stroke: '#777', 'stroke-width': 2 }),
    s('text', { x: b.x + 5, y: b.y + b.height / 2 + 1, 'dominant-baseline': 'central', 'font-size': 11, fill: '#333' }, line.textContent));
}

/**
 * The map as it is on the screen, as one standalone SVG document: each pane's SVG (Leaflet
 * draws one per pane) placed where it is, then labels, legend, scale, title and sources.
 */
export function mapSvg() {
  const map = state.map;
  const container = map.getContainer();
  const origin = container.getBoundingClientRect();
  const { x: width, y: height } = map.getSize();
  const svg = s('svg', { xmlns: SVG_NS, width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': FONT });
  svg.append(s('title', {}, mapTitle()));
  svg.append(s('rect', { width, height, fill: SEA }));
  const dim = container.classList.contains('dim-network');
  for (const name of PANES) {
    const pane = map.getPane(name === 'overlay' ? 'overlayPane' : name);
    if (!pane) continue;
    for (const layer of pane.querySelectorAll(':scope > svg')) {
      const b = boxIn(layer, origin);
      const copy = layer.cloneNode(true);
      copy.removeAttribute('class');
      copy.removeAttribute('style');
      copy.setAttribute('x', b.x.toFixed(1));
      copy.setAttribute('y', b.y.toFixed(1));
      copy.setAttribute('width', b.width.toFixed(1));
      copy.setAttribute('height', b.height.toFixed(1));
      copy.setAttribute('overflow', 'hidden');
      // The network steps back under an overlay of flows (style.css), in the file too.
      if (dim) for (const path of copy.querySelectorAll('.net-link')) path.setAttribute('stroke-opacity', 0.3);
      svg.append(copy);
    }
  }
  const labels = s('g', { class: 'labels' });
  for (const l of visibleLabels()) labels.append(labelText(l));
  svg.append(labels);
  const legend = legendSvg(origin);
  if (legend) svg.append(legend);
  const scale = scaleSvg(origin);
  if (scale) svg.append(scale);
  // The title and the sources along the foot, over as many lines as they need.
  const lines = wrap(`${mapTitle()}. ${attribution()}`, 10.5, width - 12);
  const foot = 14 * lines.length + 6;
  svg.append(s('rect', { x: 0, y: height - foot, width, height: foot, fill: '#fff', 'fill-opacity': 0.85 }),
    ...lines.map((text, i) => s('text', { x: 6, y: height - foot + 14 * (i + 1), 'font-size': 10.5, fill: '#5f6b7a' }, text)));
  return svg;
}

const serialise = (svg) => `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`;

const mapFile = () => fileSlug('karvan', 'map', state.mapScenario, state.overlayShown !== 'none' ? state.overlayShown : null);

export function exportSvg() {
  download(`${mapFile()}.svg`, 'image/svg+xml', serialise(mapSvg()));
}

/** The SVG drawn on a canvas at twice the screen's resolution, saved as PNG. */
export async function exportPng() {
  const svg = mapSvg();
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(serialise(svg))}`;
  await img.decode();
  const scale = 2;
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, width, height);
  const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The map could not be drawn as PNG.'))), 'image/png'));
  download(`${mapFile()}.png`, 'image/png', blob);
}

/** The buttons on the map: print it, save it as SVG or PNG. */
export function addMapActions() {
  const control = L.control({ position: 'topright' });
  control.onAdd = () => {
    const div = h('div', { class: 'map-actions leaflet-bar', role: 'group', 'aria-label': 'Print or save the map' },
      h('button', { type: 'button', id: 'print-map', title: 'Print the map alone, with its legend', onclick: printMap }, 'Print map'),
      h('button', { type: 'button', id: 'export-svg', title: 'Save the map as it is shown, as an SVG drawing',
        onclick: () => attempt(exportSvg) }, 'SVG'),
      h('button', { type: 'button', id: 'export-png', title: 'Save the map as it is shown, as a PNG picture',
        onclick: () => attempt(exportPng) }, 'PNG'));
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  control.addTo(state.map);
  window.addEventListener('beforeprint', holdSizeForPrint);
}

// Point symbols of the map beyond Leaflet's circle: a triangle for a place of high security
// risk and a "no entry" disc (a bar cut out of it) for a closed crossing, so the two never
// look alike whatever their colours. Drawn by Leaflet's SVG renderer; the legend draws the
// same shapes.

import { s } from '../dom.js';

/** The SVG path of a symbol centred on (x, y) with "radius" r. */
export function symbolPath(shape, x, y, r) {
  const f = (v) => Math.round(v * 10) / 10;
  if (shape === 'triangle') {
    const h = r * 1.3;
    return `M${f(x)},${f(y - h)}L${f(x + h * 0.95)},${f(y + h * 0.7)}L${f(x - h * 0.95)},${f(y + h * 0.7)}z`;
  }
  const circle = `M${f(x - r)},${f(y)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
  if (shape === 'no-entry') {
    const w = r * 1.3;
    const t = Math.max(1.2, r * 0.36);
    return `${circle}M${f(x - w / 2)},${f(y - t / 2)}h${f(w)}v${f(t)}h${f(-w)}z`;
  }
  return circle;
}

/** A circle marker whose `shape` option ('circle', 'triangle', 'no-entry') picks its outline. */
export const SymbolMarker = L.CircleMarker.extend({
  _updatePath() {
    const shape = this.options.shape || 'circle';
    if (shape === 'circle' || !this._renderer._setPath) {
      L.CircleMarker.prototype._updatePath.call(this);
      return;
    }
    const p = this._point;
    this._renderer._setPath(this, this._empty() ? 'M0 0' : symbolPath(shape, p.x, p.y, Math.max(this._radius, 1)));
  },
});

/** A legend swatch of a symbol, as the map draws it. */
export function symbolSwatch(shape, { fill, stroke = '#263238', r = 5, weight = 1.2 }) {
  return s('svg', { width: 30, height: 16, viewBox: '0 0 30 16' },
    s('path', { d: symbolPath(shape, 15, 8.5, r), fill, stroke, 'stroke-width': weight, 'fill-rule': 'evenodd' }));
}

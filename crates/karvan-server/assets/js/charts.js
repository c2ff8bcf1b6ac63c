// Charts drawn as inline SVG, and the small swatches of the legends and chart keys.

import { s } from './dom.js';
import { fmt0 } from './format.js';

export function lineSwatch(colour, weight = 3, dash = null, opacity = 1) {
  return s('svg', { width: 30, height: 12, viewBox: '0 0 30 12' },
    s('line', { x1: 2, y1: 6, x2: 28, y2: 6, stroke: colour, 'stroke-width': weight,
      'stroke-dasharray': dash, 'stroke-opacity': opacity, 'stroke-linecap': 'round' }));
}

export function dotSwatch(fill, stroke = '#263238', r = 5, strokeWidth = 1.2) {
  return s('svg', { width: 30, height: 14, viewBox: '0 0 30 14' },
    s('circle', { cx: 15, cy: 7, r, fill, stroke, 'stroke-width': strokeWidth }));
}

/** Round tick values from 0 to at least max: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max, count = 5) {
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
export function lineChart({ series, xLabel, yLabel, width = 430, height = 220 }) {
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

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

let measurer = null;

/** Width of a text in pixels at a font size and weight, in the page's own font (as SVG text inherits it). */
export function textWidth(text, size, weight = 400) {
  if (!measurer) measurer = document.createElement('canvas').getContext('2d');
  measurer.font = `${weight} ${size}px ${getComputedStyle(document.body).fontFamily}`;
  return measurer.measureText(String(text)).width;
}

// The axes' text: 10 px (style.css, `.axis text`).
const AXIS_FONT = 10;

/**
 * A line chart: series = [{colour, points: [{x, y, mark, label}]}]. Marked points
 * (border crossings) get a dot whose tooltip names the event. The margins are measured
 * from the tick labels, so no label is cut at the edge of the chart however long it is.
 */
export function lineChart({ series, xLabel, yLabel, width = 430, height = 220 }) {
  const all = series.flatMap((sr) => sr.points);
  const xTicks = niceTicks(Math.max(0, ...all.map((p) => p.x)));
  const yTicks = niceTicks(Math.max(0, ...all.map((p) => p.y)));
  const xMax = xTicks[xTicks.length - 1];
  const yMax = yTicks[yTicks.length - 1];
  const gap = 5;
  const tick = 4;
  const line = AXIS_FONT + 2; // height of a line of axis text
  const yTickWidth = Math.max(...yTicks.map((v) => textWidth(fmt0(v), AXIS_FONT)));
  const lastXTick = textWidth(fmt0(xMax), AXIS_FONT);
  const m = {
    left: Math.ceil(2 + line + gap + yTickWidth + gap),   // rotated y label, tick labels
    right: Math.ceil(Math.max(8, lastXTick / 2 + 2)),     // half the last x tick label
    top: Math.ceil(line / 2 + 2),                         // half the top y tick label
    bottom: Math.ceil(tick + 2 + line + gap + line),      // ticks, tick labels, x label
  };
  const X = (v) => m.left + ((width - m.left - m.right) * v) / xMax;
  const Y = (v) => height - m.bottom - ((height - m.top - m.bottom) * v) / yMax;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${yLabel} against ${xLabel}` });
  const grid = s('g', { class: 'grid' });
  const axis = s('g', { class: 'axis' });
  const baseline = AXIS_FONT * 0.35; // from the middle of a digit to its baseline
  for (const v of yTicks) {
    grid.append(s('line', { x1: m.left, x2: width - m.right, y1: Y(v), y2: Y(v) }));
    axis.append(s('text', { x: m.left - gap, y: Y(v) + baseline, 'text-anchor': 'end' }, fmt0(v)));
  }
  const tickTextY = height - m.bottom + tick + 2 + AXIS_FONT;
  for (const v of xTicks) {
    axis.append(s('line', { x1: X(v), x2: X(v), y1: height - m.bottom, y2: height - m.bottom + tick }));
    axis.append(s('text', { x: X(v), y: tickTextY, 'text-anchor': 'middle' }, fmt0(v)));
  }
  axis.append(s('line', { x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
  axis.append(s('line', { x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom }));
  axis.append(s('text', { x: (m.left + width - m.right) / 2, y: height - 3, 'text-anchor': 'middle' }, xLabel));
  const yMid = (m.top + height - m.bottom) / 2;
  const yLabelX = 2 + AXIS_FONT; // the baseline of the rotated label, its glyphs to the left
  axis.append(s('text', { x: yLabelX, y: yMid, 'text-anchor': 'middle', transform: `rotate(-90 ${yLabelX} ${yMid})` }, yLabel));
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

/**
 * A chart the server drew, parsed as SVG rather than HTML and stripped of anything active
 * (scripts, foreign content, event handlers, links elsewhere) before it joins the page;
 * null when the text is not SVG. Its viewBox stays, so it scales to the width of its box.
 */
export function serverSvg(text, label) {
  const doc = new DOMParser().parseFromString(text || '', 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  for (const el of [svg, ...svg.querySelectorAll('*')]) {
    if (['script', 'foreignObject', 'iframe', 'image', 'use'].includes(el.localName)) {
      el.remove();
      continue;
    }
    for (const { name, value: v } of [...el.attributes]) {
      if (/^on/i.test(name) || (/href$/i.test(name) && !v.startsWith('#'))) el.removeAttribute(name);
    }
  }
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  return document.importNode(svg, true);
}

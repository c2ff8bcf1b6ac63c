// Downloads of what the page shows, made in the browser (a Blob and a link): tables as CSV,
// flows and routes as GeoJSON, the map as SVG or PNG. Nothing is asked of the server.

import { h } from './dom.js';

/** Saves content under a file name, as a click on a download link would. */
export function download(name, type, content) {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has taken the file once the click is handled; the URL can go after a while.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A safe piece of a file name: lowercase letters, digits and "-". */
export const fileSlug = (...parts) => parts.filter((p) => p != null && p !== '')
  .map((p) => String(p).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''))
  .join('-');

/** One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(v) {
  const text = v == null ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text of rows of values, the first row being the header. */
export function toCsv(rows) {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function downloadCsv(name, rows) {
  download(`${name}.csv`, 'text/csv;charset=utf-8', toCsv(rows));
}

export function downloadGeoJson(name, geojson) {
  download(`${name}.geojson`, 'application/geo+json', JSON.stringify(geojson));
}

// A number as the page writes it: "1,234.5", "−13.48", "+2.0", "12.3 %"; "–" is no value.
const SHOWN_NUMBER = /^([+−-]?)([\d,]*\.?\d+)( %)?$/;

/** The text of a cell on one line, its parts (a name, a note under it) apart. */
function textOf(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) return node.textContent;
  return [...node.childNodes].map(textOf).join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * The value of a table cell for a CSV file: its `data-csv` if it has one; for a number as the
 * page writes it, the plain number (no thousands separators, an ASCII minus); otherwise its
 * text on one line.
 */
function cellValue(cell) {
  if (cell.dataset.csv != null) return { value: cell.dataset.csv };
  const text = textOf(cell);
  if (text === '–' || text === '—') return { value: '' };
  const m = SHOWN_NUMBER.exec(text);
  if (!m) return { value: text };
  const value = `${m[1] === '−' || m[1] === '-' ? '-' : ''}${m[2].replace(/,/g, '')}`;
  return { value, percent: Boolean(m[3]) };
}

/**
 * The rows of an HTML table, every row it holds (those behind "Show all" too): the last head
 * row as the header, a column of percentages saying so in its name.
 */
export function tableRows(table) {
  const heads = table.tHead ? [...table.tHead.rows] : [];
  const header = heads.length ? [...heads[heads.length - 1].cells].map(textOf) : [];
  const body = [...table.tBodies].flatMap((b) => [...b.rows]).concat(table.tFoot ? [...table.tFoot.rows] : []);
  const percent = new Set();
  // A row that only says the table is empty ("No country loses trade") is not data.
  const rows = body.filter((tr) => !(tr.cells.length === 1 && tr.cells[0].colSpan > 1))
    .map((tr) => [...tr.cells].map((cell, i) => {
      const { value, percent: isPercent } = cellValue(cell);
      if (isPercent) percent.add(i);
      return value;
    }));
  return [header.map((name, i) => (percent.has(i) && !name.includes('%') ? `${name} (%)` : name)), ...rows];
}

// The Sweeps view: parameter sweeps that `karvan sweep` has run, read from the server's sweep
// folder — each with how far it has got; for the one chosen, the server's tornado chart of a
// figure, that figure's main effects, every figure's distribution over the variants and the
// variant best for each country. Nothing is run from here.

import { api, query } from '../api.js';
import { serverSvg } from '../charts.js';
import { $, fill, h } from '../dom.js';
import { fileSlug } from '../downloads.js';
import { fmt0, fmt2, fmt3, plural } from '../format.js';
import { attempt } from '../messages.js';
import { countryName } from '../state.js';
import { onTab } from '../tabs.js';

// What the tab shows: the list, the sweep chosen and the server's summary of it.
const shown = { sweeps: [], name: null, data: null };
// Each load gets a number; an answer to an older one is dropped.
let loads = 0;

/** A figure's value as summary.md writes it: whole above 1,000, else two or three decimals. */
function num(v) {
  if (v == null) return '–';
  const a = Math.abs(v);
  return a >= 1000 ? fmt0(v) : a >= 1 ? fmt2(v) : fmt3(v);
}

/** A number cell; its CSV keeps the number unrounded. */
const numCell = (v) => h('td', { class: 'num', dataset: v == null ? {} : { csv: String(v) } }, num(v));

/** Asks for the sweeps in the sweep folder and shows them; keeps the chosen one if it is still there. */
export async function loadSweeps() {
  const load = ++loads;
  $('#sweeps-status').textContent = 'Looking for sweeps…';
  let answer;
  try {
    answer = await api('/api/sweeps');
  } finally {
    if (load === loads) $('#sweeps-status').textContent = '';
  }
  if (load !== loads) return;
  shown.sweeps = answer.sweeps;
  const empty = shown.sweeps.length === 0;
  $('#sweeps-empty').hidden = !empty;
  $('#sweeps-list-wrap').hidden = empty;
  $('#sweeps-empty-dir').textContent = `The server looks for sweep folders (each with a sweep.toml) in ${answer.dir}.`;
  if (empty) {
    shown.name = null;
    shown.data = null;
    $('#sweep-results').hidden = true;
    return;
  }
  const still = shown.sweeps.find((s) => s.name === shown.name);
  const first = shown.sweeps.find((s) => s.finished > 0) || shown.sweeps[0];
  const name = still ? still.name : first.name;
  renderList(name);
  await loadSweep(name, still ? $('#sweep-figure').value : null);
}

function renderList(chosen) {
  const rows = shown.sweeps.map((s) => {
    const pending = Math.max(0, s.variants - s.finished - s.failed);
    return h('tr', {
      class: `clickable${s.name === chosen ? ' selected' : ''}`,
      dataset: { name: s.name },
      'aria-selected': String(s.name === chosen),
      onclick: () => attempt(() => loadSweep(s.name, null)),
    },
    h('td', { class: 'name' }, s.name),
    h('td', { class: 'num', dataset: { csv: String(s.finished) } },
      `${fmt0(s.finished)} / ${fmt0(s.variants)}`,
      pending ? h('span', { class: 'note muted small' }, `${fmt0(pending)} pending or not merged`) : null),
    h('td', { class: s.failed ? 'num down' : 'num' }, fmt0(s.failed)),
    h('td', {}, s.slurm ? (s.slurm_job ? `job ${s.slurm_job}` : 'job file') : '–'));
  });
  $('#sweeps-list tbody').replaceChildren(...rows);
}

/** Asks for one sweep's summary, for a figure (null: the first), and shows it. */
async function loadSweep(name, figure) {
  const load = ++loads;
  shown.name = name;
  renderList(name);
  $('#sweeps-status').textContent = `Reading ${name}…`;
  let data;
  try {
    data = await api(`/api/sweeps/${encodeURIComponent(name)}?${query({ figure })}`);
  } catch (e) {
    if (load !== loads) return;
    $('#sweep-results').hidden = true;
    shown.data = null;
    if (e.code === 'no_results') {
      // Not an error of the page: the sweep simply has nothing merged yet.
      $('#sweeps-status').textContent = e.message;
      return;
    }
    $('#sweeps-status').textContent = '';
    throw e;
  }
  if (load !== loads) return;
  $('#sweeps-status').textContent = '';
  shown.data = data;
  renderSweep();
}

function renderSweep() {
  const d = shown.data;
  const results = $('#sweep-results');
  results.hidden = false;
  results.dataset.sweep = d.name;
  results.dataset.figure = d.figure || '';
  const failed = d.failed ? `, ${fmt0(d.failed)} failed` : '';
  $('#sweep-title').textContent = `${d.name}: ${fmt0(d.finished)} of ${plural(d.variants, 'variant')} finished${failed}; ` +
    `${plural(d.dimensions.length, 'dimension')} (${d.dimensions.join(', ')}), ${plural(d.figures.length, 'figure')}.`;

  const files = `/api/sweeps/${encodeURIComponent(d.name)}`;
  $('#sweep-csv').href = `${files}/results.csv`;
  $('#sweep-parquet').href = `${files}/results.parquet`;

  fill($('#sweep-figure'), d.figures.map((f) => h('option', { value: f, selected: f === d.figure }, f)));

  const svg = d.tornado_svg ? serverSvg(d.tornado_svg, `Tornado of ${d.figure}: each dimension's swing of its mean`) : null;
  fill($('#sweep-tornado'), svg || h('p', { class: 'muted small' },
    'No dimension has two levels with this figure, so there is no tornado.'));

  $('#sweep-effects-figure').textContent = d.figure ? `(the mean of ${d.figure} at each level)` : '';
  const effects = d.main_effects.flatMap((m) => m.levels.map((l, k) => h('tr', {},
    h('td', {}, k === 0 ? m.dimension : ''),
    h('td', {}, l.level),
    numCell(l.mean),
    h('td', { class: 'num' }, fmt0(l.count)))));
  $('#sweep-effects tbody').replaceChildren(...(effects.length ? effects
    : [h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No variant has this figure.'))]));
  $('#sweep-effects').dataset.file = fileSlug('karvan', d.name, 'main-effects', d.figure);

  const dist = d.distributions.map((x) => h('tr', { dataset: { figure: x.figure } },
    h('td', {}, x.figure),
    h('td', { class: 'num' }, fmt0(x.n)),
    numCell(x.min), numCell(x.p10), numCell(x.p50), numCell(x.p90), numCell(x.max), numCell(x.mean)));
  $('#sweep-distribution tbody').replaceChildren(...dist);
  $('#sweep-distribution').dataset.file = fileSlug('karvan', d.name, 'distribution');

  $('#sweep-best-none').hidden = d.best.length > 0;
  $('#sweep-best').hidden = d.best.length === 0;
  const best = d.best.map((b) => h('tr', {},
    h('td', { title: b.country }, countryName(b.country)),
    h('td', {}, b.figure),
    h('td', {}, b.id),
    numCell(b.value),
    h('td', { class: 'small' }, d.dimensions.map((dim, k) => `${dim} = ${b.cells[k] ?? ''}`).join(', '))));
  $('#sweep-best tbody').replaceChildren(...best);
  $('#sweep-best').dataset.file = fileSlug('karvan', d.name, 'best');
}

/** Wires the Sweeps tab: the list is read again whenever the tab is opened, as sweeps finish meanwhile. */
export function bindSweeps() {
  $('#sweep-figure').addEventListener('change', (e) => attempt(() => loadSweep(shown.name, e.target.value)));
  $('#sweeps-refresh').addEventListener('click', () => attempt(loadSweeps));
  $('#sweeps-refresh-empty').addEventListener('click', () => attempt(loadSweeps));
  onTab((tab) => { if (tab === 'sweeps') attempt(loadSweeps); });
}

// The Fit view: how well a scenario's run of its base year matches the tonnes and shares
// observed at the borders — the summaries of the fitted and the kept-out observations, the
// server's predicted-against-observed chart, and every observation with its errors.

import { api, query } from '../api.js';
import { serverSvg } from '../charts.js';
import { $, fill, h, linkified } from '../dom.js';
import { downloadCsv, fileSlug } from '../downloads.js';
import { fmt0, fmt1, fmt3, fmtPct, fmtSigned, plural } from '../format.js';
import { attempt } from '../messages.js';
import { onTab } from '../tabs.js';

// The roles of observations.csv, as the page names them.
const ROLES = {
  calibrate: { label: 'fitted', title: 'Used to fit the demand (role calibrate)' },
  validate: { label: 'kept out', title: 'Kept out of the fit, to check it (role validate)' },
  context: { label: 'context', title: 'Another period, condition or scope than the base year: listed, not scored (role context)' },
};
// GEH below this is the usual mark of a modelled count close enough to the observed one.
const GEH_GOOD = 5;

// What the tab shows: the answer of the server and the scenario it was asked for.
const shown = { data: null, scenario: null };
// Each load gets a number; an answer to an older one is dropped.
let loads = 0;

const isFlow = (r) => r.kind === 'flow';
const roleLabel = (role) => (ROLES[role] || { label: role }).label;

/** A value in its unit: tonnes with thousands separators, shares with three decimals. */
const value = (r, v) => (isFlow(r) ? fmt0(v) : fmt3(v));

/** Asks the server for the fit of the chosen scenario and shows it. */
export async function loadFit() {
  const scenario = $('#fit-scenario').value;
  if (!scenario) return;
  const load = ++loads;
  $('#fit-status').textContent = `Running the base year of ${scenario} and comparing it with the observations…`;
  try {
    const data = await api(`/api/fit?${query({ scenario })}`);
    if (load !== loads) return;
    shown.data = data;
    shown.scenario = scenario;
    renderFit();
    $('#fit-status').textContent = '';
  } catch (e) {
    if (load === loads) {
      $('#fit-status').textContent = '';
      // What is shown belongs to another scenario than the one now chosen.
      if (shown.scenario !== scenario) $('#fit-results').hidden = true;
    }
    throw e;
  }
}

function renderFit() {
  const { data, scenario } = shown;
  $('#fit-results').hidden = false;
  const counts = Object.keys(ROLES).map((role) => {
    const n = data.rows.filter((r) => r.role === role).length;
    return n ? `${fmt0(n)} ${roleLabel(role)}` : null;
  }).filter(Boolean).join(', ');
  $('#fit-title').textContent = `Scenario ${scenario}: ${plural(data.rows.length, 'observation')} (${counts}); ` +
    'flows in tonnes a year, shares from 0 to 1.';
  fill($('#fit-summary'),
    summaryBlock('Fitted observations', 'calibrate', data.summary),
    summaryBlock('Kept out of the fit', 'validate', data.validation));
  renderChart(data.svg);
  renderTable();
}

const missingNote = (n) => {
  if (!n) return 'every one names crossings in the network';
  return `${n === 1 ? 'names' : 'name'} a crossing missing from the network, so ${n === 1 ? 'it is' : 'they are'} not compared`;
};

/** One block of summary figures, for the rows of one role. */
function summaryBlock(title, role, sum) {
  const rows = shown.data.rows.filter((r) => r.role === role);
  const compared = rows.filter((r) => r.predicted != null);
  const flows = compared.filter(isFlow);
  const shares = compared.filter((r) => !isFlow(r));
  const inside = compared.filter((r) => r.inside === true).length;
  const gehGood = flows.filter((r) => r.geh != null && r.geh < GEH_GOOD).length;
  const none = (what) => ['–', `no ${what} compared`];
  const items = [
    ['Inside the observed range', ...(compared.length
      ? [fmtPct(sum.share_inside), `${fmt0(inside)} of ${plural(compared.length, 'observation')}`] : none('observations'))],
    [`Flows with GEH < ${GEH_GOOD}`, ...(flows.length
      ? [fmtPct(sum.share_geh_below_5), `${fmt0(gehGood)} of ${plural(flows.length, 'flow')}`] : none('flows'))],
    ['Flows %RMSE', ...(flows.length
      ? [`${fmt1(sum.percent_rmse)} %`, 'root mean square error over the mean observed flow'] : none('flows'))],
    ['Mean share error', ...(shares.length
      ? [fmt3(sum.share_mae), `${plural(shares.length, 'share')}, off by ${fmt1(sum.share_mae * 100)} percentage points on average`] : none('shares'))],
    ['Not in the network', fmt0(sum.not_in_network), missingNote(sum.not_in_network)],
  ];
  return h('section', { class: 'fit-block', dataset: { role } },
    h('h4', { title: ROLES[role].title }, title, ' ', h('span', { class: 'muted small' }, `(${plural(rows.length, 'observation')})`)),
    h('dl', {}, items.map(([k, v, note]) =>
      h('div', {}, h('dt', {}, k), h('dd', {}, v), note ? h('dd', { class: 'note' }, note) : null))));
}

/** The server's predicted-against-observed chart. */
function renderChart(text) {
  const svg = serverSvg(text, 'Predicted against observed flows, fitted and kept out of the fit');
  fill($('#fit-chart'), svg || h('p', { class: 'muted small' }, 'The server sent no chart.'));
}

/** The observations of the chosen role, in the order of observations.csv. */
function filteredRows() {
  const role = $('#fit-role').value;
  return shown.data.rows.filter((r) => role === 'all' || r.role === role);
}

function renderTable() {
  if (!shown.data) return;
  const rows = filteredRows();
  const role = $('#fit-role').value;
  const outside = rows.filter((r) => r.inside === false).length;
  $('#fit-count').textContent = `${plural(rows.length, 'observation')}` +
    `${outside ? `, ${fmt0(outside)} outside their range` : ''}; click one for its source.`;
  $('#fit-table').dataset.file = fileSlug('karvan', 'fit', shown.scenario, role === 'all' ? null : roleLabel(role));
  const body = rows.flatMap((r) => observationRows(r));
  $('#fit-table tbody').replaceChildren(...(body.length ? body
    : [h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No observation of this role.'))]));
}

/** An observation's row, and the row under it with its source, shown on a click. */
function observationRows(r) {
  const missing = r.predicted == null;
  const relative = r.relative_error == null ? '–' : `${fmtSigned(r.relative_error * 100, fmt0)} %`;
  const source = h('tr', { class: 'fit-source', hidden: true },
    h('td', { colspan: 8 },
      h('div', { class: 'small' }, h('strong', {}, 'Period: '), r.period || '–',
        ` · weight ${r.weight == null ? '–' : r.weight} · ${r.unit}`),
      h('div', { class: 'small source' }, h('strong', {}, 'Source: '), linkified(r.source || '–'))));
  const toggle = h('button', { type: 'button', class: 'link-button fit-id', 'aria-expanded': 'false' }, r.id);
  const row = h('tr', {
    class: `clickable${r.inside === false ? ' outside' : ''}${missing ? ' missing' : ''}`,
    dataset: { id: r.id, role: r.role, kind: r.kind },
    title: r.source,
    onclick: (e) => {
      if (e.target.closest('a')) return;
      source.hidden = !source.hidden;
      toggle.setAttribute('aria-expanded', String(!source.hidden));
    },
  },
  h('td', {}, toggle, h('div', { class: 'muted small' }, r.period)),
  h('td', { class: 'role', title: (ROLES[r.role] || {}).title }, roleLabel(r.role)),
  h('td', { class: 'num' }, value(r, r.observed)),
  h('td', { class: 'num range' }, r.low === r.high ? '–' : `${value(r, r.low)}–${value(r, r.high)}`),
  h('td', { class: missing ? 'num muted' : 'num' }, missing ? 'not in network' : value(r, r.predicted)),
  h('td', { class: 'num' }, relative),
  h('td', { class: 'num' }, r.geh == null ? '–' : fmt1(r.geh)),
  h('td', { class: r.inside === false ? 'down' : r.inside ? 'up' : 'muted' },
    r.inside == null ? '–' : r.inside ? 'yes' : 'no'));
  return [row, source];
}

/** The observations the table shows, with the columns of `karvan fit`'s fit.csv. */
function downloadFit() {
  if (!shown.data) return;
  const plain = (v) => (v == null ? '' : Object.is(v, -0) ? 0 : v);
  downloadCsv($('#fit-table').dataset.file, [
    ['id', 'role', 'kind', 'unit', 'observed', 'low', 'high', 'predicted', 'error', 'relative_error',
      'geh', 'inside', 'weight', 'period', 'source'],
    ...filteredRows().map((r) => [r.id, r.role, r.kind, r.unit, plain(r.observed), plain(r.low), plain(r.high),
      plain(r.predicted), plain(r.error), plain(r.relative_error), plain(r.geh),
      r.inside == null ? '' : String(r.inside), plain(r.weight), r.period, r.source]),
  ]);
}

/** Wires the Fit tab: it compares whenever it is opened or its scenario changes. */
export function bindFit() {
  $('#fit-scenario').addEventListener('change', () => attempt(loadFit));
  $('#fit-role').addEventListener('change', renderTable);
  $('#fit-csv').addEventListener('click', downloadFit);
  // A saved scenario may have changed since: the run is quick, so it is asked for again.
  onTab((tab) => { if (tab === 'fit') attempt(loadFit); });
}

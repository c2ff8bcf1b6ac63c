// The Appraise view: what the railways and border upgrades are worth, to whom and from which
// year. The person picks schemes (what is built together), the years the model is solved in,
// the discount rate and the Monte Carlo draws; the appraisal runs in the background; then a
// table of cases (every combination of the schemes chosen), and for the case chosen its four
// charts (drawn by the server), its net present value by country and who should pay for it.

import { api } from '../api.js';
import { serverSvg } from '../charts.js';
import { $, $$, fill, h } from '../dom.js';
import { fileSlug } from '../downloads.js';
import { fmt0, fmt1, fmt2, fmtPct, plural } from '../format.js';
import { jobStatus, runJob } from '../jobs.js';
import { attempt } from '../messages.js';
import { countryName } from '../state.js';
import { onTab } from '../tabs.js';

// The years the appraisal may name (as the server checks them).
const FIRST_YEAR = 1990;
const LAST_YEAR = 2100;
const MAX_DRAWS = 5000;
// The server's charts of a case, in the order they are shown.
const CHARTS = [
  ['cash_flow', 'Benefits and costs by year'],
  ['tornado', 'Tornado of the net present value'],
  ['countries', 'Net present value by country'],
  ['npv_histogram', 'Net present value over the Monte Carlo draws'],
];

// What the tab knows: the schemes offered, and the appraisal shown with what it was asked.
const shown = { offer: null, job: null, request: null, caseId: null };
let appraising = false;

const millions = (usd) => fmt1(usd / 1e6);
const money = (usd) => h('td', { class: 'num' }, millions(usd));

/** An internal rate of return: none, one rate, or each of several. */
function irrText(irr) {
  if (!irr || irr.kind === 'none') return 'none';
  if (irr.kind === 'one') return fmtPct(irr.rates);
  return `several: ${irr.rates.map(fmtPct).join(', ')}`;
}

// The request for what can be appraised, made once (again only if it failed).
let offered = null;

/** Asks the server what can be appraised, once, and offers its default schemes. */
export function loadProjects() {
  offered = offered || api('/api/projects').then((offer) => {
    shown.offer = offer;
    renderSchemes(offer);
    const d = offer.defaults;
    $('#appraise-years').placeholder = d.years.join(', ');
    $('#appraise-years-note').textContent = `between ${d.from} and ${d.to}, the years appraised`;
  }, (e) => {
    offered = null;
    throw e;
  });
  return offered;
}

function renderSchemes(offer) {
  const cost = new Map(offer.projects.map((p) => [p.project, p]));
  fill($('#appraise-schemes'), offer.schemes.map((sc) => {
    const projects = sc.projects.map((id) => cost.get(id)).filter(Boolean);
    const capex = projects.reduce((t, p) => t + p.capex_usd, 0);
    const opens = Math.max(...projects.map((p) => p.opens_year));
    return h('label', { title: sc.projects.join(' + ') },
      h('input', { type: 'checkbox', value: sc.id, checked: true, onchange: schemesChanged }),
      h('span', {}, h('strong', {}, sc.id), ' ',
        h('span', { class: 'muted small' }, `${sc.projects.join(' + ')}; opens ${opens}; ${fmt2(capex / 1e9)} bn USD`)));
  }));
  schemesChanged();
}

/** The number of cases and model runs the choice makes, under the list. */
function schemesChanged() {
  const n = chosenSchemes().length;
  const max = shown.offer ? shown.offer.max_schemes : 6;
  const note = $('#appraise-schemes-note');
  note.classList.toggle('down', n === 0 || n > max);
  note.textContent = n === 0 ? 'Choose at least one scheme.'
    : n > max ? `At most ${max} schemes go together: every set of them is solved.`
      : `${plural(2 ** n - 1, 'case')}: every combination of the ${plural(n, 'scheme')} chosen.`;
}

function chosenSchemes() {
  const ids = new Set($$('#appraise-schemes input:checked').map((i) => i.value));
  return shown.offer ? shown.offer.schemes.filter((sc) => ids.has(sc.id)) : [];
}

/** "2030, 2040 2055" → [2030, 2040, 2055], each a whole year. */
function readYears() {
  const text = $('#appraise-years').value.trim() || $('#appraise-years').placeholder;
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const years = parts.map(Number);
  if (!parts.length || years.some((y) => !Number.isInteger(y) || y < FIRST_YEAR || y > LAST_YEAR)) {
    throw new Error(`The solved years must be whole years from ${FIRST_YEAR} to ${LAST_YEAR}, separated by commas (got “${text}”).`);
  }
  return [...new Set(years)].sort((a, b) => a - b);
}

/** A number from a form field, checked against its bounds. */
function readNumber(selector, label, min, max, whole) {
  const text = $(selector).value.trim();
  const v = Number(text);
  if (text === '' || !Number.isFinite(v) || v < min || v > max || (whole && !Number.isInteger(v))) {
    throw new Error(`${label} must be ${whole ? 'a whole number' : 'a number'} from ${fmt0(min)} to ${fmt0(max)}.`);
  }
  return v;
}

function readForm() {
  if (!shown.offer) throw new Error('The schemes have not been loaded yet; open the tab again in a moment.');
  const schemes = chosenSchemes();
  if (!schemes.length) throw new Error('Choose at least one scheme to appraise.');
  if (schemes.length > shown.offer.max_schemes) {
    throw new Error(`At most ${shown.offer.max_schemes} schemes can be appraised together.`);
  }
  return {
    scenario: $('#appraise-scenario').value || 'today',
    schemes: schemes.map((sc) => ({ id: sc.id, projects: sc.projects })),
    years: readYears(),
    rate_percent: readNumber('#appraise-rate', 'The discount rate', 0, 50, false),
    draws: readNumber('#appraise-draws', 'The number of draws', 1, MAX_DRAWS, true),
  };
}

export async function appraise() {
  if (appraising) return;
  await loadProjects();
  const request = readForm();
  appraising = true;
  $('#appraise-button').disabled = true;
  // Until the new results come, the last ones stay only if this one never starts or is cancelled.
  const wasShown = !$('#appraise-results').hidden;
  $('#appraise-results').hidden = true;
  try {
    const job = await runJob({
      status: jobStatus('appraise'),
      path: '/api/appraisals',
      body: request,
      what: 'Appraisal',
      of: `of ${plural(request.schemes.length, 'scheme')} on ${request.scenario}`,
      // Every set of schemes in every solved year and sensitivity variant: one model run each.
      progress: (j, seconds) => ({
        text: `Model runs ${fmt0(j.done)} / ${fmt0(j.total)} (${seconds} s)`,
        done: j.done,
        total: j.total,
      }),
      howFar: (j) => (j.total ? `${fmt0(j.done)} of ${fmt0(j.total)} model runs done` : null),
      done: (j, seconds) => `Appraisal ${j.id} of ${request.scenario} done in ${seconds} s: ` +
        `${plural(j.appraisal.cases.length, 'case')}, ${plural(j.appraisal.runs, 'model run')}.`,
    });
    shown.job = job;
    shown.request = request;
    renderAppraisal();
  } catch (e) {
    if (e.shown && wasShown) $('#appraise-results').hidden = false;
    throw e;
  } finally {
    appraising = false;
    $('#appraise-button').disabled = false;
  }
}

function renderAppraisal() {
  const a = shown.job.appraisal;
  const { scenario } = shown.request;
  $('#appraise-results').hidden = false;
  $('#appraise-cases').dataset.file = fileSlug('karvan', 'appraisal', scenario, 'cases');
  $('#appraise-model').textContent = `Scenario ${scenario}: years ${a.start}–${a.horizon}, discounted at ` +
    `${fmtPct(a.discount_rate)} a year to ${a.start}; demand growing ${fmt1(a.growth_percent)} % a year; the model ` +
    `solved in ${a.solved_years.join(', ')} (${plural(a.runs, 'run')}) and interpolated between; ` +
    `${plural(a.cases[0] ? a.cases[0].monte_carlo.draws : 0, 'Monte Carlo draw')} ` +
    `(seed ${a.cases[0] ? a.cases[0].monte_carlo.seed : 1}). Money in million USD at ${a.start} values.`;
  renderCases(a.cases);
  fill($('#appraise-case'), a.cases.map((c) => h('option', { value: c.id }, c.id)));
  showCase(a.cases[0] ? a.cases[0].id : null);
}

function renderCases(cases) {
  $('#appraise-cases tbody').replaceChildren(...cases.map((c) => {
    const mc = c.monte_carlo;
    return h('tr', {
      class: 'clickable', title: 'Show its charts and tables', dataset: { case: c.id },
      onclick: () => showCase(c.id),
    },
    h('td', {}, c.id),
    money(c.npv_usd),
    h('td', { class: 'num' }, c.bcr == null ? '–' : fmt2(c.bcr)),
    h('td', { class: 'num' }, irrText(c.eirr)),
    h('td', { class: 'num' }, c.first_positive_year == null ? '–' : String(c.first_positive_year)),
    money(mc.p10_usd),
    money(mc.p50_usd),
    money(mc.p90_usd),
    h('td', { class: 'num' }, fmtPct(mc.probability_negative)));
  }));
}

/** Shows one case: its charts, its parties and its cost sharing. */
export function showCase(id) {
  const a = shown.job && shown.job.appraisal;
  const c = a && a.cases.find((x) => x.id === id);
  if (!c) return;
  shown.caseId = id;
  $('#appraise-case').value = id;
  for (const tr of $$('#appraise-cases tbody tr')) {
    tr.classList.toggle('selected', tr.dataset.case === id);
  }
  const { scenario } = shown.request;
  for (const table of ['countries', 'sharing']) {
    $(`#appraise-${table}`).dataset.file = fileSlug('karvan', 'appraisal', scenario, id, table);
  }
  const charts = shown.job.charts[id] || {};
  fill($('#appraise-charts'), CHARTS.map(([key, label]) => {
    const svg = serverSvg(charts[key], `${label}: ${id}`);
    return h('div', { class: 'chart', dataset: { chart: key } },
      svg || h('p', { class: 'muted small' }, `The server sent no chart of the ${label.toLowerCase()}.`));
  }));
  $('#appraise-case-key').textContent = `NPV ${millions(c.npv_usd)} million USD: benefits ` +
    `${millions(c.pv_benefits_usd)} less costs ${millions(c.pv_costs_usd)}` +
    (c.payback_year == null ? '; not paid back by the last year.' : `; paid back in ${c.payback_year}.`);
  renderParties(c);
  renderSharing(c);
}

function renderParties(c) {
  const rows = c.parties.filter((p) => [p.benefit_usd, p.cost_usd, p.npv_usd, p.levies_usd].some((v) => Math.abs(v) >= 5e4));
  $('#appraise-countries tbody').replaceChildren(...(rows.length
    ? rows.map((p) => h('tr', { dataset: { party: p.party } },
      h('td', { title: p.party }, countryName(p.party)),
      money(p.shippers_usd), money(p.levies_usd), money(p.transfers_usd),
      money(p.benefit_usd), money(p.cost_usd), money(p.npv_usd)))
    : [h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No country gains or pays.'))]));
}

function renderSharing(c) {
  const s = c.sharing;
  const note = $('#appraise-sharing-note');
  if (!s) {
    $('#appraise-sharing tbody').replaceChildren(h('tr', {},
      h('td', { colspan: 6, class: 'muted' }, 'No cost-sharing analysis for this case: no country gains enough to share the cost.')));
    note.textContent = '';
    return;
  }
  $('#appraise-sharing tbody').replaceChildren(...s.players.map((p) => h('tr', { dataset: { country: p.country } },
    h('td', { title: p.country }, countryName(p.country)),
    money(p.benefit_usd),
    money(p.proportional_payment_usd), money(p.proportional_net_usd),
    money(p.shapley_payment_usd), money(p.shapley_net_usd))));
  const blocked = (b) => (b ? `blocked by ${b.coalition.map(countryName).join(', ')} (short by ${millions(b.shortfall_usd)} million USD)` : 'in the core');
  note.textContent = `The best the countries can do with this case's schemes (building all, some or none of them) is ` +
    `worth ${millions(s.grand_value_usd)} million USD; building all of them, ${millions(s.whole_case_value_usd)}. ` +
    (s.core_empty ? 'No sharing keeps every coalition on board (the core is empty). '
      : `Sharing in proportion to benefit is ${blocked(s.proportional_blocked_by)}; by Shapley value, ${blocked(s.shapley_blocked_by)}.`);
}

/** Wires the Appraise tab: the schemes are asked for the first time it is opened. */
export function bindAppraise() {
  $('#appraise-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(appraise); });
  $('#appraise-case').addEventListener('change', (e) => showCase(e.target.value));
  onTab((tab) => { if (tab === 'appraise') attempt(loadProjects); });
}

// The Game view: transit tariffs as a game between countries (Nash, coordination,
// coalitions and Shapley values), solved in the background.

import { textWidth } from '../charts.js';
import { $, $$, fill, h, s } from '../dom.js';
import { fileSlug } from '../downloads.js';
import { changeClass, fmt0, fmt2, fmt3, fmtKt, fmtMusd, fmtSigned, plural, shortName, sum } from '../format.js';
import { jobStatus, runJob } from '../jobs.js';
import { attempt } from '../messages.js';
import { countryName, state } from '../state.js';

// The seven countries that carry transit: the server's default players.
const GAME_PLAYERS = ['KAZ', 'UZB', 'TKM', 'TJK', 'AFG', 'PAK', 'IRN'];
const GAME_MAX_PLAYERS = 8;
const GAME_NUMBERS = [
  ['max_multiplier', '#game-max-multiplier', 'The max multiplier'],
  ['outside_markup', '#game-outside-markup', 'The outside markup'],
  ['dispersion', '#game-dispersion', 'The dispersion'],
  ['shipper_weight', '#game-shipper-weight', 'The shipper weight'],
];
// Short column heads, so a table of six solutions fits the panel; the full name is the tooltip.
const SOLUTION_LABELS = { today: 'Today', nash: 'Nash', coordinated: 'Coordinated', 'coordinated+shippers': '+ shippers' };
const GAME_CORRIDOR_ROWS = 10;
const GAME_COLOURS = { shapley: '#1f5f99', nash: '#9ab7d3' };

const solutionLabel = (name) => SOLUTION_LABELS[name] || shortName(name);

/** "UZB rail" → "Uzbekistan rail". */
const variableLabel = (v) => v.replace(/^([A-Z]{3}) /, (_, iso3) => `${countryName(iso3)} `);

/** The player checkboxes: the transit countries first and ticked, as the server's default. */
export function renderGamePlayers() {
  const rank = (c) => (GAME_PLAYERS.includes(c.iso3) ? GAME_PLAYERS.indexOf(c.iso3) : GAME_PLAYERS.length);
  const countries = [...state.countries].sort((a, b) => rank(a) - rank(b));
  $('#game-players').replaceChildren(...countries.map((c) => h('label', { title: c.iso3 },
    h('input', { type: 'checkbox', value: c.iso3, checked: GAME_PLAYERS.includes(c.iso3),
      onchange: updatePlayersHint }),
    c.name)));
  updatePlayersHint();
}

/** Says what the choice of players costs: every coalition is solved, 2^n of them. */
function updatePlayersHint() {
  const n = $$('#game-players input:checked').length;
  const hint = $('#game-players-hint');
  hint.classList.toggle('down', n === 0 || n > GAME_MAX_PLAYERS);
  if (n === 0) hint.textContent = 'Choose at least one player.';
  else if (n > GAME_MAX_PLAYERS) hint.textContent = `At most ${GAME_MAX_PLAYERS} players.`;
  else {
    hint.textContent = `${plural(n, 'player')}, ${plural(2 ** n, 'coalition')} to solve. ` +
      'Each player more doubles the work: three take about a second, all seven a quarter of a minute or more.';
  }
}

/** The request for POST /api/games; an empty number field leaves the server's default. */
function readGameForm() {
  const players = $$('#game-players input:checked').map((input) => input.value);
  if (!players.length) throw new Error('Choose at least one player.');
  if (players.length > GAME_MAX_PLAYERS) {
    throw new Error(`At most ${GAME_MAX_PLAYERS} players: the game solves all 2^n coalitions.`);
  }
  const request = { scenario: $('#game-scenario').value, players };
  for (const [key, selector, label] of GAME_NUMBERS) {
    const input = $(selector);
    if (input.validity.badInput) throw new Error(`${label} must be a number ≥ 0.`);
    if (input.value.trim() === '') continue;
    const v = Number(input.value);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${label} must be a number ≥ 0.`);
    request[key] = v;
  }
  return request;
}

export async function playGame() {
  if (state.playing) return;
  const request = readGameForm();
  state.playing = true;
  $('#game-button').disabled = true;
  // Until the new results come, the last ones stay only if this one never starts or is cancelled.
  const shown = !$('#game-results').hidden;
  $('#game-results').hidden = true;
  try {
    const game = await runJob({
      status: jobStatus('game'),
      path: '/api/games',
      body: request,
      what: 'Game',
      of: `on ${request.scenario} with ${plural(request.players.length, 'player')}`,
      progress: (job, seconds) => ({
        text: `Coalitions solved ${job.coalitions_done} / ${job.coalitions} (${seconds} s)`,
        done: job.coalitions_done,
        total: job.coalitions,
      }),
      howFar: (job) => (job.coalitions ? `${fmt0(job.coalitions_done)} of ${plural(job.coalitions, 'coalition')} solved` : null),
      done: (job, seconds) => `Game ${job.id} on ${request.scenario} done in ${seconds} s: ` +
        `${plural(job.analysis.coalition_values.length, 'coalition')} solved.`,
    });
    renderGame(game.analysis, game.model, request);
  } catch (e) {
    if (e.shown && shown) $('#game-results').hidden = false;
    throw e;
  } finally {
    state.playing = false;
    $('#game-button').disabled = false;
  }
}

function renderGame(a, model, request) {
  $('#game-results').hidden = false;
  const file = fileSlug('karvan', 'game', request.scenario, request.players.join('-'));
  for (const id of ['game-tariffs', 'game-payoffs', 'game-shapley', 'game-corridors']) {
    $(`#${id}`).dataset.file = `${file}-${id.slice(5)}`;
  }
  $('#game-model').textContent = model;
  renderGameWarnings(a.warnings || []);
  renderGameKey(a);
  renderGameTariffs(a);
  renderGamePayoffs(a);
  renderGameShapley(a);
  $('#game-shapley-chart').replaceChildren(shapleyChart(a));
  renderGameCorridors(a);
}

/** What a reader should know before trusting the figures: players with no transit, and
 * solutions that sit on the cap of the multipliers. */
function renderGameWarnings(warnings) {
  const list = $('#game-warnings');
  list.replaceChildren(...warnings.map((w) => h('li', {}, `Warning: ${w}`)));
  list.hidden = warnings.length === 0;
}

/** The grand coalition (all players together) is the last entry: its bitmask has every bit. */
const grandValue = (a) => a.coalition_values[a.coalition_values.length - 1];

function renderGameKey(a) {
  const nash = sum(a.nash.payoffs);
  const coordinated = nash + a.value_of_coordination;
  const items = [
    ['Value of coordination', `${fmtSigned(a.value_of_coordination / 1e6, fmt2)} million USD/year`,
      `joint payoff ${fmtMusd(nash)} at Nash → ${fmtMusd(coordinated)} coordinated`],
    ['Grand coalition', h('span', { id: 'game-grand', dataset: { value: grandValue(a) } },
      `${fmtMusd(grandValue(a))} million USD/year`),
    'what all the players earn together; the Shapley values share it out'],
    ['Nash equilibrium', `${plural(a.nash.rounds, 'round')} of best responses`,
      `largest gain left to a single country: ${fmt0(a.nash.max_gain)} USD/year`],
    ['Best responses cycled', a.nash.cycled ? 'yes' : 'no', null],
    ['Core', a.core_empty ? 'empty' : 'not empty', a.core_empty
      ? 'no split of the coordinated payoff leaves every group at least as well off as on its own'
      : 'some split of the coordinated payoff leaves every group at least as well off as on its own'],
    ...corridorItems(a),
  ];
  $('#game-key').replaceChildren(...items.map(([k, v, note]) =>
    h('div', {}, h('dt', {}, k), h('dd', {}, v, note ? h('div', { class: 'muted small' }, note) : null))));
}

/** A corridor coalition is only in the game when all its members play. */
function corridorItems(a) {
  if (!a.corridor_coalitions.length) {
    return [['Corridor coalitions', 'none among these players',
      'Trans-Afghan needs UZB, AFG and PAK; Western needs KAZ, TKM and AFG']];
  }
  return a.corridor_coalitions.map(([name, together, apart]) => [
    h('span', { title: name }, shortName(name)),
    `${fmtMusd(together)} together, ${fmtMusd(apart)} apart (million USD/year)`,
    `${name.replace(/^.*\((.*)\)$/, '$1')}: ${fmtSigned((together - apart) / 1e6, fmt2)} from coordinating`,
  ]);
}

/** The head row of a table with one column per solution. */
function solutionHead(solutions, first, extra = []) {
  return h('tr', {}, h('th', {}, first), extra,
    solutions.map((sol) => h('th', { class: 'num', title: sol.name }, solutionLabel(sol.name))));
}

function renderGameTariffs(a) {
  fill($('#game-tariffs thead'), solutionHead(a.solutions, 'Tariff', h('th', { class: 'num unit', title: 'Today\'s transit tariff' }, 'USD/t-km')));
  $('#game-tariffs tbody').replaceChildren(...a.variables.map((v, i) => h('tr', {},
    h('td', {}, variableLabel(v)),
    h('td', { class: 'num' }, fmt3(a.base_tariff[i])),
    a.solutions.map((sol) => h('td', {
      class: 'num', title: `${fmt3(sol.strategy[i] * a.base_tariff[i])} USD/t-km`,
    }, fmt2(sol.strategy[i]))))));
}

function renderGamePayoffs(a) {
  const row = (label, value, format, cls = null) => h('tr', { class: cls },
    h('td', {}, label), a.solutions.map((sol) => h('td', { class: 'num' }, format(value(sol.evaluation)))));
  fill($('#game-payoffs thead'), solutionHead(a.solutions, 'Country'));
  $('#game-payoffs tbody').replaceChildren(
    ...a.settings.players.map((p, i) => row(countryName(p), (e) => e.payoffs[i], fmtMusd)),
    row('All players', (e) => sum(e.payoffs), fmtMusd, 'total'),
    row('Shipped (kt)', (e) => e.shipped_tonnes, fmtKt, 'section'),
    row('Outside option (kt)', (e) => e.outside_tonnes, fmtKt),
    row('Shippers\' surplus', (e) => e.surplus, fmtMusd));
}

function renderGameShapley(a) {
  const row = (label, shapley, nash, tag = 'td') => h('tr', {},
    h(tag, {}, label),
    h('td', { class: 'num', dataset: { value: shapley } }, fmtMusd(shapley)),
    h('td', { class: 'num' }, fmtMusd(nash)),
    h('td', { class: changeClass(shapley - nash) }, fmtSigned((shapley - nash) / 1e6, fmt2)));
  $('#game-shapley tbody').replaceChildren(...a.settings.players.map((p, i) =>
    row(countryName(p), a.shapley[i], a.nash.payoffs[i])));
  fill($('#game-shapley tfoot'), row('All players', sum(a.shapley), sum(a.nash.payoffs)));
}

/**
 * Bars of each country's Shapley value beside its Nash payoff, from a zero line (a
 * payoff that counts shippers' surplus can be negative).
 */
function shapleyChart(a) {
  const data = a.settings.players.map((p, i) => ({
    name: countryName(p), shapley: a.shapley[i] / 1e6, nash: a.nash.payoffs[i] / 1e6,
  }));
  // As wide as the widened panel, so the text is drawn at about its own size.
  const width = 620;
  const rowH = 30;
  const barH = 11;
  // Room for the longest name on the left and the longest value on the right.
  const m = {
    left: Math.ceil(Math.max(60, ...data.map((d) => textWidth(d.name, 12))) + 12),
    right: Math.ceil(Math.max(40, ...data.flatMap((d) => [d.shapley, d.nash]).map((v) => textWidth(fmt2(v), 11))) + 10),
    top: 24,
    bottom: 6,
  };
  const height = m.top + m.bottom + rowH * data.length;
  const values = data.flatMap((d) => [d.shapley, d.nash]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(lo + 1e-9, 0, ...values);
  const X = (v) => m.left + ((width - m.left - m.right) * (v - lo)) / (hi - lo);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Shapley value and Nash payoff by country' });
  [['shapley', 'Shapley value'], ['nash', 'Nash payoff']].forEach(([key, text], k) => {
    const x = m.left + k * 120;
    svg.append(s('rect', { x, y: 4, width: 12, height: 10, fill: GAME_COLOURS[key], rx: 1.5 }),
      s('text', { x: x + 17, y: 13, 'font-size': 11.5, fill: '#1d2733' }, text));
  });
  svg.append(s('text', { x: width, y: 13, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6b7a' }, 'million USD/year'));
  data.forEach((d, i) => {
    const y = m.top + i * rowH;
    svg.append(s('text', { x: m.left - 8, y: y + barH + 6, 'text-anchor': 'end', 'font-size': 12, fill: '#1d2733' }, d.name));
    ['shapley', 'nash'].forEach((key, k) => {
      const v = d[key];
      const top = y + 2 + k * (barH + 1);
      svg.append(s('rect', { x: Math.min(X(0), X(v)), y: top, width: Math.max(Math.abs(X(v) - X(0)), 1), height: barH,
        fill: GAME_COLOURS[key], rx: 1.5 }, s('title', {}, `${d.name}, ${key === 'nash' ? 'Nash payoff' : 'Shapley value'}: ${fmt2(v)} million USD/year`)));
      svg.append(s('text', { x: width - 2, y: top + barH - 1.5, 'text-anchor': 'end', 'font-size': 11,
        fill: key === 'nash' ? '#5f6b7a' : '#1d2733' }, fmt2(v)));
    });
  });
  svg.append(s('line', { x1: X(0), x2: X(0), y1: m.top - 2, y2: height - m.bottom, stroke: '#5f6b7a' }));
  return svg;
}

/** Corridors by their largest tonnage under any solution; the rest behind a button. */
function renderGameCorridors(a) {
  const names = [...new Set(a.solutions.flatMap((sol) => Object.keys(sol.evaluation.corridor_tonnes)))];
  const tonnes = (name, sol) => sol.evaluation.corridor_tonnes[name] || 0;
  const size = (name) => Math.max(...a.solutions.map((sol) => tonnes(name, sol)));
  const sorted = names.sort((x, y) => size(y) - size(x) || x.localeCompare(y));
  fill($('#game-corridors thead'), solutionHead(a.solutions, 'Corridor'));
  $('#game-corridors tbody').replaceChildren(
    ...sorted.map((name, i) => h('tr', { hidden: i >= GAME_CORRIDOR_ROWS },
      h('td', {}, name), a.solutions.map((sol) => h('td', { class: 'num' }, fmtKt(tonnes(name, sol)))))),
    h('tr', { class: 'section' }, h('td', {}, 'Outside option'),
      a.solutions.map((sol) => h('td', { class: 'num' }, fmtKt(sol.evaluation.outside_tonnes)))));
  const more = $('#game-corridors-more');
  more.hidden = sorted.length <= GAME_CORRIDOR_ROWS;
  more.textContent = `Show all ${sorted.length} corridors`;
}

export function showAllGameCorridors() {
  for (const tr of $$('#game-corridors tbody tr')) tr.hidden = false;
  $('#game-corridors-more').hidden = true;
}

/** Wires the Game tab's controls and lists the players. */
export function bindGame() {
  $('#game-form').addEventListener('submit', (e) => { e.preventDefault(); attempt(playGame); });
  $('#game-corridors-more').addEventListener('click', showAllGameCorridors);
}

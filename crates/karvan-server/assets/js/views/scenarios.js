// The Scenarios view: the list of scenarios and the editor (tariffs, projects, closures),
// saved as TOML through the API.

import { api } from '../api.js';
import { ask } from '../dialog.js';
import { $, h } from '../dom.js';
import { fmtPercent } from '../format.js';
import { closePopup } from '../map/map.js';
import { addClickHandler, addClosedView, addPopupAction, loadNetwork, restyleClosures } from '../map/network.js';
import { attempt, hideError, showMessage } from '../messages.js';
import { fillScenarioPickers } from '../pickers.js';
import { state } from '../state.js';
import { currentTab, showTab } from '../tabs.js';
import { DEFAULT_BASE, editorToToml } from '../toml.js';
import { runAndCompare } from './runs.js';

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

export async function loadScenarios() {
  state.scenarios = await api('/api/scenarios');
  renderScenarioList();
  fillScenarioPickers();
}

function renderScenarioList() {
  const current = state.editor && state.editor.original;
  $('#scenario-list').replaceChildren(...state.scenarios.map((sc) => h('li', { class: sc.name === current ? 'current' : null },
    h('div', {},
      h('div', {}, h('span', { class: 'scenario-name' }, sc.name), h('span', { class: `badge ${sc.origin}` }, sc.origin)),
      sc.description ? h('div', { class: 'scenario-desc' }, sc.description) : null),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'small', onclick: () => attempt(() => openScenario(sc.name)) },
        sc.origin === 'saved' ? 'Edit' : 'Copy & edit'),
      h('button', { type: 'button', class: 'small', title: 'Show this scenario\'s network on the map',
        onclick: () => attempt(() => loadNetwork(sc.name)) }, 'Map'),
      h('button', { type: 'button', class: 'small', onclick: () => attempt(() => runAndCompare(sc.name)) }, 'Run'),
      sc.undo ? h('button', {
        type: 'button', class: 'small', dataset: { undo: sc.name },
        title: 'Put back the version this scenario had before it was last replaced',
        onclick: () => attempt(() => undoScenario(sc.name)),
      }, 'Restore previous') : null))));
}

/** An editor state: what the form shows, plus what the form cannot show but keeps. */
function blankEditor() {
  return {
    original: null,
    origin: 'new',
    base: DEFAULT_BASE,
    name: '',
    description: '',
    year: null,
    growth: 0,
    tariffs: {},            // ISO3 -> percent change of transit tariffs
    closures: new Set(),
    projects: {},           // project id -> true | false | year
    extra: { tariffs: [], parameters: {}, assignment: {}, byCommodity: {}, game: {}, disruptions: [] },
  };
}

/** A tariff change that the per-country slider can show: a plain % on transit tariffs. */
function isSimpleTariff(t) {
  return t.percent != null && t.mode == null && (t.commodity == null || t.commodity === '*') &&
    (t.kind == null || t.kind === 'transit') && t.usd_per_t == null && t.usd_per_tkm == null;
}

function editorFromScenario(name, origin, sc) {
  const ed = blankEditor();
  ed.original = origin === 'saved' ? name : null;
  ed.origin = origin;
  ed.name = origin === 'saved' ? name : (name === 'base' ? '' : `${name}-copy`);
  if (!sc) return ed;
  ed.base = sc.base || DEFAULT_BASE;
  ed.description = sc.description || '';
  ed.year = sc.year ?? null;
  ed.growth = (sc.demand && sc.demand.growth_percent_per_year) || 0;
  ed.closures = new Set(sc.closures || []);
  ed.projects = { ...(sc.projects || {}) };
  for (const t of sc.tariff || []) {
    if (isSimpleTariff(t) && !(t.country in ed.tariffs)) ed.tariffs[t.country] = t.percent;
    else ed.extra.tariffs.push(t);
  }
  ed.extra.parameters = { ...(sc.parameters || {}) };
  ed.extra.assignment = Object.fromEntries(Object.entries(sc.assignment || {}).filter(([, v]) => v != null));
  ed.extra.byCommodity = { ...((sc.demand && sc.demand.by_commodity) || {}) };
  ed.extra.game = Object.fromEntries(Object.entries(sc.game || {}).filter(([, v]) => v != null));
  ed.extra.disruptions = sc.disruption || [];
  return ed;
}

/** What belonged to the scenario edited before (a popup about it, an error) goes. */
function leaveEditedScenario() {
  closePopup();
  hideError();
}

async function openScenario(name) {
  const data = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  leaveEditedScenario();
  state.editor = editorFromScenario(name, data.origin, data.scenario);
  renderEditor();
  showTab('scenarios');
  $('#scenario-name').focus();
}

export function newScenario() {
  leaveEditedScenario();
  state.editor = blankEditor();
  renderEditor();
  showTab('scenarios');
  $('#scenario-name').focus();
}

function renderEditor() {
  const ed = state.editor;
  const form = $('#scenario-editor');
  form.hidden = false;
  $('#editor-note').textContent = ed.origin === 'shipped' || ed.origin === 'dataset'
    ? 'Shipped scenarios cannot be overwritten: this copy is saved under the name below.'
    : 'Saved in the server\'s scenario folder. Click crossings on the map to close or reopen them.';
  $('#scenario-name').value = ed.name;
  $('#scenario-description').value = ed.description;
  $('#scenario-year').value = ed.year ?? '';
  $('#scenario-growth').value = ed.growth;
  renderTariffSliders();
  renderProjectSwitches();
  renderClosureList();
  renderExtraNote();
  $('#toml-preview').hidden = true;
  if (!state.running) $('#run-status').hidden = true; // a run under way keeps its status and Cancel
  renderEditorActions();
  renderScenarioList();
  restyleClosures();
}

/** Rename and Delete are for a scenario saved here, as it is saved. */
function renderEditorActions() {
  const ed = state.editor;
  const saved = Boolean(ed && ed.original && ed.origin === 'saved');
  $('#rename-button').hidden = !saved;
  $('#delete-button').hidden = !saved;
  if (ed) $('#editor-title').textContent = ed.original ? `Edit ${ed.original}` : 'New scenario';
}

function renderTariffSliders() {
  const ed = state.editor;
  const box = $('#tariff-sliders');
  box.replaceChildren();
  for (const c of state.countries) {
    const value = ed.tariffs[c.iso3] || 0;
    const out = h('output', { for: `tariff-${c.iso3}`, class: value ? 'changed' : null }, fmtPercent(value));
    const slider = h('input', {
      type: 'range', id: `tariff-${c.iso3}`, min: -100, max: 100, step: 1, value,
      'aria-label': `Change of ${c.name}'s transit tariffs, percent`,
      title: c.tariffs.length ? `${c.tariffs.length} tariff rows in the dataset` : 'No tariff rows in the dataset',
    });
    const update = () => {
      const v = Number(slider.value);
      if (v) ed.tariffs[c.iso3] = v; else delete ed.tariffs[c.iso3];
      out.textContent = fmtPercent(v);
      out.classList.toggle('changed', v !== 0);
    };
    slider.addEventListener('input', update);
    slider.addEventListener('change', update);
    box.append(h('label', { for: `tariff-${c.iso3}` }, c.name), slider, out);
  }
}


function renderProjectSwitches() {
  const ed = state.editor;
  const box = $('#project-switches');
  if (!state.projects.size) { box.replaceChildren(h('p', { class: 'muted' }, 'The dataset has no projects.')); return; }
  box.replaceChildren(...[...state.projects].map(([id, info]) => {
    const setting = ed.projects[id];
    const options = [h('option', { value: '' }, 'as in dataset'),
      h('option', { value: 'true' }, 'open'), h('option', { value: 'false' }, 'closed')];
    if (typeof setting === 'number') options.push(h('option', { value: String(setting) }, `opens in ${setting}`));
    const select = h('select', { id: `project-${id}` }, options);
    select.value = setting == null ? '' : String(setting);
    select.addEventListener('change', () => {
      const v = select.value;
      if (v === '') delete ed.projects[id];
      else if (v === 'true' || v === 'false') ed.projects[id] = v === 'true';
      else ed.projects[id] = Number(v);
    });
    const what = `${info.links} line${info.links === 1 ? '' : 's'}, ${info.status.replace('_', ' ')}`;
    return h('div', { class: 'project' },
      h('label', { for: `project-${id}` }, h('span', {}, id, h('div', { class: 'muted small' }, what))), select);
  }));
}

export function renderClosureList() {
  const ed = state.editor;
  const filter = $('#closure-filter').value.trim().toLowerCase();
  const known = new Set(state.crossings.map((c) => c.id));
  // Closed links (or unknown ids) from a loaded scenario are listed too, so they survive.
  const others = [...ed.closures].filter((id) => !known.has(id)).map((id) => ({ id, name: id, mode: 'link' }));
  const items = [...state.crossings, ...others].filter((c) =>
    !filter || c.name.toLowerCase().includes(filter) || c.id.includes(filter));
  $('#closure-list').replaceChildren(...items.map((c) => {
    const closed = ed.closures.has(c.id);
    return h('label', { class: closed ? 'closed' : null, title: c.id },
      h('input', { type: 'checkbox', checked: closed, dataset: { id: c.id },
        onchange: () => toggleClosure(c.id) }),
      c.name);
  }));
}

function renderExtraNote() {
  const x = state.editor.extra;
  const kept = [];
  if (x.tariffs.length) kept.push(`${x.tariffs.length} other tariff rule${x.tariffs.length === 1 ? '' : 's'}`);
  if (Object.keys(x.parameters).length) kept.push('parameter overrides');
  if (Object.keys(x.assignment).length) kept.push('route-choice settings');
  if (Object.keys(x.byCommodity).length) kept.push('growth by commodity');
  if (Object.keys(x.game).length) kept.push('game settings');
  if (x.disruptions.length) kept.push(`${x.disruptions.length} disruption${x.disruptions.length === 1 ? '' : 's'}`);
  $('#editor-extra').textContent = kept.length
    ? `Also kept from the original, unchanged: ${kept.join(', ')} (see “Show TOML”).` : '';
}

/** Whether a click on a crossing should close it rather than open its popup. */
function editingOnMap() {
  return Boolean(state.editor) && currentTab() === 'scenarios' && !$('#scenario-editor').hidden;
}

function toggleClosure(id) {
  const ed = state.editor;
  if (!ed) return;
  const closing = !ed.closures.has(id);
  if (closing) ed.closures.add(id); else ed.closures.delete(id);
  const crossing = state.crossings.find((c) => c.id === id);
  showMessage(`${crossing ? crossing.name : id} ${closing ? 'closed' : 'reopened'} in the scenario being edited.`, 'info');
  renderClosureList();
  restyleClosures();
}

/** Reads the form fields into the editor state. */
function readEditorForm() {
  const ed = state.editor;
  ed.name = $('#scenario-name').value.trim();
  ed.description = $('#scenario-description').value.trim();
  const year = $('#scenario-year').value.trim();
  ed.year = year === '' ? null : Number(year);
  ed.growth = Number($('#scenario-growth').value) || 0;
  if (!NAME_RE.test(ed.name)) {
    throw new Error('A scenario name is 1–64 lowercase letters, digits and “-”, starting with a letter or digit.');
  }
  if (ed.name === 'base') throw new Error('“base” is the dataset itself; choose another name.');
  if (ed.year != null && !Number.isInteger(ed.year)) throw new Error('The year must be a whole number.');
  return ed;
}

const scenarioUrl = (name, action = '') => `/api/scenarios/${encodeURIComponent(name)}${action}`;

/**
 * Saves the scenario being edited. Saving it under its own name replaces it; under the name
 * of another saved scenario, the page asks first. Returns the name saved under, or null if
 * the person chose not to replace.
 */
export async function saveScenario() {
  const ed = readEditorForm();
  const toml = editorToToml(ed);
  const put = (overwrite) => api(scenarioUrl(ed.name, overwrite ? '?overwrite=true' : ''), {
    method: 'PUT',
    headers: { 'content-type': 'application/toml' },
    body: toml,
  });
  const own = ed.origin === 'saved' && ed.original === ed.name;
  let answer;
  try {
    answer = await put(own);
  } catch (e) {
    if (e.code !== 'exists') throw e;
    const replace = await ask({
      title: `Replace scenario ${ed.name}?`,
      text: `A saved scenario “${ed.name}” exists already. Replacing it keeps its previous version, so this can be undone.`,
      ok: 'Replace',
      danger: true,
    });
    if (!replace) {
      showNotice(`Not saved: the scenario “${ed.name}” is as it was. Choose another name to keep both.`);
      $('#scenario-name').focus();
      return null;
    }
    answer = await put(true);
  }
  ed.original = ed.name;
  ed.origin = 'saved';
  renderEditorActions();
  await loadScenarios();
  const name = ed.name;
  if (answer && answer.overwritten) {
    showNotice(`Replaced scenario “${name}”; its previous version is kept.`,
      { label: 'Undo', run: () => undoScenario(name) });
  } else {
    showNotice(`Saved scenario “${name}”.`, { label: 'Undo', run: () => unsave(name) });
  }
  return name;
}

/** A notice in the Scenarios tab about the last thing done to a scenario, with a way back. */
function showNotice(text, action = null) {
  const box = $('#scenario-notice');
  $('.notice-text', box).textContent = text;
  const button = $('#scenario-undo');
  button.hidden = !action;
  button.textContent = action ? action.label : '';
  button.onclick = action ? () => attempt(async () => {
    button.disabled = true;
    try { await action.run(); } finally { button.disabled = false; }
  }) : null;
  box.hidden = false;
}

/** After the list changes: the map and the pickers leave a scenario that has gone. */
async function scenariosChanged(gone = null, now = null) {
  await loadScenarios();
  if (gone && state.mapScenario === gone) await loadNetwork(now || 'base');
}

/** Undoes the save of a new scenario: it is deleted (and can be brought back in turn). */
async function unsave(name) {
  await api(scenarioUrl(name), { method: 'DELETE' });
  if (state.editor && state.editor.original === name) {
    state.editor.original = null;
    state.editor.origin = 'new';
    renderEditorActions();
  }
  await scenariosChanged(name);
  showNotice(`Took back the save: “${name}” is deleted.`, { label: 'Undo', run: () => undoScenario(name) });
}

/** Puts back the previous version of a scenario (after a replace or a delete). */
async function undoScenario(name) {
  const had = state.scenarios.some((sc) => sc.name === name);
  await api(scenarioUrl(name, '/undo'), { method: 'POST' });
  await scenariosChanged();
  if (state.editor && (state.editor.original === name || (!had && state.editor.name === name))) await openScenario(name);
  if (had) {
    // The version replaced is kept in turn: undoing again goes forward.
    showNotice(`Put back the previous version of “${name}”.`, { label: 'Redo', run: () => undoScenario(name) });
  } else {
    showNotice(`Restored scenario “${name}”.`);
  }
  if (state.mapScenario === name) await loadNetwork(name);
}

async function deleteScenario() {
  const ed = state.editor;
  if (!ed || !ed.original) return;
  const name = ed.original;
  const sure = await ask({
    title: `Delete scenario ${name}?`,
    text: 'Its file is moved aside, so Undo can bring it back until it is deleted or replaced again.',
    ok: 'Delete',
    danger: true,
  });
  if (!sure) return;
  await api(scenarioUrl(name), { method: 'DELETE' });
  state.editor = null;
  $('#scenario-editor').hidden = true;
  restyleClosures();
  await scenariosChanged(name);
  showNotice(`Deleted scenario “${name}”.`, { label: 'Undo', run: () => undoScenario(name) });
}

/** A name a saved scenario can take, or why not. */
function nameProblem(name, current) {
  if (!NAME_RE.test(name)) return 'A scenario name is 1–64 lowercase letters, digits and “-”, starting with a letter or digit.';
  if (name === current) return 'That is its name already.';
  if (name === 'base') return '“base” is the dataset itself; choose another name.';
  if (state.scenarios.some((sc) => sc.name === name)) return `A scenario “${name}” exists already; choose another name.`;
  return null;
}

async function renameScenario(from = state.editor && state.editor.original, suggested = null) {
  if (!from) return;
  const to = suggested || await ask({
    title: `Rename scenario ${from}`,
    ok: 'Rename',
    input: { label: 'New name', value: from, check: (v) => nameProblem(v, from) },
  });
  if (!to) return;
  await api(scenarioUrl(from, '/rename'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to }),
  });
  const ed = state.editor;
  if (ed && ed.original === from) {
    ed.original = to;
    ed.name = to;
    $('#scenario-name').value = to;
    renderEditorActions();
  }
  await scenariosChanged(from, to);
  showNotice(`Renamed “${from}” to “${to}”.`, { label: 'Undo', run: () => renameScenario(to, from) });
}

export function showToml() {
  const pre = $('#toml-preview');
  if (!pre.hidden) { pre.hidden = true; return; }
  pre.textContent = editorToToml(readEditorForm());
  pre.hidden = false;
}

/** Save (when editing), run, show the flows, and compare with the base. */
export async function runFromEditor() {
  if (state.running) return;
  const name = await saveScenario();
  if (name) await runAndCompare(name);
}

// While a scenario is being edited its closures are what the map shows, and a click on a
// crossing closes or reopens it.
addClosedView((p) => (editingOnMap() ? state.editor.closures.has(p.id) : null));
addClickHandler((p) => {
  if (p.element !== 'crossing' || !editingOnMap()) return false;
  toggleClosure(p.id);
  return true;
});
addPopupAction((p) => {
  if (p.element !== 'crossing' || !state.editor) return null;
  const closed = state.editor.closures.has(p.id);
  return h('button', {
    type: 'button', class: 'small',
    onclick: () => { toggleClosure(p.id); state.map.closePopup(); },
  }, closed ? 'Reopen in the scenario being edited' : 'Close in the scenario being edited');
});

/** Wires the Scenarios tab's controls. */
export function bindScenarios() {
  $('#new-scenario').addEventListener('click', newScenario);
  $('#scenario-editor').addEventListener('submit', (e) => { e.preventDefault(); attempt(saveScenario); });
  $('#run-button').addEventListener('click', () => attempt(runFromEditor));
  $('#toml-button').addEventListener('click', () => attempt(showToml));
  $('#rename-button').addEventListener('click', () => attempt(() => renameScenario()));
  $('#delete-button').addEventListener('click', () => attempt(deleteScenario));
  $('#closure-filter').addEventListener('input', () => { if (state.editor) renderClosureList(); });
}

// Runs: a scenario assigned in the background and polled, its flows drawn, then compared
// with the base.

import { api, POLL_MS } from '../api.js';
import { $, h, sleep } from '../dom.js';
import { fmt0, fmtPct } from '../format.js';
import { loadNetwork } from '../map/network.js';
import { showFlows } from '../map/overlays.js';
import { state } from '../state.js';
import { showTab } from '../tabs.js';
import { compare } from './compare.js';

function setRunStatus(status, text) {
  const box = $('#run-status');
  box.hidden = false;
  box.dataset.status = status;
  $('#run-progress').hidden = status !== 'running';
  $('.run-status-text', box).textContent = text;
}

/** Starts a run and polls it until it is done or failed. */
async function runScenario(name) {
  const started = Date.now();
  setRunStatus('running', `Running ${name}…`);
  const { id } = await api('/api/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: name }),
  });
  for (;;) {
    const run = await api(`/api/runs/${id}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (run.status === 'done') {
      setRunStatus('done', `Run ${id} of ${name} done in ${seconds} s.`);
      return run;
    }
    if (run.status === 'failed') {
      setRunStatus('failed', `Run ${id} of ${name} failed: ${run.error}`);
      throw new Error(`The run of ${name} failed: ${run.error}`);
    }
    setRunStatus('running', `Running ${name}… ${seconds} s`);
    await sleep(POLL_MS);
  }
}

export async function runAndCompare(name) {
  if (state.running) return;
  state.running = true;
  $('#run-button').disabled = true;
  try {
    const run = await runScenario(name);
    state.lastRun = run;
    renderRunSummary(run);
    await loadNetwork(name);
    const flows = await api(`/api/runs/${run.id}/flows`);
    showFlows(flows, name);
    $('#compare-a').value = 'base';
    $('#compare-b').value = name;
    await compare('base', name);
    showTab('compare');
  } catch (e) {
    if ($('#run-status').dataset.status === 'running') setRunStatus('failed', e.message);
    throw e;
  } finally {
    state.running = false;
    $('#run-button').disabled = false;
  }
}

function renderRunSummary(run) {
  const r = run.results;
  const a = r.assignment || {};
  const top = [...(r.corridors || [])].sort((x, y) => y.tonnes - x.tonnes).slice(0, 6);
  $('#run-summary').replaceChildren(
    h('h3', {}, `Run ${run.id}: ${run.scenario}`),
    h('dl', {},
      h('dt', {}, 'Demand'), h('dd', {}, `${fmt0(r.demand_tonnes)} t/year`),
      h('dt', {}, 'Routed'), h('dd', {}, `${fmt0(r.routed_tonnes)} t/year`),
      h('dt', {}, 'Unroutable demand rows'), h('dd', {}, fmt0((r.unroutable || []).length)),
      h('dt', {}, 'Route choice'), h('dd', {}, `${a.method || '–'}, ${fmt0(a.iterations)} iterations`),
      h('dt', {}, a.measure || 'Convergence'), h('dd', {}, a.convergence != null ? a.convergence.toExponential(1) : '–')),
    h('h4', {}, 'Largest corridors'),
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Corridor'), h('th', { class: 'num' }, 'Tonnes'), h('th', { class: 'num' }, 'Share'))),
      h('tbody', {}, top.map((c) => h('tr', {}, h('td', {}, c.corridor),
        h('td', { class: 'num' }, fmt0(c.tonnes)), h('td', { class: 'num' }, fmtPct(c.share)))))));
}


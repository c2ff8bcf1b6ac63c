// Runs: a scenario assigned in the background and polled, its flows drawn, then compared
// with the base. The run's corridors and flows can be downloaded.

import { api } from '../api.js';
import { $, h } from '../dom.js';
import { downloadCsv, downloadGeoJson, fileSlug } from '../downloads.js';
import { fmt0, fmtPct, plural } from '../format.js';
import { jobStatus, runJob } from '../jobs.js';
import { loadNetwork } from '../map/network.js';
import { showFlows } from '../map/overlays.js';
import { state } from '../state.js';
import { showTab } from '../tabs.js';
import { compare } from './compare.js';

/** Starts a run and polls it until it is done, failed or cancelled. */
function runScenario(name) {
  return runJob({
    status: jobStatus('run'),
    path: '/api/runs',
    body: { scenario: name },
    what: 'Run',
    of: `of ${name}`,
    progress: (run, seconds) => ({ text: `Running ${name}… ${seconds} s` }),
    done: (run, seconds) => `Run ${run.id} of ${name} done in ${seconds} s.`,
  });
}

export async function runAndCompare(name) {
  if (state.running) return;
  state.running = true;
  $('#run-button').disabled = true;
  try {
    const run = await runScenario(name);
    state.lastRun = run;
    await loadNetwork(name);
    const flows = await api(`/api/runs/${run.id}/flows`);
    state.lastFlows = flows;
    renderRunSummary(run);
    showFlows(flows, name);
    $('#compare-a').value = 'base';
    $('#compare-b').value = name;
    await compare('base', name);
    showTab('compare');
  } finally {
    state.running = false;
    $('#run-button').disabled = false;
  }
}

function renderRunSummary(run) {
  const r = run.results;
  const a = r.assignment || {};
  const corridors = [...(r.corridors || [])].sort((x, y) => y.tonnes - x.tonnes);
  const top = corridors.slice(0, 6);
  const file = (what) => fileSlug('karvan', 'run', run.id, run.scenario, what);
  $('#run-summary').replaceChildren(
    h('h3', {}, `Run ${run.id}: ${run.scenario}`),
    h('dl', {},
      h('dt', {}, 'Demand'), h('dd', {}, `${fmt0(r.demand_tonnes)} t/year`),
      h('dt', {}, 'Routed'), h('dd', {}, `${fmt0(r.routed_tonnes)} t/year`),
      h('dt', {}, 'Unroutable demand rows'), h('dd', {}, fmt0((r.unroutable || []).length)),
      h('dt', {}, 'Route choice'), h('dd', {}, `${a.method || '–'}, ${plural(a.iterations, 'iteration')}`),
      h('dt', {}, a.measure || 'Convergence'), h('dd', {}, a.convergence != null ? a.convergence.toExponential(1) : '–')),
    h('h4', {}, 'Largest corridors'),
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Corridor'), h('th', { class: 'num' }, 'Tonnes'), h('th', { class: 'num' }, 'Share'))),
      h('tbody', {}, top.map((c) => h('tr', {}, h('td', {}, c.corridor),
        h('td', { class: 'num' }, fmt0(c.tonnes)), h('td', { class: 'num' }, fmtPct(c.share)))))),
    h('div', { class: 'downloads' },
      h('button', {
        type: 'button', class: 'link-button download', id: 'run-corridors-csv',
        onclick: () => downloadCsv(file('corridors'), [
          ['corridor', 'tonnes', 'share'],
          ...corridors.map((c) => [c.corridor, c.tonnes, c.share]),
        ]),
      }, `All ${corridors.length} corridors (CSV)`),
      h('button', {
        type: 'button', class: 'link-button download', id: 'run-flows-geojson',
        onclick: () => downloadGeoJson(file('flows'), state.lastFlows),
      }, 'Flows on the map (GeoJSON)'),
      // The server writes the report and sends it as an attachment: a plain link saves it.
      h('a', {
        class: 'link-button download', id: 'run-report',
        href: `/api/report?scenario=${encodeURIComponent(run.scenario)}`,
      }, 'The whole report (HTML)')));
}

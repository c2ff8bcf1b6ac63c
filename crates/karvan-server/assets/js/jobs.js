// Background jobs (runs, games, resilience analyses): started, then polled until they are
// done, failed or cancelled. Each has a status line with a progress bar and a Cancel button;
// it says when the job waits in the server's queue, when it was cancelled, and when the
// server is too busy to take it (503).

import { api, json, POLL_MS } from './api.js';
import { $, sleep } from './dom.js';

/** The status line of a job: `#<name>-status`, with `#<name>-progress` and `#<name>-cancel`. */
export function jobStatus(name) {
  const box = $(`#${name}-status`);
  const bar = $(`#${name}-progress`);
  const cancel = $(`#${name}-cancel`);
  return {
    box,
    cancel,
    /** Shows a state ('queued', 'running', 'cancelling', 'done', 'failed', 'cancelled', 'busy'). */
    set(status, text, done = null, total = null) {
      box.hidden = false;
      box.dataset.status = status;
      bar.hidden = !['queued', 'running', 'cancelling'].includes(status);
      // Until the server has counted the steps the bar is indeterminate (no value).
      if (total && status === 'running') {
        bar.max = total;
        bar.value = done;
      } else {
        bar.removeAttribute('value');
      }
      $('.run-status-text', box).textContent = text;
    },
    get status() { return box.dataset.status; },
  };
}

/** A job that did not run to its end (cancelled, or refused by a busy server), as its status line says. */
class ShownError extends Error {
  constructor(message, props = {}) {
    super(message);
    Object.assign(this, props, { shown: true });
  }
}

/**
 * Runs a background job to its end and returns its final answer (status 'done').
 *
 * spec: {
 *   status: jobStatus(...),
 *   path: '/api/runs' (POST starts it, GET and DELETE path/id poll and cancel it),
 *   body: the request,
 *   what: 'Run', of: 'of base' — how the status line names it,
 *   progress(job, seconds) → { text, done, total } while it runs,
 *   done(job, seconds) → the text when it is done,
 *   howFar(job) → how far a cancelled job had got, or null (optional),
 * }
 * Throws when it fails, is cancelled (error.cancelled) or the server is busy (error.busy).
 */
export async function runJob(spec) {
  const { status } = spec;
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  const name = (id) => `${spec.what} ${id} ${spec.of}`;
  status.set('running', `Starting ${spec.what.toLowerCase()} ${spec.of}…`);
  let id;
  try {
    ({ id } = await api(spec.path, json('POST', spec.body)));
  } catch (e) {
    if (e.status === 503) {
      const wait = e.retryAfter ? ` (it suggests trying again in ${e.retryAfter} s)` : '';
      status.set('busy', `Not started, the server is busy: ${e.message}${wait}`);
      throw new ShownError(e.message, { busy: true });
    }
    status.set('failed', `${spec.what} ${spec.of} could not start: ${e.message}`);
    throw e;
  }

  let cancelling = false;
  const cancel = async () => {
    if (cancelling) return;
    cancelling = true;
    status.cancel.disabled = true;
    status.set('cancelling', `Cancelling ${name(id)}…`);
    try {
      await api(`${spec.path}/${id}`, { method: 'DELETE' });
    } catch (e) {
      // 'finished': it ended before the request arrived; the next poll says how.
      if (e.code !== 'finished') status.set('failed', `${name(id)} could not be cancelled: ${e.message}`);
    }
  };
  status.cancel.hidden = false;
  status.cancel.disabled = false;
  status.cancel.onclick = cancel;
  try {
    for (;;) {
      const job = await api(`${spec.path}/${id}`);
      if (job.status === 'done') {
        status.set('done', spec.done(job, seconds()));
        return job;
      }
      if (job.status === 'failed') {
        status.set('failed', `${name(id)} failed: ${job.error}`);
        throw new Error(`${name(id)} failed: ${job.error}`);
      }
      if (job.status === 'cancelled') {
        const far = spec.howFar ? spec.howFar(job) : null;
        status.set('cancelled', `${name(id)} cancelled after ${seconds()} s${far ? `, ${far}` : ''}; nothing was kept.`);
        throw new ShownError('cancelled', { cancelled: true });
      }
      if (job.status === 'cancelling') {
        status.set('cancelling', `Cancelling ${name(id)}… ${seconds()} s`);
      } else if (job.status === 'queued') {
        status.set('queued', `${name(id)} is waiting for the server to finish other jobs… ${seconds()} s`);
      } else if (!cancelling) {
        const p = spec.progress(job, seconds());
        status.set('running', p.text, p.done, p.total);
      }
      await sleep(POLL_MS);
    }
  } finally {
    status.cancel.hidden = true;
    status.cancel.onclick = null;
  }
}

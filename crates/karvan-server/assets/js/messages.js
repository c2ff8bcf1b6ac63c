// The message area under the header: errors stay until dismissed, other messages fade.

import { $ } from './dom.js';

let messageTimer = null;

/** Shows a message; errors stay until dismissed, other messages fade after a while. */
export function showMessage(text, kind = 'error') {
  const box = $('#message');
  box.className = `message ${kind}`;
  $('.message-text', box).textContent = text;
  box.hidden = false;
  clearTimeout(messageTimer);
  if (kind !== 'error') messageTimer = setTimeout(hideMessage, 6000);
}

export function hideMessage() {
  $('#message').hidden = true;
}

/** Hides an error: it belonged to the tab or scenario the person has left. */
export function hideError() {
  if ($('#message').classList.contains('error')) hideMessage();
}

/**
 * Runs an action and shows its error, so no handler fails silently. An error that says it
 * has been shown already (a cancelled job, a busy server, in the job's own status line) is
 * not repeated.
 */
export async function attempt(action) {
  try {
    return await action();
  } catch (e) {
    if (!(e && e.shown)) showMessage((e && e.message) || String(e), 'error');
    return undefined;
  }
}


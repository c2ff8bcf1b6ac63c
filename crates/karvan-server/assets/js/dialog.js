// An in-page dialog that asks before something is replaced or deleted, or asks for a name.
// It is part of the page (a <dialog>), unlike the browser's confirm(), so it looks like the
// page and can be read and answered by assistive technology and by the browser test.

import { $ } from './dom.js';

/**
 * Asks a question; resolves to true (or the text typed, when `input` is given) if the person
 * confirms, to null if they cancel or press Escape.
 *
 * options: { title, text, ok: 'Replace', cancel: 'Cancel', danger: bool,
 *            input: { label, value, check(value) → an error message or null } }
 */
export function ask({ title, text, ok = 'OK', cancel = 'Cancel', danger = false, input = null }) {
  const dialog = $('#confirm-dialog');
  const form = $('#confirm-form');
  const field = $('#confirm-input');
  const error = $('#confirm-error');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text || '';
  $('#confirm-text').hidden = !text;
  $('#confirm-ok').textContent = ok;
  $('#confirm-ok').classList.toggle('danger', danger);
  $('#confirm-cancel').textContent = cancel;
  $('#confirm-field').hidden = !input;
  error.hidden = true;
  if (input) {
    $('#confirm-label').textContent = input.label;
    field.value = input.value || '';
  }
  return new Promise((resolve) => {
    const onSubmit = (e) => {
      const confirmed = e.submitter && e.submitter.value === 'ok';
      if (confirmed && input && input.check) {
        const why = input.check(field.value.trim());
        if (why) {
          e.preventDefault();
          error.textContent = why;
          error.hidden = false;
          field.focus();
        }
      }
    };
    const onClose = () => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      if (dialog.returnValue !== 'ok') resolve(null);
      else resolve(input ? field.value.trim() : true);
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
    dialog.returnValue = '';
    dialog.showModal();
    if (input) {
      field.focus();
      field.select();
    } else {
      // The safe answer has the focus, so Enter does not replace or delete anything.
      $('#confirm-cancel').focus();
    }
  });
}

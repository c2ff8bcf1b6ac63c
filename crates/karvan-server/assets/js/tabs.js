// The tabs of the side panel, one per view.

import { $, $$ } from './dom.js';

const listeners = [];

/** Calls fn(name) whenever a tab is shown. */
export function onTab(fn) {
  listeners.push(fn);
}

export function showTab(name) {
  for (const tab of $$('.tabs [role="tab"]')) {
    tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  }
  for (const panel of $$('.tab-panel')) panel.hidden = panel.id !== `panel-${name}`;
  document.body.dataset.tab = name; // the Game tab widens the panel for its tables
  for (const fn of listeners) fn(name);
}

export const currentTab = () => ($('.tabs [aria-selected="true"]') || {}).dataset.tab;

// DOM helpers: elements built from data (text is never parsed as HTML), selectors.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Properties rather than attributes for these, so the live state of a control is set.
const DOM_PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'open']);

/** Builds an HTML element: h('td', {class: 'num'}, '12'). Text is never parsed as HTML. */
export function h(tag, props, ...children) {
  const e = document.createElement(tag);
  setProps(e, props);
  appendAll(e, children);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Builds an SVG element. */
export function s(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v != null) e.setAttribute(k, v);
  }
  appendAll(e, children);
  return e;
}

function setProps(e, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'style') e.style.cssText = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (DOM_PROPS.has(k)) e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
}

/** Replaces an element's children; null and false children are left out. */
export function fill(e, ...children) {
  e.replaceChildren();
  appendAll(e, children);
}

function appendAll(e, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
}

/** Text with its URLs as links (sources cite public references). */
export function linkified(text) {
  const out = [];
  let last = 0;
  const re = /https?:\/\/[^\s,;)\]]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(text.slice(last, m.index));
    out.push(h('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer' }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

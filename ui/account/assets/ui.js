// Small building blocks of the account console's views, on the login UI's h() (server strings
// only ever become text). Rules: every control has a visible label or an accessible name; results
// of actions are announced in the polite live region (#toast); errors in a role=alert box.
import { h } from '/ui/assets/dom.js';

export { h };

/** Announces `message` (and shows it briefly). */
export function toast(message) {
  const region = document.getElementById('toast');
  region.textContent = '';
  // A fresh text node after a tick, so screen readers announce a repeated message too.
  setTimeout(() => { region.textContent = message; }, 30);
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { region.textContent = ''; }, 6000);
}

export function errorBox(err) {
  return h('div', { class: 'alert', role: 'alert' }, h('p', {}, err?.message ?? String(err)));
}

export function button(label, onclick, { kind = 'secondary', type = 'button', ...attrs } = {}) {
  return h('button', { type, class: `button button-${kind}`, onclick, ...attrs }, h('span', { class: 'button-label' }, label));
}

/** A page of the console: its title (focused on arrival), a lead sentence and content. */
export function pageView(title, lead, ...content) {
  return h('section', { class: 'page-view' },
    h('header', { class: 'page-header' }, h('h1', { tabindex: '-1' }, title), lead ? h('p', { class: 'page-lead' }, lead) : null),
    ...content);
}

/** A titled card inside a page. */
export function panel(title, ...content) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

/** A list row: a title, details under it, and actions on the right (wrapping on narrow screens). */
export function row(title, details, actions = [], attrs = {}) {
  return h('li', { class: 'row', ...attrs },
    h('div', { class: 'row-main' }, h('p', { class: 'row-title' }, title), ...details.filter(Boolean).map((d) => h('p', { class: 'row-detail' }, d))),
    actions.length ? h('div', { class: 'row-actions' }, ...actions) : null);
}

export function emptyNote(text) {
  return h('p', { class: 'empty' }, text);
}

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function when(value) {
  if (!value) return 'never';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? 'unknown' : DATE.format(date);
}

/** "Chrome on Linux" from a User-Agent, or a plain fallback. */
export function deviceName(userAgent) {
  if (!userAgent) return 'A browser';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome'
    : /Safari\//.test(userAgent) ? 'Safari' : /node|undici/i.test(userAgent) ? 'An app' : 'A browser';
  const os = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Windows/.test(userAgent) ? 'Windows'
    : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : undefined;
  return os ? `${browser} on ${os}` : browser;
}

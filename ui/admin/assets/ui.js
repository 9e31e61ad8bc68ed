// Small building blocks shared by the console's views: headings, buttons, tables, forms, status
// badges, errors and the toast. Rules: server strings become text, never HTML (h() from the login
// UI); no inline styles (CSP); every control has a visible label or an aria-label.
import { h } from '/ui/assets/dom.js';

export { h };

export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('shown'), 4000);
}

export function pageHeader(title, subtitle, ...actions) {
  return h('header', { class: 'page-header' },
    h('div', {}, h('h1', { tabindex: '-1', class: 'page-title' }, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
    actions.length ? h('div', { class: 'actions' }, ...actions) : null);
}

export function button(label, onclick, { kind = 'secondary', type = 'button', ...attrs } = {}) {
  return h('button', { type, class: `btn btn-${kind}`, onclick, ...attrs }, label);
}

/** A button that changes something: left out, not shown disabled, for a caller who may only read (an auditor). */
export const writeButton = (allowed, ...args) => (allowed ? button(...args) : null);

export function link(label, href, attrs = {}) {
  return h('a', { href, ...attrs }, label);
}

export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

const TONES = { active: 'good', approved: 'good', succeeded: 'good', accepted: 'good', pending: 'warn', waiting: 'warn', disabled: 'bad', rejected: 'bad', failed: 'bad', revoked: 'bad', expired: 'muted', retired: 'muted' };
export const statusBadge = (status) => badge(status, TONES[status] ?? 'neutral');

export function errorBox(err) {
  return h('div', { class: 'error-box', role: 'alert' }, h('strong', {}, 'Something went wrong. '), err?.message ?? String(err));
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/** A date as the admin reads it: local, to the minute. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

/** "3 days ago", "in 4 hours" */
export function relative(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  const abs = Math.abs(ms);
  const units = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]];
  const [unit, size] = units.find(([, s]) => abs >= s) ?? ['minute', 60_000];
  return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(Math.round(ms / size), unit);
}

/**
 * A table with a caption (for screen readers), one row per item; `columns`: [{ label, cell(item) }].
 * On narrow screens each row becomes a card (CSS), with the column label shown before each cell.
 */
export function table(caption, columns, items, { rowClass } = {}) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', {}, ...items.map((item) => h('tr', { class: rowClass?.(item) ?? '' },
      ...columns.map((c) => h('td', { 'data-label': c.label }, c.cell(item))))))));
}

let fieldSeq = 0;
/** A labelled input; `hint` is read by screen readers through aria-describedby. */
export function field(label, input, hint) {
  const id = input.id || `f${++fieldSeq}`;
  input.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

export const input = (attrs = {}) => h('input', { class: 'input', ...attrs });
export const textarea = (attrs = {}) => h('textarea', { class: 'input textarea', ...attrs });
export function select(options, attrs = {}) {
  return h('select', { class: 'input', ...attrs }, ...options.map(([value, label]) => h('option', { value, selected: value === attrs.value }, label)));
}

/** Runs `action`, showing its error next to `where` (an element) and a toast on success. */
export async function attempt(where, action, success) {
  where.querySelector(':scope > .error-box')?.remove();
  try {
    const result = await action();
    if (success) toast(success);
    return result;
  } catch (err) {
    if (err?.status === 401) return undefined;
    where.prepend(errorBox(err));
    where.querySelector('.error-box')?.scrollIntoView({ block: 'nearest' });
    return undefined;
  }
}

/** A "Load more" list: `load(cursor)` answers { items, next }; `render(items)` appends rows. */
export function pager(load, renderPage) {
  const holder = h('div', { class: 'pager' });
  const more = button('Load more', async () => { more.disabled = true; await next(); more.disabled = false; });
  let cursor;
  async function next() {
    const page = await load(cursor);
    holder.insertBefore(renderPage(page.items), more);
    cursor = page.next;
    more.hidden = !cursor;
  }
  holder.append(more);
  more.hidden = true;
  return { element: holder, first: next };
}

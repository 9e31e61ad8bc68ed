// The one list pattern every resource uses: a heading, filters kept in the URL, a table of the
// first page and "Load more" for the next ones (the API's cursor), and an empty state.
import { setParams } from './router.js';
import { attempt, button, empty, field, h, input, pageHeader, pager, select, table } from './ui.js';

/**
 * @param spec { title, subtitle?, caption, columns, load(params, cursor) → {items,next},
 *   filters?: [{ name, label, options? }], actions?: Node[], emptyText, params }
 */
export async function listPage(spec) {
  const body = h('section', { class: 'list', 'aria-live': 'polite' });
  const filters = spec.filters?.length ? filterForm(spec, () => reload()) : null;
  const page = h('div', { class: 'page' }, pageHeader(spec.title, spec.subtitle, ...(spec.actions ?? [])), filters, body);
  async function reload() {
    body.replaceChildren();
    let shown = 0;
    const p = pager((cursor) => spec.load(spec.params, cursor), (items) => {
      shown += items.length;
      if (!shown) return empty(spec.emptyText);
      return table(spec.caption, spec.columns, items, { rowClass: spec.rowClass });
    });
    body.append(p.element);
    await attempt(body, () => p.first());
  }
  await reload();
  return page;
}

function filterForm(spec, reload) {
  const controls = spec.filters.map((f) => {
    const control = f.options
      ? select([['', f.any ?? 'Any'], ...f.options], { name: f.name, value: spec.params[f.name] ?? '' })
      : input({ name: f.name, type: 'search', value: spec.params[f.name] ?? '', placeholder: f.placeholder ?? '' });
    return field(f.label, control);
  });
  return h('form', {
    class: 'filters', role: 'search',
    onsubmit: (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(e.target));
      Object.assign(spec.params, data);
      setParams(spec.params);
      reload();
    },
  }, ...controls, button('Filter', undefined, { type: 'submit' }));
}

// Terms: the versions of the terms of service the user accepted, and when; the current one marked.
import { emptyNote, h, pageView, panel, row, when } from '../ui.js';
import { safeUrl } from '/ui/assets/dom.js';

export async function render({ api }) {
  const { items } = await api.get('/terms');
  const list = h('ul', { class: 'rows', 'aria-label': 'Terms you accepted' }, ...items.map((t) => row(
    [safeUrl(t.url) ? h('a', { href: safeUrl(t.url), rel: 'noopener noreferrer', target: '_blank' }, `${t.title} (version ${t.version})`) : `${t.title} (version ${t.version})`,
      t.current ? h('span', { class: 'badge badge-ok' }, 'current') : null],
    [`Accepted ${when(t.acceptedAt)}`],
  )));
  return pageView('Terms', 'The terms of service you accepted.', panel('Accepted', items.length ? list : emptyNote('You have not been asked to accept any terms.')));
}

// Journeys: the ended ones (filter by user and status), and for one journey its timeline — the
// decisions rebuilt from its Temporal history, one row per node, step, input and ending, with the
// tree version it ran on and the error codes modules answered. Answers "why was I denied?".
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { badge, errorBox, h, pageHeader, statusBadge, when } from '../ui.js';

const EVENT_TEXT = {
  started: () => 'Journey started',
  tree: (e) => `Tree ${e.tree} v${e.version}`,
  node: (e) => (e.node === 'end' ? `Tree ended: ${e.outcome}` : `${e.node} → ${e.outcome}`),
  step: (e) => `Asked the user: ${e.title ?? e.stepType}`,
  input: (e) => `The user answered ${e.detail}`,
  link: () => 'A mailed link was followed',
  subtree: (e) => `Inner tree ${e.tree}${e.version ? ` v${e.version}` : ''}`,
  expired: () => 'Nobody answered in time',
  'module-error': (e) => `Module error: ${e.detail}`,
  ended: (e) => `Journey ${e.outcome}`,
};

function timeline(t) {
  return h('ol', { class: 'timeline' }, ...t.entries.map((e) => h('li', { class: `tl tl-${e.event}${['failure', 'bad', 'failed', 'expired', 'disabled', 'locked'].includes(e.outcome) || e.errors ? ' tl-bad' : ''}` },
    h('span', { class: 'tl-time' }, when(e.at)),
    h('span', { class: 'tl-text' }, EVENT_TEXT[e.event]?.(e) ?? e.event),
    e.module ? badge(e.module) : null,
    e.remembered ? badge('remembered', 'muted') : null,
    e.errors ? h('span', { class: 'tl-errors' }, ...e.errors.map((c) => badge(c, 'bad'))) : null)));
}

export async function render({ tenant, rest, params }) {
  if (rest[0]) {
    const t = await api.get(tenant, `/journeys/${encodeURIComponent(rest[0])}`).catch((err) => ({ error: err }));
    if (t.error) return h('div', { class: 'page' }, pageHeader('Journey'), errorBox(t.error));
    return h('div', { class: 'page' },
      pageHeader(`Journey ${t.kind ?? ''}`, `${t.id}`, h('a', { href: href(tenant, 'journeys'), class: 'btn btn-secondary' }, 'All journeys')),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Status'), h('dd', {}, statusBadge(t.running ? 'waiting' : t.status ?? 'unknown')),
        h('dt', {}, 'Tree'), h('dd', {}, t.tree ? h('a', { href: href(tenant, 'trees', t.tree) }, `${t.tree} v${t.version ?? '?'}`) : '—'),
        h('dt', {}, 'Started'), h('dd', {}, when(t.startedAt)),
        h('dt', {}, 'Ended'), h('dd', {}, t.endedAt ? when(t.endedAt) : 'still running')),
      h('h2', {}, 'Decisions'), timeline(t));
  }
  const open = h('form', {
    class: 'filters', onsubmit: (e) => { e.preventDefault(); location.hash = href(tenant, 'journeys', e.target.id.value.trim()); },
  }, h('div', { class: 'field' }, h('label', { for: 'jid' }, 'Open a journey by id'), h('input', { class: 'input', id: 'jid', name: 'id', required: true })),
  h('button', { class: 'btn btn-secondary', type: 'submit' }, 'Open'));
  const page = await listPage({
    title: 'Journeys', subtitle: 'Ended journeys, newest first. Open one to see each decision.', caption: 'Journeys', params,
    emptyText: 'No journey matches.',
    filters: [{ name: 'subject', label: 'User id' }, { name: 'status', label: 'Status', options: [['succeeded', 'succeeded'], ['failed', 'failed'], ['expired', 'expired']] }],
    load: (p, cursor) => api.get(tenant, `/journeys${query({ subject: p.subject, status: p.status, cursor, limit: 50 })}`),
    columns: [
      { label: 'Ended', cell: (j) => when(j.endedAt) },
      { label: 'Status', cell: (j) => statusBadge(j.status) },
      { label: 'Tree', cell: (j) => (j.tree ? `${j.tree} v${j.version}` : '—') },
      { label: 'User', cell: (j) => (j.subject ? h('a', { href: href(tenant, 'users', j.subject) }, j.subject.slice(0, 8)) : '—') },
      { label: 'Error', cell: (j) => j.error ?? '' },
      { label: 'Timeline', cell: (j) => h('a', { href: href(tenant, 'journeys', j.id) }, 'Open') },
    ],
  });
  page.insertBefore(open, page.children[1]);
  return page;
}

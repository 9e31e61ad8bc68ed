// The audit log, newest first, filtered by type (exact or a prefix such as `admin.`), subject,
// actor, client, journey and time: the same filters as GET /audit-events. A subject that is a
// user's id links to the user's page.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { h, when } from '../ui.js';

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function render({ tenant, params }) {
  return listPage({
    title: 'Audit log', subtitle: 'Every change and every journey\'s end, with who did it.', caption: 'Audit events', params,
    emptyText: 'No event matches.',
    filters: [
      { name: 'type', label: 'Type', placeholder: 'e.g. admin. or journey.failed' },
      { name: 'subject', label: 'Subject' }, { name: 'actor', label: 'Actor' }, { name: 'journeyId', label: 'Journey' },
    ],
    load: (p, cursor) => api.get(tenant, `/audit-events${query({ type: p.type, subject: p.subject, actor: p.actor, journeyId: p.journeyId, cursor, limit: 50 })}`),
    columns: [
      { label: 'When', cell: (e) => when(e.at) },
      { label: 'Type', cell: (e) => h('code', {}, e.type) },
      { label: 'Actor', cell: (e) => e.actor ?? '—' },
      { label: 'Subject', cell: (e) => (e.subject && USER_ID.test(e.subject) ? h('a', { href: href(tenant, 'users', e.subject) }, e.subject) : e.subject ?? '—') },
      { label: 'Journey', cell: (e) => (e.journeyId ? h('a', { href: href(tenant, 'journeys', e.journeyId) }, 'timeline') : '—') },
      { label: 'Details', cell: (e) => (Object.keys(e.data ?? {}).length ? h('code', { class: 'data' }, JSON.stringify(e.data)) : '') },
    ],
  });
}

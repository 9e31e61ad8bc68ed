// Terms of service: versions (the newest is current: adding one makes every user accept again)
// and how many accepted each.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { attempt, button, field, h, input, when } from '../ui.js';
import { canWrite } from '../layout.js';

export async function render({ tenant, params, roles }) {
  const write = canWrite(roles);
  const url = input({ type: 'url', required: true, placeholder: 'https://example.com/terms' });
  const title = input({ maxlength: 200, placeholder: 'Terms of Service' });
  const form = h('form', {
    class: 'inline-form', onsubmit: async (e) => {
      e.preventDefault();
      if (await attempt(form, () => api.post(tenant, '/terms', { url: url.value.trim(), ...(title.value ? { title: title.value.trim() } : {}) }), 'New terms version added.')) {
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      }
    },
  }, field('Address of the new terms', url), field('Title', title), button('Add version', undefined, { kind: 'primary', type: 'submit' }));
  const page = await listPage({
    title: 'Terms', subtitle: 'Users accept the newest version at their next sign-in.', caption: 'Terms versions', params, emptyText: 'No terms: nobody is asked.',
    load: (_p, cursor) => api.get(tenant, `/terms${query({ cursor, limit: 50 })}`),
    columns: [
      { label: 'Version', cell: (t) => String(t.version ?? t.id) },
      { label: 'Title', cell: (t) => t.title ?? '' },
      { label: 'Address', cell: (t) => h('a', { href: t.url, rel: 'noopener noreferrer', target: '_blank' }, t.url) },
      { label: 'Accepted by', cell: (t) => String(t.acceptances ?? t.accepted ?? '') },
      { label: 'Added', cell: (t) => when(t.createdAt) },
    ],
  });
  if (write) page.insertBefore(form, page.children[1]);
  return page;
}

// Signing keys: which sign (active) and which are still published (retired, until when); rotate
// with a grace period during which what the old keys signed keeps verifying.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { attempt, button, field, h, input, statusBadge, when } from '../ui.js';
import { canWrite } from '../layout.js';

export async function render({ tenant, params, roles }) {
  const write = canWrite(roles);
  const grace = input({ value: '24h', maxlength: 16 });
  const form = h('form', {
    class: 'inline-form', onsubmit: async (e) => {
      e.preventDefault();
      if (!confirm('Rotate every signing key of this tenant now?')) return;
      if (await attempt(form, () => api.post(tenant, '/keys/rotate', { grace: grace.value }), 'Keys rotated.')) window.dispatchEvent(new HashChangeEvent('hashchange'));
    },
  }, field('Old keys stay published for', grace, 'e.g. 24h'), button('Rotate keys', undefined, { kind: 'primary', type: 'submit' }));
  const page = await listPage({
    title: 'Signing keys', subtitle: 'Tokens are signed by the active key of each algorithm.', caption: 'Signing keys', params, emptyText: 'No key yet (made on first use).',
    load: (_p, cursor) => api.get(tenant, `/keys${query({ cursor, limit: 50 })}`),
    columns: [
      { label: 'Key id', cell: (k) => h('code', {}, k.kid) },
      { label: 'Algorithm', cell: (k) => k.alg },
      { label: 'Status', cell: (k) => statusBadge(k.status) },
      { label: 'Created', cell: (k) => when(k.createdAt) },
      { label: 'Published until', cell: (k) => when(k.publishUntil) },
    ],
  });
  if (write) page.insertBefore(form, page.children[1]);
  return page;
}

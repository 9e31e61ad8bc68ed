// Invitations: invite an address (the invitation is mailed), see who accepted, revoke one pending.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { attempt, button, field, h, input, statusBadge, when } from '../ui.js';
import { canDecide } from '../layout.js';

export async function render({ tenant, params, roles }) {
  const can = canDecide(roles);
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const email = input({ type: 'email', required: true, maxlength: 254, autocomplete: 'off' });
  const ttl = input({ placeholder: '7d', maxlength: 16, pattern: '\\d+(ms|s|m|h|d)' });
  const form = h('form', {
    class: 'inline-form', onsubmit: async (e) => {
      e.preventDefault();
      const made = await attempt(form, () => api.post(tenant, '/invitations', { email: email.value.trim(), ...(ttl.value ? { ttl: ttl.value } : {}) }), 'Invitation sent.');
      if (made) reload();
    },
  }, field('Invite an address', email), field('Valid for', ttl, 'e.g. 7d or 12h'), button('Invite', undefined, { kind: 'primary', type: 'submit' }));
  const page = await listPage({
    title: 'Invitations', caption: 'Invitations', params, emptyText: 'No invitation yet.',
    filters: [{ name: 'status', label: 'Status', options: [['pending', 'pending'], ['accepted', 'accepted'], ['revoked', 'revoked'], ['expired', 'expired']] }],
    load: (p, cursor) => api.get(tenant, `/invitations${query({ status: p.status, cursor, limit: 50 })}`),
    columns: [
      { label: 'Address', cell: (i) => i.email },
      { label: 'Status', cell: (i) => statusBadge(i.status) },
      { label: 'Invited by', cell: (i) => i.inviter },
      { label: 'Expires', cell: (i) => when(i.expiresAt) },
      { label: 'Actions', cell: (i) => (i.status === 'pending' && can ? button('Revoke', () => attempt(page, () => api.post(tenant, `/invitations/${i.id}/revoke`), 'Revoked.').then(reload)) : '') },
    ],
  });
  if (can) page.insertBefore(form, page.children[1]);
  return page;
}

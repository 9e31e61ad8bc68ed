// Roles: who holds which admin role in the tenant (filter by role), grant one to a user by email,
// revoke one. The API enforces the rules (only a super-admin grants or revokes super-admin; a
// tenant-admin cannot revoke its own tenant-admin role); the console offers every role and shows
// the API's refusal as it words it, so the rule lives in one place.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { attempt, badge, button, field, h, input, select, toast, writeButton } from '../ui.js';
import { canWrite } from '../layout.js';

const ROLES = [
  ['tenant-admin', 'tenant-admin — everything in this tenant'],
  ['auditor', 'auditor — reads everything, changes nothing'],
  ['approver', 'approver — approvals and invitations'],
  ['super-admin', 'super-admin — every tenant (a super-admin grants it)'],
];

export async function render({ tenant, params, roles }) {
  const write = canWrite(roles);
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const email = input({ type: 'email', name: 'email', required: true, maxlength: 254, autocomplete: 'off', placeholder: 'user@example.com' });
  const role = select(ROLES, { name: 'role', value: 'auditor' });
  const grant = h('section', { class: 'panel', 'aria-labelledby': 'grant-title' }, h('h2', { id: 'grant-title' }, 'Grant a role'));
  grant.append(h('form', {
    class: 'inline-form', onsubmit: async (e) => {
      e.preventDefault();
      const who = email.value.trim();
      const done = await attempt(grant, () => api.post(tenant, '/roles', { role: role.value, email: who }));
      if (!done) return;
      toast(done.granted ? `${who} now holds ${done.role}.` : `${who} already held ${done.role}.`);
      reload();
    },
  }, field('Email of the user', email), field('Role to grant', role), button('Grant', undefined, { kind: 'primary', type: 'submit' })));
  const page = await listPage({
    title: 'Roles', subtitle: 'Admin roles in this tenant. A role is membership of the group that carries it.', caption: 'Role holders', params,
    emptyText: 'Nobody holds an admin role here.',
    filters: [{ name: 'role', label: 'Role', any: 'Every role', options: ROLES.map(([id]) => [id, id]) }],
    load: (p, cursor) => api.get(tenant, `/roles${query({ role: p.role, cursor, limit: 50 })}`),
    columns: [
      { label: 'User', cell: (g) => h('a', { href: href(tenant, 'users', g.userId) }, g.email ?? g.username) },
      { label: 'Role', cell: (g) => badge(g.role, 'warn') },
      { label: 'Through group', cell: (g) => g.group },
      write && {
        label: 'Actions',
        cell: (g) => writeButton(write, 'Revoke', async () => {
          if (!confirm(`Revoke ${g.role} from ${g.email ?? g.username}?`)) return;
          const path = `/roles/${encodeURIComponent(g.role)}/users/${encodeURIComponent(g.userId)}`;
          if (await attempt(page, () => api.del(tenant, path).then(() => true), `${g.role} revoked.`)) reload();
        }, { 'aria-label': `Revoke ${g.role} from ${g.email ?? g.username}` }),
      },
    ].filter(Boolean),
  });
  if (write) page.insertBefore(grant, page.children[1]);
  return page;
}

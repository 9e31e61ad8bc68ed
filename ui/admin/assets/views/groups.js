// Groups: list, create, and a group's page (name, description, members: add by email or remove).
// Role groups (a group that carries an admin role) change members through the roles API only.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { attempt, badge, button, empty, errorBox, field, h, input, pageHeader, table, toast, when, writeButton } from '../ui.js';
import { canWrite } from '../layout.js';

export async function render({ tenant, rest, params, roles }) {
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  if (!rest[0]) {
    const name = input({ name: 'name', required: true, maxlength: 200 });
    const create = h('form', {
      class: 'inline-form', onsubmit: async (e) => {
        e.preventDefault();
        const g = await attempt(create, () => api.post(tenant, '/groups', { name: name.value.trim() }), 'Group created.');
        if (g) location.hash = href(tenant, 'groups', g.id);
      },
    }, field('New group', name), button('Create', undefined, { kind: 'primary', type: 'submit' }));
    const page = await listPage({
      title: 'Groups', caption: 'Groups', params, emptyText: 'No group yet.',
      filters: [{ name: 'q', label: 'Search' }],
      load: (p, cursor) => api.get(tenant, `/groups${query({ q: p.q, cursor, limit: 50 })}`),
      columns: [
        { label: 'Group', cell: (g) => h('a', { href: href(tenant, 'groups', g.id) }, g.name) },
        { label: 'Role', cell: (g) => (g.role ? badge(g.role, 'warn') : '') },
        { label: 'Members', cell: (g) => String(g.members) },
        { label: 'Description', cell: (g) => g.description },
      ],
    });
    if (canWrite(roles)) page.insertBefore(create, page.children[1]);
    return page;
  }
  const path = `/groups/${rest[0]}`;
  const group = await api.get(tenant, path).catch((err) => ({ error: err }));
  if (group.error) return h('div', { class: 'page' }, pageHeader('Group'), errorBox(group.error));
  const members = await api.get(tenant, `${path}/members${query({ limit: 200 })}`);
  const write = canWrite(roles) && !group.role;
  const page = h('div', { class: 'page' });
  const name = input({ value: group.name, maxlength: 200 });
  const description = input({ value: group.description, maxlength: 1000 });
  const who = input({ type: 'email', placeholder: 'user@example.com' });
  page.append(
    pageHeader(group.name, group.role ? [`Members hold the ${group.role} role (change them under `, h('a', { href: `${href(tenant, 'roles')}?role=${encodeURIComponent(group.role)}` }, 'Roles'), ').'] : `${group.members} member(s)`,
      group.role ? badge(group.role, 'warn') : null,
      writeButton(write, 'Delete', async () => {
        if (!confirm(`Delete the group ${group.name}? Its members leave it.`)) return;
        if (await attempt(page, () => api.del(tenant, path).then(() => true))) { toast('Deleted.'); location.hash = href(tenant, 'groups'); }
      }, { kind: 'danger' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Details'), h('form', {
      class: 'form-grid', onsubmit: (e) => { e.preventDefault(); attempt(page, () => api.patch(tenant, path, { name: name.value.trim(), description: description.value }), 'Saved.').then((r) => r && reload()); },
    }, field('Name', name), field('Description', description), canWrite(roles) ? button('Save', undefined, { kind: 'primary', type: 'submit' }) : null)),
    h('section', { class: 'panel' }, h('h2', {}, 'Members'),
      write ? h('form', {
        class: 'inline-form', onsubmit: async (e) => {
          e.preventDefault();
          const found = await attempt(page, () => api.get(tenant, `/users${query({ q: who.value.trim(), limit: 2 })}`));
          const user = found?.items.find((u) => u.email?.toLowerCase() === who.value.trim().toLowerCase()) ?? (found?.items.length === 1 ? found.items[0] : undefined);
          if (!user) return page.prepend(errorBox({ message: 'No user with this email.' }));
          await attempt(page, () => api.put(tenant, `${path}/members/${user.id}`), `${user.email} added.`).then((r) => r !== undefined && reload());
        },
      }, field('Add a member by email', who), button('Add', undefined, { type: 'submit' })) : null,
      members.items.length ? table('Members', [
        { label: 'User', cell: (u) => h('a', { href: href(tenant, 'users', u.id) }, u.email ?? u.username) },
        { label: 'Status', cell: (u) => u.status },
        { label: 'Since', cell: (u) => when(u.createdAt) },
        { label: 'Actions', cell: (u) => writeButton(write, 'Remove', () => attempt(page, () => api.del(tenant, `${path}/members/${u.id}`), 'Removed.').then(reload)) },
      ], members.items) : empty('No member.')));
  return page;
}

// Users: search by email, username or name and status; a user's page shows the profile (editable),
// how they sign in (password, authenticator app, passkeys: each removable), sessions (end one or
// all), groups, linked upstream accounts, recent journeys, and the actions an admin needs:
// disable/enable, mail a password reset link, delete.
import { api, query } from '../api.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { attempt, badge, button, empty, errorBox, field, h, input, pageHeader, select, statusBadge, table, toast, when, writeButton } from '../ui.js';
import { canWrite } from '../layout.js';

export function render(ctx) {
  return ctx.rest[0] ? detail(ctx) : list(ctx);
}

function list({ tenant, params }) {
  return listPage({
    title: 'Users', caption: 'Users', params, emptyText: 'No user matches.',
    filters: [
      { name: 'q', label: 'Search', placeholder: 'email, username or name' },
      { name: 'status', label: 'Status', options: [['active', 'active'], ['pending', 'pending'], ['disabled', 'disabled']] },
    ],
    load: (p, cursor) => api.get(tenant, `/users${query({ q: p.q, status: p.status, cursor, limit: 50 })}`),
    columns: [
      { label: 'User', cell: (u) => h('a', { href: href(tenant, 'users', u.id) }, u.email ?? u.username) },
      { label: 'Name', cell: (u) => u.name ?? '' },
      { label: 'Status', cell: (u) => statusBadge(u.status) },
      { label: 'Last sign-in', cell: (u) => when(u.lastLoginAt) },
      { label: 'Created', cell: (u) => when(u.createdAt) },
    ],
  });
}

function section(title, ...content) {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...content);
}

async function detail({ tenant, rest, roles }) {
  const id = rest[0];
  const path = `/users/${id}`;
  const user = await api.get(tenant, path).catch((err) => ({ error: err }));
  if (user.error) return h('div', { class: 'page' }, pageHeader('User'), errorBox(user.error));
  const write = canWrite(roles);
  const [creds, sessions, groups, identities, journeys] = await Promise.all([
    api.get(tenant, `${path}/credentials`), api.get(tenant, `${path}/sessions`), api.get(tenant, `${path}/groups`),
    api.get(tenant, `${path}/identities`), api.get(tenant, `/journeys${query({ subject: id, limit: 10 })}`).catch(() => ({ items: [] })),
  ]);
  const page = h('div', { class: 'page' });
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  // Many actions answer 204 (no body): success is that the call did not throw, not its answer.
  const done = (fn) => async () => { await fn(); return true; };
  const act = (label, fn, success, kind = 'secondary') => writeButton(write, label, () => attempt(page, done(fn), success).then((ok) => (ok ? reload() : undefined)), { kind });

  const name = input({ name: 'name', value: user.name ?? '', maxlength: 200, readonly: !write });
  const email = input({ name: 'email', type: 'email', value: user.email ?? '', maxlength: 254, readonly: !write });
  const status = select([['active', 'active'], ['disabled', 'disabled'], ['pending', 'pending']], { name: 'status', value: user.status, disabled: !write || user.status === 'pending' });
  const profile = h('form', {
    class: 'form-grid',
    onsubmit: (e) => {
      e.preventDefault();
      const body = { name: name.value.trim() || null, email: email.value.trim() || null, ...(user.status !== 'pending' ? { status: status.value } : {}) };
      attempt(page, () => api.patch(tenant, path, body), 'Saved.').then((r) => r && reload());
    },
  }, field('Name', name), field('Email', email, user.emailVerified ? 'Verified.' : 'Not verified.'), field('Status', status),
  ...Object.entries(user.attributes ?? {}).map(([k, v]) => field(k, input({ value: v, readonly: true }))),
  write ? button('Save profile', undefined, { kind: 'primary', type: 'submit' }) : null);

  page.append(
    pageHeader(user.name || user.email || user.username, `${user.username} · created ${new Date(user.createdAt).toLocaleDateString()}`,
      statusBadge(user.status),
      act('Mail a password reset link', () => api.post(tenant, `${path}/password-reset`, {}), 'Reset link sent.'),
      act(user.status === 'disabled' ? 'Enable' : 'Disable', () => api.patch(tenant, path, { status: user.status === 'disabled' ? 'active' : 'disabled' }), 'Done.'),
      writeButton(write, 'Delete', async () => {
        if (!confirm(`Delete ${user.email ?? user.username} and everything of theirs? This cannot be undone.`)) return;
        if (await attempt(page, done(() => api.del(tenant, path)))) { toast('Deleted.'); location.hash = href(tenant, 'users'); }
      }, { kind: 'danger' })),
    section('Profile', profile),
    section('Signing in',
      h('dl', { class: 'facts' },
        h('dt', {}, 'Password'), h('dd', {}, creds.password.set ? ['set ', when(creds.password.updatedAt)] : 'none'),
        h('dt', {}, 'Authenticator app'), h('dd', {}, creds.totp.enrolled ? ['enrolled ', when(creds.totp.enrolledAt), ' ',
          act('Remove', () => api.del(tenant, `${path}/totp`), 'Authenticator removed.', 'danger')] : 'none')),
      creds.passkeys.length ? table('Passkeys', [
        { label: 'Passkey', cell: (p) => p.name ?? `${p.deviceType === 'multiDevice' ? 'Synced' : 'Device-bound'} passkey` },
        { label: 'Added', cell: (p) => when(p.createdAt) },
        { label: 'Last used', cell: (p) => when(p.lastUsedAt) },
        { label: 'Actions', cell: (p) => act('Remove', () => api.del(tenant, `${path}/passkeys/${encodeURIComponent(p.id)}`), 'Passkey removed.', 'danger') },
      ], creds.passkeys) : h('p', { class: 'muted' }, 'No passkey.')),
    section('Sessions',
      sessions.items.length ? [table('Sessions', [
        { label: 'Signed in', cell: (s) => when(s.authTime ?? s.createdAt) },
        { label: 'Methods', cell: (s) => (s.amr ?? []).join(', ') },
        { label: 'Last seen', cell: (s) => when(s.lastSeenAt) },
        { label: 'Expires', cell: (s) => when(s.expiresAt) },
        { label: 'Actions', cell: (s) => act('End', () => api.del(tenant, `${path}/sessions/${s.id}`), 'Session ended.') },
      ], sessions.items), act('End all sessions', () => api.del(tenant, `${path}/sessions`), 'All sessions ended.', 'danger')] : empty('No live session.')),
    section('Groups', groups.items.length ? h('ul', { class: 'chips' }, ...groups.items.map((g) => h('li', {}, h('a', { href: href(tenant, 'groups', g.id) }, g.name), g.role ? badge(g.role, 'warn') : null))) : empty('In no group.')),
    section('Linked accounts', identities.items.length ? table('Linked accounts', [
      { label: 'Provider', cell: (i) => i.idp },
      { label: 'Account', cell: (i) => i.email ?? i.subject },
      { label: 'Linked', cell: (i) => when(i.createdAt) },
      { label: 'Actions', cell: (i) => act('Unlink', () => api.del(tenant, `${path}/identities/${encodeURIComponent(i.idp)}`), 'Unlinked.') },
    ], identities.items) : empty('No upstream account linked.')),
    section('Recent journeys', journeys.items.length ? table('Recent journeys', [
      { label: 'Ended', cell: (j) => when(j.endedAt) },
      { label: 'Status', cell: (j) => statusBadge(j.status) },
      { label: 'Tree', cell: (j) => `${j.tree ?? ''} v${j.version ?? '?'}` },
      { label: 'Error', cell: (j) => j.error ?? '' },
      { label: 'Timeline', cell: (j) => h('a', { href: href(tenant, 'journeys', j.id) }, 'Open') },
    ], journeys.items) : empty('No journey yet.')),
  );
  return page;
}

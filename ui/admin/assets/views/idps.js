// Upstream identity providers: list, enable/disable, and each one's settings (JSON as the API
// knows them; a client secret can be replaced, never read back).
import { api, query } from '../api.js';
import { jsonEditor } from '../json-form.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { attempt, badge, button, errorBox, h, pageHeader, statusBadge, toast, writeButton } from '../ui.js';

const canWrite = (roles) => roles.some((r) => r === 'super-admin' || r === 'tenant-admin');

export async function render({ tenant, rest, params, roles }) {
  const write = canWrite(roles);
  if (!rest[0]) {
    return listPage({
      title: 'Identity providers', subtitle: 'Upstream OIDC, SAML and social sign-in, offered on the login page.', caption: 'Identity providers', params,
      emptyText: 'No upstream identity provider. Add one with the API or `tessera idps add`.',
      load: (_p, cursor) => api.get(tenant, `/idps${query({ cursor, limit: 50 })}`),
      columns: [
        { label: 'Provider', cell: (i) => h('a', { href: href(tenant, 'idps', i.alias) }, i.displayName ?? i.alias) },
        { label: 'Kind', cell: (i) => badge(i.kind) },
        { label: 'Status', cell: (i) => statusBadge(i.enabled ? 'active' : 'disabled') },
      ],
    });
  }
  const path = `/idps/${encodeURIComponent(rest[0])}`;
  const idp = await api.get(tenant, path).catch((err) => ({ error: err }));
  if (idp.error) return h('div', { class: 'page' }, pageHeader('Identity provider'), errorBox(idp.error));
  const page = h('div', { class: 'page' });
  const { alias, kind, createdAt, updatedAt, clientSecretSet, ...editable } = idp;
  page.append(
    pageHeader(idp.displayName ?? alias, `${kind} · ${alias}${clientSecretSet ? ' · client secret set' : ''}`,
      writeButton(write, idp.enabled ? 'Disable' : 'Enable', () => attempt(page, () => api.patch(tenant, path, { enabled: !idp.enabled }), 'Done.').then((r) => r && window.dispatchEvent(new HashChangeEvent('hashchange')))),
      writeButton(write, 'Delete', async () => {
        if (!confirm(`Delete ${alias}? Accounts linked to it can no longer sign in through it.`)) return;
        if (await attempt(page, () => api.del(tenant, path).then(() => true))) { toast('Deleted.'); location.hash = href(tenant, 'idps'); }
      }, { kind: 'danger' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Settings'),
      jsonEditor('Settings (a new clientSecret replaces the stored one)', editable, async (value, form) => {
        if (await attempt(form, () => api.patch(tenant, path, value), 'Saved.')) window.dispatchEvent(new HashChangeEvent('hashchange'));
      }, { disabled: !write, rows: 20 })));
  return page;
}

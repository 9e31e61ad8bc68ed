// Upstream identity providers: list, add (idp-form.js), enable/disable, delete, and each one's
// settings (JSON as the API knows them; a client secret can be replaced, never read back).
import { api, query } from '../api.js';
import { idpForm } from '../idp-form.js';
import { jsonEditor } from '../json-form.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { attempt, badge, button, errorBox, h, pageHeader, statusBadge, toast, writeButton } from '../ui.js';
import { canWrite } from '../layout.js';

export async function render({ tenant, rest, params, roles }) {
  const write = canWrite(roles);
  if (!rest[0]) {
    const page = await listPage({
      title: 'Identity providers', subtitle: 'Upstream OIDC, SAML and social sign-in, offered on the login page.', caption: 'Identity providers', params,
      emptyText: write ? 'No upstream identity provider yet: add one below.' : 'No upstream identity provider.',
      load: (_p, cursor) => api.get(tenant, `/idps${query({ cursor, limit: 50 })}`),
      columns: [
        { label: 'Provider', cell: (i) => h('a', { href: href(tenant, 'idps', i.alias) }, i.displayName ?? i.alias) },
        { label: 'Kind', cell: (i) => badge(i.kind) },
        { label: 'Status', cell: (i) => statusBadge(i.enabled ? 'active' : 'disabled') },
      ],
    });
    if (write) page.append(idpForm(tenant));
    return page;
  }
  const path = `/idps/${encodeURIComponent(rest[0])}`;
  const idp = await api.get(tenant, path).catch((err) => ({ error: err }));
  if (idp.error) return h('div', { class: 'page' }, pageHeader('Identity provider'), errorBox(idp.error));
  const page = h('div', { class: 'page' });
  // The stored secret is never read back: the API answers `oidc.clientSecretSet`, which is not a
  // field it accepts, so it is kept out of the editable settings.
  const { alias, kind, createdAt, updatedAt, ...editable } = idp;
  const { clientSecretSet, ...oidc } = idp.oidc ?? {};
  if (idp.oidc) editable.oidc = oidc;
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

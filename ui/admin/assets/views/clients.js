// Applications (OIDC clients): list, register (the secret is shown once), and a client's page with
// every setting as the API knows it (JSON, checked by the server), secret rotation and deletion.
import { api, query } from '../api.js';
import { jsonEditor } from '../json-form.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { attempt, badge, button, errorBox, field, h, input, pageHeader, select, toast, writeButton } from '../ui.js';
import { canWrite } from '../layout.js';

const READ_ONLY = ['client_id', 'created_at', 'updated_at'];

function secretNotice(secret) {
  return h('div', { class: 'notice', role: 'alert' }, h('strong', {}, 'Client secret — shown once, copy it now: '), h('code', { class: 'secret' }, secret));
}

export async function render({ tenant, rest, params, roles }) {
  const write = canWrite(roles);
  if (!rest[0]) {
    const name = input({ required: true, maxlength: 200 });
    const redirect = input({ type: 'url', placeholder: 'https://app.example.com/callback' });
    const kind = select([['confidential', 'Web app with a secret'], ['public', 'Single-page or mobile app (PKCE)']]);
    const create = h('form', {
      class: 'inline-form', onsubmit: async (e) => {
        e.preventDefault();
        const body = { client_name: name.value.trim(), redirect_uris: redirect.value ? [redirect.value.trim()] : [], ...(kind.value === 'public' ? { public: true } : {}) };
        const made = await attempt(create, () => api.post(tenant, '/clients', body), 'Application registered.');
        if (made) {
          sessionStorage.setItem('tessera-admin-new-secret', made.client_secret ?? '');
          location.hash = href(tenant, 'clients', made.client_id);
        }
      },
    }, field('Name', name), field('Redirect URI', redirect), field('Kind', kind), button('Register', undefined, { kind: 'primary', type: 'submit' }));
    const page = await listPage({
      title: 'Applications', subtitle: 'OpenID Connect and OAuth 2 clients.', caption: 'Applications', params, emptyText: 'No application yet.',
      filters: [{ name: 'q', label: 'Search' }],
      load: (p, cursor) => api.get(tenant, `/clients${query({ q: p.q, cursor, limit: 50 })}`),
      columns: [
        { label: 'Application', cell: (c) => h('a', { href: href(tenant, 'clients', c.client_id) }, c.client_name ?? c.client_id) },
        { label: 'client_id', cell: (c) => h('code', {}, c.client_id) },
        { label: 'Kind', cell: (c) => badge(c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential') },
        { label: 'First party', cell: (c) => (c.first_party ? 'yes' : 'no') },
        { label: 'Grants', cell: (c) => (c.grant_types ?? []).join(', ') },
      ],
    });
    if (write) page.insertBefore(create, page.children[1]);
    return page;
  }
  const path = `/clients/${encodeURIComponent(rest[0])}`;
  const client = await api.get(tenant, path).catch((err) => ({ error: err }));
  if (client.error) return h('div', { class: 'page' }, pageHeader('Application'), errorBox(client.error));
  const page = h('div', { class: 'page' });
  const fresh = sessionStorage.getItem('tessera-admin-new-secret');
  sessionStorage.removeItem('tessera-admin-new-secret');
  const editable = Object.fromEntries(Object.entries(client).filter(([k]) => !READ_ONLY.includes(k)));
  page.append(
    pageHeader(client.client_name ?? client.client_id, client.client_id,
      client.token_endpoint_auth_method !== 'none' ? writeButton(write, 'Rotate secret', async () => {
        if (!confirm('Make a new secret? The current one stops working at once.')) return;
        const r = await attempt(page, () => api.post(tenant, `${path}/secret`));
        if (r?.client_secret) page.insertBefore(secretNotice(r.client_secret), page.children[1]);
      }) : null,
      writeButton(write, 'Delete', async () => {
        if (!confirm(`Delete ${client.client_id}? Its tokens stop working.`)) return;
        if (await attempt(page, () => api.del(tenant, path).then(() => true))) { toast('Deleted.'); location.hash = href(tenant, 'clients'); }
      }, { kind: 'danger' })),
    fresh ? secretNotice(fresh) : '',
    h('section', { class: 'panel' }, h('h2', {}, 'Settings'),
      jsonEditor('Every setting (the API checks them; null removes one)', editable, async (value, form) => {
        const saved = await attempt(form, () => api.patch(tenant, path, value), 'Saved.');
        if (saved) window.dispatchEvent(new HashChangeEvent('hashchange'));
      }, { disabled: !write, rows: 22, hint: 'redirect_uris, grant_types, scope, first_party, claim_rules, permissions, token_exchange, access_token_ttl, backchannel_logout_uri…' })));
  return page;
}

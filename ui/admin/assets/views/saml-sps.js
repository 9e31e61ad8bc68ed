// SAML service providers: register from metadata (XML pasted or a URL Tessera fetches), and each
// SP's settings (NameID format, attributes, signing, encryption).
import { api, query } from '../api.js';
import { jsonEditor } from '../json-form.js';
import { listPage } from '../list-page.js';
import { href } from '../router.js';
import { attempt, button, errorBox, field, h, input, pageHeader, textarea, toast, writeButton } from '../ui.js';
import { canWrite } from '../layout.js';

export async function render({ tenant, rest, params, roles }) {
  const write = canWrite(roles);
  if (!rest[0]) {
    const url = input({ type: 'url', placeholder: 'https://sp.example.com/metadata' });
    const xml = textarea({ rows: 4, placeholder: '<EntityDescriptor …>' });
    const form = h('form', {
      class: 'stack-form', onsubmit: async (e) => {
        e.preventDefault();
        const body = url.value.trim() ? { metadataUrl: url.value.trim() } : { metadataXml: xml.value };
        const sp = await attempt(form, () => api.post(tenant, '/saml-sps', body), 'SP registered.');
        if (sp) location.hash = href(tenant, 'saml-sps', sp.id ?? sp.entityId);
      },
    }, field('Metadata URL', url), field('…or metadata XML', xml), button('Register SP', undefined, { kind: 'primary', type: 'submit' }));
    const page = await listPage({
      title: 'SAML providers', subtitle: 'Service providers that sign in through this tenant.', caption: 'SAML service providers', params, emptyText: 'No SAML SP.',
      load: (_p, cursor) => api.get(tenant, `/saml-sps${query({ cursor, limit: 50 })}`),
      columns: [
        { label: 'Entity id', cell: (sp) => h('a', { href: href(tenant, 'saml-sps', sp.id ?? sp.entityId) }, sp.entityId) },
        { label: 'NameID', cell: (sp) => sp.settings?.nameIdFormat ?? sp.nameIdFormat ?? '' },
      ],
    });
    if (write) page.insertBefore(form, page.children[1]);
    return page;
  }
  const path = `/saml-sps/${encodeURIComponent(rest[0])}`;
  const sp = await api.get(tenant, path).catch((err) => ({ error: err }));
  if (sp.error) return h('div', { class: 'page' }, pageHeader('SAML provider'), errorBox(sp.error));
  const page = h('div', { class: 'page' });
  page.append(
    pageHeader(sp.entityId, 'SAML service provider',
      writeButton(write, 'Delete', async () => {
        if (!confirm(`Delete ${sp.entityId}?`)) return;
        if (await attempt(page, () => api.del(tenant, path).then(() => true))) { toast('Deleted.'); location.hash = href(tenant, 'saml-sps'); }
      }, { kind: 'danger' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Settings'),
      jsonEditor('Settings', sp.settings ?? {}, async (value, form) => {
        if (await attempt(form, () => api.patch(tenant, path, { settings: value }), 'Saved.')) window.dispatchEvent(new HashChangeEvent('hashchange'));
      }, { disabled: !write })),
    h('section', { class: 'panel' }, h('h2', {}, 'From its metadata'), h('pre', { class: 'code-block' }, JSON.stringify({ ...sp, settings: undefined }, null, 2))));
  return page;
}

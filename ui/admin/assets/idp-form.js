// The "Add an identity provider" form of the IdPs page: generic OIDC, the Google, Microsoft and
// GitHub presets (their issuer and scopes filled in as `tessera idps add --preset` does), or SAML
// from the upstream's metadata XML (pasted, or read from a file in the browser: the API takes the
// XML, and the console's CSP lets it fetch nothing but Tessera). The client secret is write-only:
// a password field, sent once and never shown again. Input is checked by the API; its 400 names
// the field (`oidc.issuer: …`) and is shown as is.
import { api } from './api.js';
import { href } from './router.js';
import { attempt, button, field, h, input, select, textarea } from './ui.js';

/** [kind, label, what the OIDC part starts from] — issuers and scopes as in activities/federation/social-presets.ts. */
const KINDS = [
  ['oidc', 'OpenID Connect (any provider)', { scopes: 'openid email profile' }],
  ['google', 'Google', { preset: 'google', name: 'Google', issuer: 'https://accounts.google.com', scopes: 'openid email profile' }],
  ['microsoft', 'Microsoft', { preset: 'microsoft', name: 'Microsoft', scopes: 'openid email profile' }],
  ['github', 'GitHub', { preset: 'github', name: 'GitHub', issuer: 'https://github.com', scopes: 'read:user user:email' }],
  ['saml', 'SAML 2.0 (from metadata)'],
];
const presetOf = (kind) => KINDS.find(([k]) => k === kind)?.[2];

/** A group of fields shown for some kinds only (hidden ones are neither read nor required). */
const part = (...fields) => h('div', { class: 'form-grid' }, ...fields);

export function idpForm(tenant) {
  const kind = select(KINDS.map(([k, label]) => [k, label]), { name: 'kind', value: 'oidc' });
  const alias = input({ name: 'alias', required: true, maxlength: 63, autocomplete: 'off', placeholder: 'corp' });
  const name = input({ name: 'displayName', required: true, maxlength: 100, placeholder: 'Corp SSO' });
  const issuer = input({ name: 'issuer', type: 'url', maxlength: 2000, placeholder: 'https://login.example.com' });
  const msTenant = input({ name: 'msTenant', maxlength: 255, placeholder: 'common', autocomplete: 'off' });
  const clientId = input({ name: 'clientId', maxlength: 500, autocomplete: 'off' });
  const secret = input({ name: 'clientSecret', type: 'password', maxlength: 2000, autocomplete: 'new-password' });
  const scopes = input({ name: 'scopes', maxlength: 1000, value: 'openid email profile' });
  const metadata = textarea({ name: 'metadata', rows: 6, spellcheck: 'false', class: 'input textarea code', placeholder: '<EntityDescriptor …>' });
  const file = input({ name: 'metadataFile', type: 'file', accept: '.xml,application/xml,application/samlmetadata+xml,text/xml' });
  const nameId = select([['persistent', 'persistent'], ['email', 'email'], ['transient', 'transient'], ['unspecified', 'unspecified']], { name: 'nameIdFormat', value: 'persistent' });
  file.addEventListener('change', async () => { if (file.files?.[0]) metadata.value = await file.files[0].text(); });

  const issuerField = field('Issuer', issuer, 'Its discovery document is read at sign-in from {issuer}/.well-known/openid-configuration.');
  const msField = field('Microsoft tenant', msTenant, 'A tenant id or domain, or common, organizations or consumers (default common).');
  const oidc = part(issuerField, msField, field('Client id', clientId),
    field('Client secret', secret, 'Write-only: stored sealed and never shown again. Leave empty for a public client (PKCE only).'),
    field('Scopes', scopes, 'Separated by spaces.'));
  const saml = part(field("The IdP's metadata XML", metadata), field('…or read it from a file', file), field('NameID format', nameId));

  function shown() {
    const p = presetOf(kind.value);
    oidc.hidden = !p;
    saml.hidden = Boolean(p);
    issuerField.hidden = Boolean(p?.preset);
    msField.hidden = kind.value !== 'microsoft';
    if (p) scopes.value = p.scopes;
    if (p?.name && !alias.value) alias.value = p.preset;
    if (p?.name && !name.value) name.value = p.name;
  }
  kind.addEventListener('change', shown);

  function body() {
    const common = { alias: alias.value.trim(), displayName: name.value.trim() };
    const p = presetOf(kind.value);
    if (!p) return { kind: 'saml', ...common, saml: { metadata: metadata.value, nameIdFormat: nameId.value } };
    const iss = kind.value === 'microsoft'
      ? `https://login.microsoftonline.com/${encodeURIComponent(msTenant.value.trim() || 'common')}/v2.0`
      : p.issuer ?? issuer.value.trim();
    return {
      kind: 'oidc', ...common,
      oidc: {
        issuer: iss, clientId: clientId.value.trim(), scopes: scopes.value.split(/\s+/).filter(Boolean),
        ...(p.preset ? { preset: p.preset } : {}), ...(secret.value ? { clientSecret: secret.value } : {}),
      },
    };
  }

  // The API's paths (`body.oidc.issuer: …`) → the control to mark invalid and focus.
  const controls = {
    alias, displayName: name, 'oidc.clientId': clientId, 'oidc.clientSecret': secret, 'oidc.scopes': scopes,
    'saml.metadata': metadata, 'saml.nameIdFormat': nameId, get 'oidc.issuer'() { return kind.value === 'microsoft' ? msTenant : issuer; },
  };
  function markInvalid(message) {
    const bad = Object.keys(controls).filter((path) => new RegExp(`(^|\\.)${path.replace('.', '\\.')}[.:]`).test(message)).map((path) => controls[path]);
    for (const control of bad) control.setAttribute('aria-invalid', 'true');
    bad.find((control) => !control.closest('[hidden]'))?.focus();
  }

  const form = h('form', {
    class: 'stack-form', 'aria-label': 'Add an identity provider',
    onsubmit: async (e) => {
      e.preventDefault();
      for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
      const made = await attempt(form, () => api.post(tenant, '/idps', body()).catch((err) => { markInvalid(err.message ?? ''); throw err; }), 'Identity provider added.');
      if (!made) return;
      secret.value = '';
      location.hash = href(tenant, 'idps', made.alias);
    },
  },
  h('h2', {}, 'Add an identity provider'),
  part(field('Kind', kind), field('Alias', alias, 'Lower-case letters, digits, - or _; in the callback URL, never changes.'), field('Name on the login page', name)),
  oidc, saml,
  button('Add', undefined, { kind: 'primary', type: 'submit' }));
  shown();
  return h('section', { class: 'panel' }, form);
}

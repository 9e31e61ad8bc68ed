// Tenant settings: display name and branding (logo, colours) with a live preview of the login
// card as users will see it; registration, profile, legacy and rate-limit settings as the API knows them; the
// tenant's own SMTP server (its address is write-only: never shown back). The preview's text on
// the accent colour is black or white as the login page chooses it (core/tenants/branding-css.ts).
import { api } from '../api.js';
import { jsonEditor } from '../json-form.js';
import { attempt, button, errorBox, field, h, input, pageHeader } from '../ui.js';
import { canWrite } from '../layout.js';

/** Black or white, whichever contrasts more with #rrggbb (WCAG luminance, as branding-css.ts). */
function onAccent(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#000000' : '#ffffff';
}

const tenantPath = (tenant) => `/api/admin/tenants/${encodeURIComponent(tenant)}`;

function preview(name, branding) {
  const mark = h('span', { class: 'pv-mark', 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase());
  const logo = h('img', { class: 'pv-logo', alt: '', hidden: true });
  const title = h('span', { class: 'pv-name' }, name);
  const card = h('div', { class: 'pv-card' },
    h('p', { class: 'pv-title' }, 'Sign in'),
    h('div', { class: 'pv-input' }, 'Username or email'),
    h('div', { class: 'pv-button' }, 'Continue'),
    h('p', { class: 'pv-link' }, 'Create an account'));
  const box = h('figure', { class: 'preview', 'aria-label': 'Preview of the login page' },
    h('div', { class: 'pv-page' }, h('div', { class: 'pv-brand' }, logo, mark, title), card),
    h('figcaption', {}, 'Preview of the login page'));
  function update(next) {
    title.textContent = next.name;
    mark.textContent = (next.name || '?').slice(0, 1).toUpperCase();
    const okLogo = next.logoUrl && /^(https:\/\/|\/)/.test(next.logoUrl);
    logo.hidden = !okLogo;
    mark.hidden = !!okLogo;
    if (okLogo) logo.src = next.logoUrl;
    // CSSOM custom properties (allowed by the CSP, unlike style attributes).
    const page = box.firstChild;
    const accent = /^#[0-9a-f]{6}$/i.test(next.colors.primary ?? '') ? next.colors.primary : undefined;
    for (const [prop, value] of [['--pv-accent', accent], ['--pv-on-accent', accent && onAccent(accent)], ['--pv-bg', next.colors.background], ['--pv-text', next.colors.text]]) {
      if (value) page.style.setProperty(prop, value);
      else page.style.removeProperty(prop);
    }
  }
  update({ name, logoUrl: branding.logoUrl, colors: branding.colors });
  return { box, update };
}

export async function render({ tenant, roles }) {
  const write = canWrite(roles);
  const t = await api.global('GET', tenantPath(tenant)).catch((err) => ({ error: err }));
  if (t.error) return h('div', { class: 'page' }, pageHeader('Tenant settings'), errorBox(t.error));
  const s = t.settings;
  const page = h('div', { class: 'page' });
  const save = (body, where) => attempt(where, () => api.global('PATCH', tenantPath(tenant), body), 'Saved.')
    .then((r) => r && window.dispatchEvent(new HashChangeEvent('hashchange')));

  const name = input({ value: t.name, maxlength: 200, required: true });
  const logo = input({ value: s.branding.logoUrl ?? '', placeholder: 'https://… or /path', maxlength: 2000 });
  const colour = (value) => input({ type: 'color', value: value ?? '#4338ca' });
  const colours = { primary: colour(s.branding.colors.primary), background: colour(s.branding.colors.background ?? '#f3f4f7'), text: colour(s.branding.colors.text ?? '#111827') };
  const used = { primary: !!s.branding.colors.primary, background: !!s.branding.colors.background, text: !!s.branding.colors.text };
  const live = preview(t.name, s.branding);
  const current = () => ({
    name: name.value, logoUrl: logo.value.trim() || null,
    colors: Object.fromEntries(Object.entries(colours).map(([k, el]) => [k, used[k] ? el.value : null])),
  });
  for (const el of [name, logo]) el.addEventListener('input', () => live.update(current()));
  for (const [k, el] of Object.entries(colours)) el.addEventListener('input', () => { used[k] = true; live.update(current()); });
  const brandingForm = h('form', {
    class: 'branding', onsubmit: (e) => {
      e.preventDefault();
      const next = current();
      save({ name: next.name, settings: { branding: { logoUrl: next.logoUrl, colors: next.colors } } }, brandingForm);
    },
  },
  h('div', { class: 'form-grid' },
    field('Display name', name), field('Logo', logo, 'An https:// address or a path on this server; replaces the monogram.'),
    field('Accent colour', colours.primary), field('Background', colours.background), field('Text', colours.text),
    write ? h('div', { class: 'actions' },
      button('Save branding', undefined, { kind: 'primary', type: 'submit' }),
      button('Reset colours', () => { for (const k of Object.keys(used)) used[k] = false; live.update(current()); })) : null),
  live.box);

  const smtpUrl = input({ type: 'password', placeholder: s.smtp.configured ? `set (${s.smtp.host})` : 'smtps://user:password@mail.example.com', autocomplete: 'off' });
  const smtpFrom = input({ value: s.smtp.from ?? '', placeholder: 'Acme <no-reply@acme.example>' });
  const smtpForm = h('form', {
    class: 'form-grid', onsubmit: (e) => {
      e.preventDefault();
      save({ settings: { smtp: { ...(smtpUrl.value ? { url: smtpUrl.value } : {}), from: smtpFrom.value || null } } }, smtpForm);
    },
  }, field('SMTP server', smtpUrl, s.smtp.configured ? `Mail goes through ${s.smtp.host}. The address is never shown; type a new one to replace it.` : 'Without one, mail goes through the server-wide SMTP_URL.'),
  field('From', smtpFrom), write ? button('Save mail settings', undefined, { kind: 'primary', type: 'submit' }) : null);

  const loginUrl = input({ type: 'url', value: s.ui?.loginUrl ?? '', placeholder: 'https://login.example.com/', maxlength: 2000 });
  const uiForm = h('form', {
    class: 'form-grid', onsubmit: (e) => { e.preventDefault(); save({ settings: { ui: { loginUrl: loginUrl.value.trim() || null } } }, uiForm); },
  }, field('Your own login page', loginUrl, 'Browsers are sent to it with ?journey={id}; it drives the Journey API (CORS is answered for its origin only). It must be on the same site as this server (same scheme and domain, e.g. login.example.com beside id.example.com). Empty: the built-in login page.'),
  write ? button('Save login page', undefined, { kind: 'primary', type: 'submit' }) : null);
  const section = (title, ...content) => h('section', { class: 'panel' }, h('h2', {}, title), ...content);
  page.append(
    pageHeader('Tenant settings', t.name === t.id ? t.id : `${t.name} (${t.id})`),
    section('Branding', brandingForm),
    section('Login page', uiForm),
    section('Registration', jsonEditor('Registration, moderation, email patterns, password policy, invitations', s.registration,
      (value, form) => save({ settings: { registration: value } }, form), { disabled: !write, rows: 18 })),
    section('Profile', jsonEditor('Profile attributes users must give', s.profile, (value, form) => save({ settings: { profile: value } }, form), { disabled: !write, rows: 5 })),
    section('Legacy login', jsonEditor('Where /login?next= may return; user token lifetime', s.legacy, (value, form) => save({ settings: { legacy: value } }, form), { disabled: !write, rows: 6 })),
    section('Rate limits', jsonEditor('Limits per window', s.rateLimits, (value, form) => save({ settings: { rateLimits: value } }, form), {
      disabled: !write, rows: 26,
      hint: 'Journey starts and signups per address and for the whole tenant, mails per recipient, wrong device codes per address: {"limit": n, "window": "1m"} each (1s to 30d); null puts one back to its default.',
    })),
    section('Mail', smtpForm));
  return page;
}

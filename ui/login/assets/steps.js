// Renders any step from its JSON alone (DESIGN.md §4). One renderer per step type in RENDERERS,
// so a new ceremony (the WebAuthn one) is one function and one entry. A renderer returns the
// step's body; renderStep adds the title, description, image, step-level alert region, a way
// to start over and links to the other pages (sign up, recover, back to sign in).
// `env`: { submit(values, button), startOver(), navigate(url), notice?, canStartOver?,
//          links?: [{ lead?, label, href }], prefill?: { [field]: value } (for empty fields) }.
import { h, icon, safeUrl } from './dom.js';
import { readValues, renderField, validateFields } from './fields.js';
import { proofOfWork } from './pow.js';

export function renderStep(step, env) {
  const render = RENDERERS[step.type] ?? renderUnsupported;
  const shownFields = new Set((step.fields ?? []).filter((f) => f.type !== 'hidden').map((f) => f.name));
  const stepErrors = (step.errors ?? []).filter((e) => !e.field || !shownFields.has(e.field)).map((e) => e.message);
  const alert = h('div', { class: 'alert', role: 'alert' });
  setAlert(alert, [env.notice, ...stepErrors].filter(Boolean));
  return h('section', { class: `step step-${step.type.replace('.', '-')}` },
    h('header', { class: 'step-header' },
      h('h1', { id: 'step-title', tabindex: '-1' }, step.title),
      step.description ? h('p', { class: 'step-description' }, step.description) : null),
    stepImage(step.image),
    alert,
    render(step, env),
    stepFooter(env.canStartOver && !HAS_OWN_EXIT.has(render) ? env.startOver : undefined, env.links ?? [],
      waitsElsewhere(step) ? 'No email after a few minutes?' : undefined));
}

function stepFooter(startOver, links, startOverLead) {
  if (!startOver && links.length === 0) return null;
  const line = (lead, ...content) => h('p', { class: 'footer-line' }, lead ? `${lead} ` : null, ...content);
  return h('footer', { class: 'step-footer' },
    links.map((link) => line(link.lead, h('a', { href: link.href }, link.label))),
    startOver ? line(startOverLead, h('button', { type: 'button', class: 'link-button', onclick: startOver }, 'Start over')) : null);
}

/** Replaces the messages in a step's alert region (e.g. a failed submit). */
export function setAlert(alert, messages) {
  alert.replaceChildren(...messages.map((m) => h('p', {}, m)));
  alert.hidden = messages.length === 0;
}

// Images are data: URLs (the TOTP QR code) or this site's own files: what the CSP allows anyway.
function stepImage(image) {
  const src = image?.src;
  const ok = typeof src === 'string'
    && (/^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/.test(src) || new URL(safeUrl(src) ?? 'about:blank').origin === location.origin);
  return ok ? h('figure', { class: 'step-image' }, h('img', { src, alt: image.alt ?? '' })) : null;
}

function submitButton(label = 'Continue') {
  return h('button', { type: 'submit', class: 'button button-primary' }, h('span', { class: 'button-label' }, label));
}

function renderForm(step, env) {
  // A value the page brought along (an invitation code from the link) fills a field the server left empty.
  const fields = (step.fields ?? []).map((f) => (!f.value && typeof env.prefill?.[f.name] === 'string' ? { ...f, value: env.prefill[f.name] } : f));
  const errorsFor = (name) => (step.errors ?? []).filter((e) => e.field === name);
  const rendered = fields.map((field, i) => renderField(field, i, errorsFor(field.name)));
  const button = submitButton();
  // A proof-of-work check (captcha) is solved before the values go out.
  const pow = step.options?.pow ? proofOfWork(step.options.pow, rendered) : undefined;
  const onsubmit = async (event) => {
    event.preventDefault();
    if (!validateFields(rendered)) {
      event.target.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    if (pow && !(await pow.ready())) return;
    env.submit(readValues(rendered), button);
  };
  const form = h('form', { class: 'form', novalidate: true, onsubmit }, rendered.map((r) => r.row), pow?.status, button);
  // Nothing for the user to fill in: send the check as soon as it is solved.
  if (pow && fields.every((f) => f.type === 'hidden')) pow.ready().then((ok) => ok && form.isConnected && form.requestSubmit());
  // A form may also offer choices (the sign-in step's identity providers): another way on.
  if (!step.choices?.length) return form;
  return h('div', { class: 'form-with-choices' }, form,
    h('p', { class: 'divider' }, h('span', {}, 'or')),
    h('div', { class: 'choices' }, step.choices.map((choice) => {
      const other = h('button', {
        type: 'button', class: 'button button-secondary', 'data-choice': choice.value,
        onclick: () => env.submit({ choice: choice.value }, other),
      }, h('span', { class: 'button-label' }, choice.label));
      return other;
    })));
}

function renderChoice(step, env) {
  const buttons = (step.choices ?? []).map((choice, i) => {
    const button = h('button', {
      type: 'button', class: i === 0 ? 'button button-primary' : 'button button-secondary',
      onclick: () => env.submit({ choice: choice.value }, button),
    }, h('span', { class: 'button-label' }, choice.label));
    return button;
  });
  return h('div', { class: 'choices' }, buttons);
}

function renderMessage(step, env) {
  if (step.fields?.length) return renderForm(step, env);
  if (step.choices?.length) return renderChoice(step, env);
  // Nothing to answer here (e.g. "Check your email"): the page polls and moves on by itself.
  return h('div', { class: 'notice notice-wait' }, icon('mail', 'notice-icon'),
    h('div', {}, h('p', { class: 'notice-title' }, 'You can leave this page open'),
      h('p', {}, 'It moves on by itself once you have opened the link in this browser.')));
}

/** A step that waits for something done elsewhere (a mailed link) rather than for input on this page. */
export function waitsElsewhere(step) {
  return step?.type === 'message' && !step.fields?.length && !step.choices?.length;
}

function renderRedirect(step, env) {
  const url = safeUrl(step.options?.url);
  if (!url) return renderUnsupported(step, env);
  env.navigate(url);
  return h('p', { class: 'step-note' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Redirecting… ',
    h('a', { href: url }, 'Continue if nothing happens'));
}

// The passkey ceremony lives in webauthn.js, loaded (with its WebAuthn library) on first use.
function renderWebauthn(step, env) {
  const mount = h('div', { class: 'webauthn' }, h('p', { class: 'step-note' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading\u2026'));
  import('./webauthn.js').then((m) => m.mountWebauthn(mount, step, env)).catch(() => mount.replaceChildren(notAvailable(env, 'key',
    'Passkeys could not be loaded.', 'Reload the page, or start over to sign in another way.')));
  return mount;
}

function renderUnsupported(_step, env) {
  return notAvailable(env, 'alert', 'This step is not available on this page.', 'Start over to sign in another way.');
}

function notAvailable(env, iconName, title, text) {
  return h('div', { class: 'unavailable' },
    h('div', { class: 'notice notice-info' }, icon(iconName, 'notice-icon'),
      h('div', {}, h('p', { class: 'notice-title' }, title), h('p', {}, text))),
    h('button', { type: 'button', class: 'button button-secondary', onclick: env.startOver }, 'Start over'));
}

const RENDERERS = {
  form: renderForm,
  choice: renderChoice,
  message: renderMessage,
  redirect: renderRedirect,
  'webauthn.create': renderWebauthn,
  'webauthn.get': renderWebauthn,
};

const HAS_OWN_EXIT = new Set([renderWebauthn, renderUnsupported, renderRedirect]);

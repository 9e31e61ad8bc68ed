// The passkey ceremony for `webauthn.create` and `webauthn.get` steps (DESIGN.md §4): runs
// navigator.credentials through @simplewebauthn/browser (served by the server from
// node_modules) and answers the step with `{ credential: JSON.stringify(result) }`.
// Rules: the ceremony starts on a click only (browsers want a user gesture, and a re-shown step
// after an error must not re-prompt by itself); a cancelled or failed prompt can be retried;
// the browser's own error text never reaches the page, only friendly sentences.
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from './vendor/simplewebauthn-browser/index.js';
import { h, icon } from './dom.js';
import { setAlert } from './steps.js';

const MESSAGES = {
  cancelled: 'The passkey prompt was closed or timed out. Try again when you\u2019re ready.',
  registered: 'This device or security key already has a passkey for your account. Use another one, or start over.',
  notHere: 'Passkeys can\u2019t be used on this web address. Contact your administrator.',
  unsupported: 'This device can\u2019t create the kind of passkey this site needs. Try another device or a security key.',
  failed: 'Something went wrong with the passkey. Please try again.',
};

function messageFor(err) {
  const code = err?.code;
  if (err?.name === 'NotAllowedError' || code === 'ERROR_CEREMONY_ABORTED' || err?.name === 'AbortError') return MESSAGES.cancelled;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return MESSAGES.registered;
  if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID' || err?.name === 'SecurityError') return MESSAGES.notHere;
  if (/^ERROR_(AUTHENTICATOR_MISSING|AUTHENTICATOR_NO_SUPPORTED|MALFORMED)/.test(code ?? '') || err?.name === 'NotSupportedError') return MESSAGES.unsupported;
  return MESSAGES.failed;
}

function startOverButton(env) {
  return h('button', { type: 'button', class: 'button button-secondary', onclick: env.startOver }, 'Start over');
}

function unavailable(env, title, text) {
  return [
    h('div', { class: 'notice notice-info' }, icon('key', 'notice-icon'),
      h('div', {}, h('p', { class: 'notice-title' }, title), h('p', {}, text))),
    startOverButton(env),
  ];
}

/** Fills `mount` (the step body renderStep placed) with the ceremony for `step`. */
export function mountWebauthn(mount, step, env) {
  const create = step.type === 'webauthn.create';
  const options = step.options;
  if (!browserSupportsWebAuthn()) {
    return mount.replaceChildren(...unavailable(env, 'This browser doesn\u2019t support passkeys.',
      'Open this page in an up-to-date browser, or start over to sign in another way.'));
  }
  if (typeof options?.challenge !== 'string' || (create && typeof options.user?.id !== 'string')) {
    return mount.replaceChildren(...unavailable(env, 'This passkey step can\u2019t be shown.', 'Start over to sign in another way.'));
  }
  const alert = mount.closest('.step')?.querySelector('.alert');
  const status = h('p', { class: 'step-note', role: 'status' });
  const button = h('button', { type: 'button', class: 'button button-primary', onclick: run },
    icon('key', 'button-icon'), h('span', { class: 'button-label' }, create ? 'Create a passkey' : 'Use a passkey'));

  function busy(on) {
    button.disabled = on;
    button.classList.toggle('is-busy', on);
    status.textContent = on ? 'Follow the prompt from your browser or device\u2026' : '';
  }

  async function run() {
    if (alert) setAlert(alert, []);
    busy(true);
    let result;
    try {
      result = create ? await startRegistration({ optionsJSON: options }) : await startAuthentication({ optionsJSON: options });
    } catch (err) {
      busy(false);
      if (alert) setAlert(alert, [messageFor(err)]);
      button.focus();
      return;
    }
    status.textContent = '';
    env.submit({ credential: JSON.stringify(result) }, button);
  }

  mount.replaceChildren(h('div', { class: 'choices' }, button, status));
  if (env.canStartOver) {
    mount.append(h('div', { class: 'step-footer' }, h('button', { type: 'button', class: 'link-button', onclick: env.startOver }, 'Start over')));
  }
  button.focus();
}

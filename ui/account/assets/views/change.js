// A sensitive change (#/change/{what}): runs an account journey (trees account-*) for the signed-in
// user and renders its steps with the login UI's step renderer (/ui/assets/steps.js), inside the
// console. Rules: the journey is started by a POST after the page loaded (no change on GET), bound
// to this browser (binding cookie) and to the user of its SSO session by the server; server
// strings become text only; one request at a time; success returns to the signing-in page and is
// announced; a failed, expired or unreachable journey says so and offers to try again.
import { api as journeyApi, isJourney } from '/ui/assets/api.js';
import { focusFirst } from '/ui/assets/dom.js';
import { renderStep, setAlert } from '/ui/assets/steps.js';
import { startAccountJourney } from '../api.js';
import { button, errorBox, h, pageView, toast } from '../ui.js';

const CHANGES = {
  password: { tree: 'account-password', title: 'Change your password', done: 'Your password was changed.' },
  totp: { tree: 'account-totp', title: 'Set up an authenticator app', done: 'Your authenticator app is set up.' },
  'totp-remove': { tree: 'account-totp-remove', title: 'Remove your authenticator app', done: 'Your authenticator app was removed.' },
  passkey: { tree: 'account-passkey', title: 'Add a passkey', done: 'Your passkey was added. Give it a name so you can tell it apart.' },
};

export async function render({ tenant, rest, go }) {
  const change = CHANGES[rest[0]];
  if (!change) return pageView('Nothing to change here', undefined, errorBox({ message: 'This change does not exist.' }));
  const body = h('div', { class: 'card journey-card', 'aria-live': 'polite' }, h('div', { class: 'loading', role: 'status' }, 'Starting\u2026'));
  const back = () => go('signing-in');
  let busy = false;
  let journeyId;

  function showError(message) {
    body.replaceChildren(errorBox({ message }), h('div', { class: 'form-actions' },
      button('Try again', () => begin(), { kind: 'primary' }), button('Back to signing in', back)));
    body.querySelector('button')?.focus();
  }

  function show(journey, notice) {
    journeyId = journey.id;
    busy = false;
    body.removeAttribute('aria-busy');
    if (journey.status === 'succeeded') {
      toast(change.done);
      return back();
    }
    if (journey.status === 'failed') return showError(journey.error?.message || 'That did not work. Try again.');
    if (journey.status === 'expired') return showError('This took too long and expired. Try again.');
    if (!journey.step) return showError('This step cannot be shown. Try again.');
    const step = journey.step;
    body.replaceChildren(renderStep(step, {
      submit: (values, pressed) => submit(step, values, pressed), startOver: back, navigate: (url) => location.assign(url),
      notice, canStartOver: false, links: [],
    }));
    focusFirst(body);
  }

  async function submit(step, values, pressed) {
    if (busy) return;
    busy = true;
    body.setAttribute('aria-busy', 'true');
    for (const b of body.querySelectorAll('button')) b.disabled = true;
    pressed?.classList.add('is-busy');
    const res = await journeyApi.submit(tenant, journeyId, step.id, values);
    if ([200, 400, 409].includes(res.status) && isJourney(res.body)) {
      return show(res.body, res.status === 400 && !res.body.step?.errors?.length ? res.body.error?.message : undefined);
    }
    if (res.status === 404 || res.status === 410) return showError('This change is no longer open in this browser. Try again.');
    busy = false;
    body.removeAttribute('aria-busy');
    for (const b of body.querySelectorAll('button')) b.disabled = false;
    pressed?.classList.remove('is-busy');
    const alert = body.querySelector('.alert');
    if (alert) setAlert(alert, [res.body?.error?.message ?? 'We couldn\u2019t reach the service. Try again.']);
  }

  async function begin() {
    body.replaceChildren(h('div', { class: 'loading', role: 'status' }, 'Starting\u2026'));
    const res = await startAccountJourney(tenant, change.tree);
    if (res.status === 201 && isJourney(res.body)) return show(res.body);
    if (res.status === 401) return showError('Your sign-in here has ended. Sign out, sign in again, then retry.');
    return showError(res.body?.error?.message ?? 'We couldn\u2019t start this change. Try again.');
  }

  begin();
  return pageView(change.title, 'First confirm it is you, unless you signed in a moment ago.', body,
    h('p', { class: 'back-link' }, h('a', { href: '#/signing-in' }, 'Back to signing in')));
}

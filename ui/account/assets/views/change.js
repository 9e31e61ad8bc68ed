// A sensitive change (#/change/{what}; #/change/link/{idp} links an upstream account, and
// #/change/passkey-remove/{credentialId} and #/change/unlink/{idp} remove one): runs
// an account journey (trees account-*) for the signed-in user and renders its steps with the login
// UI's step renderer (/ui/assets/steps.js), inside the console. Rules: the journey is started by a
// POST after the page loaded (no change on GET), bound to this browser (binding cookie) and to the
// user of its SSO session by the server; server strings become text only; one request at a time;
// a step that waits for a mailed link (a new email address) is polled, so the page follows when
// the link is opened in another tab; success returns to the page the change belongs to and is
// announced; a failed, expired or unreachable journey says so and offers to try again. A journey
// that went to an upstream IdP comes back as #/change/link/{idp}/{journey}: the page reads where
// it stands instead of starting another.
import { api as journeyApi, isJourney } from '/ui/assets/api.js';
import { focusFirst } from '/ui/assets/dom.js';
import { watchJourney } from '/ui/assets/poll.js';
import { renderStep, setAlert, waitsElsewhere } from '/ui/assets/steps.js';
import { startAccountJourney } from '../api.js';
import { button, errorBox, h, pageView, toast } from '../ui.js';

const CHANGES = {
  password: { tree: 'account-password', title: 'Change your password', done: 'Your password was changed.' },
  totp: { tree: 'account-totp', title: 'Set up an authenticator app', done: 'Your authenticator app is set up.' },
  'totp-remove': { tree: 'account-totp-remove', title: 'Remove your authenticator app', done: 'Your authenticator app was removed.' },
  passkey: { tree: 'account-passkey', title: 'Add a passkey', done: 'Your passkey was added. Give it a name so you can tell it apart.' },
  email: { tree: 'account-email', title: 'Change your email address', done: 'Your email address was changed.', page: 'profile', pageLabel: 'personal info' },
  link: { tree: 'account-link', title: 'Link an account', done: 'Your account elsewhere is linked.', page: 'linked-accounts', pageLabel: 'linked accounts', target: 'idp' },
  'passkey-remove': { tree: 'account-passkey-remove', title: 'Remove a passkey', done: 'Your passkey was removed.', target: 'remove' },
  unlink: { tree: 'account-unlink', title: 'Unlink an account', done: 'Your account elsewhere is no longer linked.', page: 'linked-accounts', pageLabel: 'linked accounts', target: 'remove' },
};

// What a change may name: an IdP alias (link, unlink) or a passkey's credential id (base64url).
const TARGET = /^[A-Za-z0-9_-]{1,1400}$/;
const JOURNEY = /^[A-Za-z0-9_-]{22,64}$/;

export async function render({ tenant, rest, go }) {
  const change = CHANGES[rest[0]];
  const target = change?.target ? rest[1] : undefined;
  if (!change || (change.target && !TARGET.test(target ?? ''))) return pageView('Nothing to change here', undefined, errorBox({ message: 'This change does not exist.' }));
  const resumeId = rest[change.target ? 2 : 1];
  const body = h('div', { class: 'card journey-card', 'aria-live': 'polite' }, h('div', { class: 'loading', role: 'status' }, 'Starting\u2026'));
  const home = change.page ?? 'signing-in';
  const homeLabel = `Back to ${change.pageLabel ?? 'signing in'}`;
  const back = () => go(home);
  let busy = false;
  let journeyId;
  let watch;

  function showError(message) {
    body.replaceChildren(errorBox({ message }), h('div', { class: 'form-actions' },
      button('Try again', () => begin(), { kind: 'primary' }), button(homeLabel, back)));
    body.querySelector('button')?.focus();
  }

  function show(journey, notice) {
    watch?.stop();
    watch = undefined;
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
    if (waitsElsewhere(step)) {
      watch = watchJourney({
        read: () => journeyApi.get(tenant, journey.id),
        unchanged: (res) => res.status === 200 && isJourney(res.body) && res.body.status === 'waiting' && res.body.step?.id === step.id,
        onChange: (res) => (isJourney(res.body) ? show(res.body) : showError('This change is no longer open in this browser. Try again.')),
      });
      window.addEventListener('hashchange', () => watch?.stop(), { once: true });
    }
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

  async function resume(id) {
    const res = await journeyApi.get(tenant, id);
    if (res.status === 200 && isJourney(res.body)) return show(res.body);
    return showError('This change is no longer open in this browser. Try again.');
  }

  async function begin() {
    body.replaceChildren(h('div', { class: 'loading', role: 'status' }, 'Starting\u2026'));
    const res = await startAccountJourney(tenant, change.tree, change.target ? { [change.target]: target } : {});
    if (res.status === 201 && isJourney(res.body)) return show(res.body);
    if (res.status === 401) return showError('Your sign-in here has ended. Sign out, sign in again, then retry.');
    return showError(res.body?.error?.message ?? 'We couldn\u2019t start this change. Try again.');
  }

  if (resumeId && JOURNEY.test(resumeId)) resume(resumeId);
  else begin();
  return pageView(change.title, 'First confirm it is you, unless you signed in a moment ago.', body,
    h('p', { class: 'back-link' }, h('a', { href: `#/${home}` }, homeLabel)));
}

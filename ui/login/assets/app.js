// The login pages (DESIGN.md §4): /ui/login, /ui/signup and /ui/recovery start a journey of their
// kind, /ui/journey/{id} loads one, /ui/link uses a mailed link; then the page renders whatever
// the Journey API says. Rules: no state change on GET (the script starts a journey, or uses a
// link, with a POST); the tenant and journey id come from the URL (or `?journey=`, the convention
// for a tenant's own UI); secrets in the URL are taken out of it at once (page.js); one request at
// a time; a step that waits for a mailed link is polled so this tab follows when the link is
// opened in another one; server strings reach the DOM as text only.
import { api, isJourney } from './api.js';
import { focusFirst, safeUrl } from './dom.js';
import { PAGE_KIND, pageOf, wordsFor } from './kinds.js';
import { openLinkPage, TOKEN } from './link.js';
import { parsePage, takeFragment, takeQueryCode } from './page.js';
import { watchJourney } from './poll.js';
import { renderStep, setAlert, waitsElsewhere } from './steps.js';
import * as views from './views.js';

const OFFLINE = 'We couldn\u2019t reach the sign-in service. Check your connection and try again.';
/** Invitation codes as an invitation mail carries them: printable, no spaces. */
const INVITE = /^[\x21-\x7e]{1,100}$/;

const card = document.getElementById('card');
const page = parsePage();
let journeyId = page?.id;
let kind = PAGE_KIND[page?.view] ?? 'login';
// A magic link carries a code: taken out of the URL at once, then given to the step asking for it.
let linkCode = takeQueryCode();
// An invitation link (/ui/signup#invite=…) fills in the sign-up form's invitation field, once.
let prefill = page?.view === 'signup' ? inviteFrom(takeFragment('invite', INVITE)) : undefined;
let firstStepId;
let busy = false;
let watch;

function inviteFrom(code) {
  return code ? { invitation: code } : undefined;
}

const tenantPath = () => `/t/${encodeURIComponent(page.tenant)}`;
/** What the page calls the tenant: its id until the branding says its display name. */
let tenantName = page?.tenant ?? '';
const pageHref = (name) => `${tenantPath()}/ui/${name}`;
const startOver = () => location.assign(pageHref(pageOf(kind)));
const navigate = (url) => location.assign(url);

function show(view) {
  watch?.stop();
  watch = undefined;
  busy = false;
  card.removeAttribute('aria-busy');
  card.replaceChildren(view);
  const title = card.querySelector('h1')?.textContent;
  document.title = title ? `${title} \u00b7 ${tenantName}` : tenantName;
  focusFirst(card);
}

/** The way to the other pages under a step: sign up or recover from sign-in, back to sign-in from those. */
function linksFor(step) {
  if (kind === 'registration') return [{ lead: 'Already have an account?', label: 'Sign in', href: pageHref('login') }];
  if (kind === 'recovery') return [{ label: 'Back to sign in', href: pageHref('login') }];
  // The first step, and any step asking who you are or for your password (also when a protocol
  // started the journey, so this page never saw its first step).
  const asksIdentity = (step.fields ?? []).some((f) => /\b(username|current-password)\b/.test(f.autocomplete ?? ''));
  if (step.id !== firstStepId && !asksIdentity) return [];
  return [
    { label: 'Forgot your password?', href: pageHref('recovery') },
    { lead: 'New here?', label: 'Create an account', href: pageHref('signup') },
  ];
}

function showStep(journey, notice) {
  const step = journey.step;
  show(renderStep(step, {
    submit: (values, button) => submit(step, values, button),
    startOver, navigate, notice, canStartOver: step.id !== firstStepId, links: linksFor(step), prefill,
  }));
  if (prefill && step.fields?.some((f) => Object.hasOwn(prefill, f.name))) prefill = undefined;
  if (waitsElsewhere(step)) {
    watch = watchJourney({
      read: () => api.get(page.tenant, journey.id),
      unchanged: (res) => res.status === 200 && isJourney(res.body) && res.body.status === 'waiting' && res.body.step?.id === step.id,
      // 404: the link was opened in another browser, and the journey went with it.
      onChange: (res) => (res.status === 404 ? show(views.movedElsewhere(startOver, kind)) : handle(res, load)),
    });
  }
}

function showJourney(journey, notice) {
  journeyId = journey.id;
  if (typeof journey.kind === 'string') kind = journey.kind;
  switch (journey.status) {
    case 'waiting':
      if (!journey.step) return show(views.unavailable(load));
      return showStep(journey, notice);
    case 'succeeded': {
      // A notice means nobody was signed in (e.g. a sign-up awaiting its verification link).
      if (journey.notice) return show(views.notice(journey.notice, pageHref('login')));
      const url = safeUrl(journey.redirectTo);
      if (!url) return show(views.signedIn(page.tenant, kind));
      show(views.redirecting(url));
      return navigate(url);
    }
    case 'failed':
      return show(views.failed(journey.error?.message, startOver, kind));
    case 'expired':
      return show(views.expired(startOver, kind));
    default:
      return show(views.unavailable(load));
  }
}

/** What to say above a re-rendered step: a stale tab, or an invalid input without field errors. */
function noticeFor({ status, body }) {
  if (status === 409 && body.status === 'waiting') {
    return `This ${wordsFor(kind).noun} moved on in another tab or window, so this page now shows where it is.`;
  }
  if (status === 400 && !body.step?.errors?.length) return body.error?.message;
  return undefined;
}

function handle(res, retry) {
  if (res.status === 404) return show(views.notValid(startOver));
  if (res.status === 410) return show(views.expired(startOver, kind));
  if ([200, 201, 400, 409].includes(res.status) && isJourney(res.body)) return showJourney(res.body, noticeFor(res));
  return show(views.unavailable(retry));
}

function setBusy(on, button) {
  busy = on;
  if (on) card.setAttribute('aria-busy', 'true');
  else card.removeAttribute('aria-busy');
  for (const b of card.querySelectorAll('button')) b.disabled = on;
  button?.classList.toggle('is-busy', on);
}

async function submit(step, values, button) {
  if (busy) return;
  const focused = document.activeElement;
  watch?.stop();
  setBusy(true, button);
  const res = await api.submit(page.tenant, journeyId, step.id, values);
  const answered = res.status === 404 || res.status === 410 || (res.status > 0 && res.status < 500 && isJourney(res.body));
  if (answered) return handle(res, load);
  // Network failure or a server error: keep what the user typed and let them try again.
  setBusy(false, button);
  setAlert(card.querySelector('.alert'), [res.status === 0 ? OFFLINE : (res.body?.error?.message ?? OFFLINE)]);
  if (focused instanceof HTMLElement) focused.focus();
}

async function load() {
  show(views.loading());
  const res = await api.get(page.tenant, journeyId);
  const code = linkCode;
  linkCode = undefined;
  const step = res.status === 200 && isJourney(res.body) ? res.body.step : undefined;
  if (code && step?.fields?.some((f) => f.name === 'code')) return handle(await api.submit(page.tenant, journeyId, step.id, { code }), load);
  handle(res, load);
}

function showAt(journey) {
  history.replaceState(null, '', `${tenantPath()}/ui/journey/${encodeURIComponent(journey.id)}`);
}

async function start() {
  show(views.loading());
  const res = await api.start(page.tenant, kind);
  if (res.status === 201 && isJourney(res.body)) {
    firstStepId = res.body.step?.id;
    showAt(res.body);
  } else if (res.status === 403 && res.body?.error?.code === 'registration_disabled') {
    return show(views.registrationClosed(res.body.error.message, pageHref('login')));
  } else if (res.status === 404) {
    return show(views.unavailable(start));
  }
  return handle(res, start);
}

function showTenant() {
  const mark = document.getElementById('tenant-mark');
  document.getElementById('tenant-name').textContent = tenantName;
  mark.textContent = tenantName.charAt(0).toUpperCase();
  let hash = 0;
  for (const ch of page.tenant) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  mark.classList.add(`hue-${hash % 6}`);
}

/** The tenant's display name, logo and colours (settings.branding); the page works without them. */
async function applyBranding() {
  let branding;
  try {
    const res = await fetch(`${tenantPath()}/ui/branding.json`, { credentials: 'same-origin' });
    if (!res.ok) return;
    branding = await res.json();
  } catch {
    return;
  }
  if (typeof branding?.displayName === 'string' && branding.displayName) {
    tenantName = branding.displayName;
    showTenant();
    const title = card.querySelector('h1')?.textContent;
    document.title = title ? `${title} \u00b7 ${tenantName}` : tenantName;
  }
  if (branding?.stylesheet) {
    const sheet = document.createElement('link');
    sheet.rel = 'stylesheet';
    sheet.href = `${tenantPath()}/ui/branding.css`;
    document.head.append(sheet);
  }
  const logo = safeUrl(branding?.logoUrl);
  if (logo) {
    const img = document.createElement('img');
    img.className = 'tenant-logo';
    img.alt = '';
    img.src = logo;
    img.addEventListener('load', () => document.getElementById('tenant-mark').replaceWith(img), { once: true });
  }
}

if (!page) {
  card.replaceChildren(views.unavailable(() => location.reload()));
} else {
  showTenant();
  applyBranding();
  if (page.view === 'link') {
    openLinkPage({
      tenant: page.tenant, token: takeFragment('token', TOKEN), show, signInHref: pageHref('login'),
      onJourney: (journey) => {
        // A journey still waiting (e.g. for a new password) lives at its own address from now on.
        if (journey.status === 'waiting') showAt(journey);
        showJourney(journey);
      },
    });
  } else if (journeyId) {
    load();
  } else {
    start();
  }
}

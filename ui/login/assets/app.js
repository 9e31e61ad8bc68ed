// The login page (DESIGN.md §4): starts or loads a journey through the Journey API and renders
// whatever it says. Rules: no state change on GET (the script starts a journey with a POST); the
// tenant and journey id come from the URL (or `?journey=`, the convention for a tenant's own UI);
// one request at a time; server strings reach the DOM as text only.
import { api, isJourney } from './api.js';
import { focusFirst, safeUrl } from './dom.js';
import { renderStep, setAlert } from './steps.js';
import * as views from './views.js';

const PAGE = /^\/t\/([^/]+)\/ui\/(?:login|journey\/([^/]+))\/?$/;
const STALE = 'This sign-in moved on in another tab or window, so this page now shows where it is.';
const OFFLINE = 'We couldn\u2019t reach the sign-in service. Check your connection and try again.';

const card = document.getElementById('card');
const page = parsePage();
let journeyId = page?.id;
// A magic link carries a code: taken out of the URL at once, then given to the step asking for it.
let linkCode = takeLinkCode();
let firstStepId;
let busy = false;

function parsePage() {
  const match = PAGE.exec(location.pathname);
  if (!match) return undefined;
  const fromQuery = new URLSearchParams(location.search).get('journey');
  return { tenant: decodeURIComponent(match[1]), id: fromQuery || (match[2] && decodeURIComponent(match[2])) || undefined };
}

function takeLinkCode() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (code === null) return undefined;
  params.delete('code');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
  return /^\d{6,8}$/.test(code) ? code : undefined;
}

const tenantPath = () => `/t/${encodeURIComponent(page.tenant)}`;
const startOver = () => location.assign(`${tenantPath()}/ui/login`);
const navigate = (url) => location.assign(url);

function show(view) {
  busy = false;
  card.removeAttribute('aria-busy');
  card.replaceChildren(view);
  const title = card.querySelector('h1')?.textContent;
  document.title = title ? `${title} \u00b7 ${page.tenant}` : page.tenant;
  focusFirst(card);
}

function showJourney(journey, notice) {
  journeyId = journey.id;
  const step = journey.step;
  switch (journey.status) {
    case 'waiting':
      if (!step) return show(views.unavailable(load));
      return show(renderStep(step, {
        submit: (values, button) => submit(step, values, button),
        startOver, navigate, notice, canStartOver: step.id !== firstStepId,
      }));
    case 'succeeded': {
      const url = safeUrl(journey.redirectTo);
      if (!url) return show(views.signedIn(page.tenant));
      show(views.redirecting(url));
      return navigate(url);
    }
    case 'failed':
      return show(views.failed(journey.error?.message, startOver));
    case 'expired':
      return show(views.expired(startOver));
    default:
      return show(views.unavailable(load));
  }
}

/** What to say above a re-rendered step: a stale tab, or an invalid input without field errors. */
function noticeFor({ status, body }) {
  if (status === 409 && body.status === 'waiting') return STALE;
  if (status === 400 && !body.step?.errors?.length) return body.error?.message;
  return undefined;
}

function handle(res, retry) {
  if (res.status === 404) return show(views.notValid(startOver));
  if (res.status === 410) return show(views.expired(startOver));
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

async function start() {
  show(views.loading());
  const res = await api.start(page.tenant);
  if (res.status === 201 && isJourney(res.body)) {
    firstStepId = res.body.step?.id;
    history.replaceState(null, '', `${tenantPath()}/ui/journey/${encodeURIComponent(res.body.id)}`);
  } else if (res.status === 404) {
    return show(views.unavailable(start));
  }
  return handle(res, start);
}

function showTenant() {
  const mark = document.getElementById('tenant-mark');
  document.getElementById('tenant-name').textContent = page.tenant;
  mark.textContent = page.tenant.charAt(0).toUpperCase();
  let hash = 0;
  for (const ch of page.tenant) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  mark.classList.add(`hue-${hash % 6}`);
}

if (!page) {
  card.replaceChildren(views.unavailable(() => location.reload()));
} else {
  showTenant();
  if (journeyId) load();
  else start();
}

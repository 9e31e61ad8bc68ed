// Boots the account console (/t/{tenant}/account/): finishes a sign-in coming back from the
// provider (or starts one: silent while the SSO session lasts), then shows the page the hash
// names inside the frame. One view module per concern under views/, each exporting
// `render({ tenant, api, rest, go })` → Node. State lives in the URL (#/sessions …), so a reload
// shows the same page.
import { accountApi } from './api.js';
import { finishSignIn, session, signIn, signOut } from './auth.js';
import { button, errorBox, h } from './ui.js';

/** [route, label] — Keycloak's account console's concerns, one page each. */
const PAGES = [
  ['profile', 'Personal info'],
  ['signing-in', 'Signing in'],
  ['sessions', 'Sessions'],
  ['applications', 'Applications'],
  ['linked-accounts', 'Linked accounts'],
  ['terms', 'Terms'],
];
const VIEWS = new Set([...PAGES.map(([id]) => id), 'change']);

const shell = document.getElementById('shell');
const tenant = decodeURIComponent(/^\/t\/([^/]+)\/account\/?$/.exec(location.pathname)?.[1] ?? '');
const api = accountApi(tenant);
let me;

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page: VIEWS.has(parts[0]) ? parts[0] : 'profile', rest: parts.slice(1) };
}

const go = (page, ...rest) => { location.hash = `#/${[page, ...rest].map(encodeURIComponent).join('/')}`; };

/** The page a change (#/change/{what}) belongs to, for the navigation. */
const CHANGE_HOME = { email: 'profile', link: 'linked-accounts', unlink: 'linked-accounts' };

function frame(page, rest, main) {
  const current = page !== 'change' ? page : CHANGE_HOME[rest[0]] ?? 'signing-in';
  const nav = h('nav', { class: 'nav', 'aria-label': 'Your account' },
    h('ul', {}, ...PAGES.map(([id, label]) => h('li', {},
      h('a', { href: `#/${id}`, 'aria-current': id === current ? 'page' : undefined }, label)))));
  const header = h('header', { class: 'topbar' },
    h('p', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, (me?.name || me?.email || tenant).charAt(0).toUpperCase()),
      h('span', {}, h('span', { class: 'brand-title' }, 'Your account'), h('span', { class: 'brand-who' }, me?.email ?? me?.username ?? ''))),
    button('Sign out', () => signOut(tenant), { class: 'button button-secondary button-small' }));
  return [header, h('div', { class: 'layout' }, nav, main)];
}

async function show() {
  const { page, rest } = route();
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' }, h('div', { class: 'loading', role: 'status' }, 'Loading\u2026'));
  shell.replaceChildren(...frame(page, rest, main));
  try {
    const view = await import(`./views/${page}.js`);
    const node = await view.render({ tenant, api, rest, go });
    main.replaceChildren(node);
    const title = main.querySelector('h1')?.textContent ?? 'Your account';
    document.title = `${title} \u00b7 Your account`;
    (main.querySelector('h1') ?? main).focus({ preventScroll: false });
  } catch (err) {
    if (err?.status === 401) return;
    main.replaceChildren(errorBox(err));
  }
}

async function boot() {
  if (!tenant) return shell.replaceChildren(errorBox({ message: 'This address names no account page.' }));
  try {
    const returnTo = await finishSignIn(tenant);
    if (returnTo !== undefined) history.replaceState(null, '', `${location.pathname}${returnTo}`);
  } catch (err) {
    return shell.replaceChildren(h('main', { id: 'main', class: 'main main-alone', tabindex: '-1' }, errorBox(err),
      button('Sign in', () => signIn(tenant, ''), { kind: 'primary' })));
  }
  if (!session(tenant)) return signIn(tenant);
  try {
    me = await api.get('/profile');
  } catch (err) {
    if (err?.status === 401) return undefined;
    return shell.replaceChildren(errorBox(err));
  }
  window.addEventListener('hashchange', show);
  return show();
}

boot();

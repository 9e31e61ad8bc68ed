// Boots the admin console: finishes a sign-in coming back from the provider, asks who the caller
// is (GET /api/admin/me), then shows the page the URL names inside the frame. Every view is a
// module of views/ exporting `render({ tenant, rest, params, roles, me })` → Node.
import { api } from './api.js';
import { finishSignIn, session, signIn } from './auth.js';
import { frame, PAGES, pagesFor } from './layout.js';
import { href, parseRoute } from './router.js';
import { button, errorBox, field, h, input } from './ui.js';

const shell = document.getElementById('shell');
const LAST_TENANT = 'tessera-admin-tenant';
let me;

function signInCard(message) {
  const params = new URLSearchParams(location.search);
  const tenant = input({ name: 'tenant', required: true, autocomplete: 'organization', value: params.get('tenant') ?? localStorage.getItem(LAST_TENANT) ?? '' });
  const form = h('form', {
    class: 'signin-form',
    onsubmit: async (e) => {
      e.preventDefault();
      localStorage.setItem(LAST_TENANT, tenant.value.trim());
      sessionStorage.setItem(LAST_TENANT, tenant.value.trim());
      try {
        await signIn(tenant.value.trim());
      } catch (err) {
        form.prepend(errorBox(err));
      }
    },
  },
  message ? errorBox({ message }) : null,
  field('Tenant you sign in with', tenant, 'Your admin account lives in this tenant. A super-admin then sees every tenant.'),
  button('Sign in', undefined, { kind: 'primary', type: 'submit' }));
  shell.replaceChildren(h('main', { id: 'main', class: 'signin', tabindex: '-1' },
    h('div', { class: 'signin-card' },
      h('p', { class: 'logo' }, h('span', { class: 'logo-mark', 'aria-hidden': 'true' }), 'Tessera'),
      h('h1', {}, 'Admin console'),
      h('p', { class: 'subtitle' }, 'Sign in with your account; what you see follows your roles.'),
      form)));
  tenant.focus();
}

async function show() {
  const route = parseRoute();
  if (!route.tenant) {
    // The tenant signed in with first (a super-admin sees every tenant, its own among them).
    const first = me.tenants.find((t) => t.id === session()?.tenant) ?? me.tenants[0];
    if (!first) {
      shell.replaceChildren(h('main', { id: 'main', class: 'signin' }, h('div', { class: 'signin-card' },
        h('h1', {}, 'No tenant to administer'),
        h('p', {}, `You are signed in as ${me.actor}, without an admin role. Ask an admin to grant you one (tessera roles grant).`))));
      return;
    }
    location.replace(href(first.id, pagesFor(first.roles)[0]?.[0] ?? 'approvals'));
    return;
  }
  const tenant = me.tenants.find((t) => t.id === route.tenant);
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' }, h('div', { class: 'loading', role: 'status' }, 'Loading…'));
  shell.replaceChildren(...frame(me, route.tenant, route.page, main));
  if (!tenant) {
    main.replaceChildren(errorBox({ message: `There is no tenant "${route.tenant}" you may see.` }));
    return;
  }
  // Only pages of the navigation load: a page typed in the address that the caller's roles do not
  // open says so (the API would refuse its calls anyway), and no other module is ever imported.
  if (!PAGES.some(([id]) => id === route.page)) {
    main.replaceChildren(errorBox({ message: 'No such page.' }));
    return;
  }
  if (!pagesFor(tenant.roles).some(([id]) => id === route.page)) {
    main.replaceChildren(h('div', { class: 'page' }, h('h1', { tabindex: '-1', class: 'page-title' }, 'Not for your role'),
      h('p', { class: 'error-box', role: 'alert' }, `Your roles in ${route.tenant} (${tenant.roles.join(', ') || 'none'}) do not open this page.`)));
    main.querySelector('h1').focus({ preventScroll: true });
    return;
  }
  try {
    const view = await import(`./views/${route.page}.js`);
    const node = await view.render({ tenant: route.tenant, rest: route.rest, params: route.params, roles: tenant.roles, me });
    main.replaceChildren(node);
    document.title = `${main.querySelector('h1')?.textContent ?? 'Admin'} · ${route.tenant} · Tessera`;
    (main.querySelector('h1') ?? main).focus({ preventScroll: true });
  } catch (err) {
    if (err?.status === 401) return;
    main.replaceChildren(errorBox(err?.message?.includes('dynamically imported') ? { message: 'No such page.' } : err));
  }
}

async function boot() {
  try {
    const returnTo = await finishSignIn();
    if (returnTo !== undefined) history.replaceState(null, '', `/admin/${returnTo}`);
  } catch (err) {
    return signInCard(err.message);
  }
  if (!session()) return signInCard();
  try {
    me = await api.me();
  } catch (err) {
    if (err?.status === 401) return undefined;
    return signInCard(err.message);
  }
  window.addEventListener('hashchange', show);
  return show();
}

boot();

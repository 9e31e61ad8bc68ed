// The console's frame: a navigation of the pages the caller's roles allow in the current tenant,
// a tenant switcher (tenants from /api/admin/me), who is signed in and a sign-out button. On
// narrow screens the navigation folds behind a menu button (aria-expanded).
import { signOut } from './auth.js';
import { href } from './router.js';
import { h } from './ui.js';

/** [page, label, who may see it] — roles from the management API (README: Management API). */
export const PAGES = [
  ['approvals', 'Approvals', ['super-admin', 'tenant-admin', 'approver', 'auditor']],
  ['invitations', 'Invitations', ['super-admin', 'tenant-admin', 'approver', 'auditor']],
  ['users', 'Users', ['super-admin', 'tenant-admin', 'auditor']],
  ['groups', 'Groups', ['super-admin', 'tenant-admin', 'auditor']],
  ['roles', 'Roles', ['super-admin', 'tenant-admin', 'auditor']],
  ['clients', 'Applications', ['super-admin', 'tenant-admin', 'auditor']],
  ['idps', 'Identity providers', ['super-admin', 'tenant-admin', 'auditor']],
  ['saml-sps', 'SAML providers', ['super-admin', 'tenant-admin', 'auditor']],
  ['trees', 'Trees', ['super-admin', 'tenant-admin', 'auditor']],
  ['journeys', 'Journeys', ['super-admin', 'tenant-admin', 'auditor']],
  ['audit', 'Audit log', ['super-admin', 'tenant-admin', 'auditor']],
  ['keys', 'Signing keys', ['super-admin', 'tenant-admin', 'auditor']],
  ['terms', 'Terms', ['super-admin', 'tenant-admin', 'auditor']],
  ['settings', 'Tenant settings', ['super-admin', 'tenant-admin', 'auditor']],
];

/** Whether `roles` may change a tenant's resources and settings (the API's `write` access). */
export const canWrite = (roles) => roles.some((r) => r === 'super-admin' || r === 'tenant-admin');
/** Whether `roles` may decide approvals and send invitations (the API's approver access). */
export const canDecide = (roles) => canWrite(roles) || roles.includes('approver');

export const pagesFor = (roles) => PAGES.filter(([, , who]) => who.some((r) => roles.includes(r)));

export function frame(me, tenant, page, content) {
  const current = me.tenants.find((t) => t.id === tenant);
  const roles = current?.roles ?? [];
  const nav = h('nav', { class: 'nav', id: 'nav', 'aria-label': 'Console' },
    h('ul', {}, ...pagesFor(roles).map(([id, label]) => h('li', {},
      h('a', { href: href(tenant, id), class: id === page ? 'current' : '', 'aria-current': id === page ? 'page' : undefined }, label)))));
  const toggle = h('button', {
    type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav',
    onclick: () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      nav.classList.toggle('open', open);
    },
  }, 'Menu');
  const switcher = h('select', {
    class: 'input tenant-select', 'aria-label': 'Tenant',
    onchange: (e) => { location.hash = href(e.target.value, page); },
  }, ...me.tenants.map((t) => h('option', { value: t.id, selected: t.id === tenant }, t.name === t.id ? t.id : `${t.name} (${t.id})`)));
  const side = h('aside', { class: 'side' },
    h('div', { class: 'side-top' },
      h('a', { class: 'logo', href: href(tenant, 'approvals') }, h('span', { class: 'logo-mark', 'aria-hidden': 'true' }), 'Tessera'),
      toggle),
    switcher, nav,
    h('div', { class: 'who' },
      h('span', { class: 'who-name' }, me.displayName ?? me.actor),
      h('span', { class: 'who-roles' }, roles.join(', ') || 'no role here'),
      h('button', { type: 'button', class: 'btn btn-link', onclick: signOut }, 'Sign out')));
  return [side, h('div', { class: 'content' }, content)];
}

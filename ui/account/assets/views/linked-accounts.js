// Linked accounts: accounts at other identity providers that sign in to this one, unlinking them
// (after a confirmation, #/change/unlink/{idp} runs an account journey on the tree account-unlink,
// which refuses with the reason when it is the only way in), and linking one more: a "Link an
// account" button per enabled IdP not linked yet opens #/change/link/{idp}, which runs an account
// journey (tree account-link) through that IdP. Rules: announced results; buttons named per IdP.
import { button, emptyNote, h, pageView, panel, row, when } from '../ui.js';

export async function render(ctx) {
  const { api, go } = ctx;
  const { items, available = [] } = await api.get('/linked-accounts');
  const page = pageView('Linked accounts', 'Accounts elsewhere that you can sign in with.');
  const list = h('ul', { class: 'rows', 'aria-label': 'Linked accounts' }, ...items.map((link) => row(
    link.name, [link.email, `Linked ${when(link.createdAt)}`, `Last used ${when(link.lastLoginAt)}`],
    [button('Unlink', () => {
      if (confirm(`Unlink your ${link.name} account?`)) go('change', 'unlink', link.idp);
    }, { 'aria-label': `Unlink ${link.name}`, 'data-idp': link.idp })],
  )));
  page.append(panel('Linked', items.length ? list : emptyNote('No account elsewhere is linked to yours.')));
  if (available.length) {
    page.append(panel('Link an account',
      h('p', {}, 'Sign in with one of these too. You confirm it is you here first, then sign in there.'),
      h('ul', { class: 'rows', 'aria-label': 'Accounts you can link' }, ...available.map((idp) => row(idp.name, [], [
        button('Link an account', () => go('change', 'link', idp.idp), { kind: 'primary', 'aria-label': `Link a ${idp.name} account`, 'data-idp': idp.idp }),
      ])))));
  }
  return page;
}

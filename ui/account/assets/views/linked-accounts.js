// Linked accounts: accounts at other identity providers that sign in to this one, and unlinking
// them (refused, with the reason, when it is the only way in). Rules: announced results.
import { button, emptyNote, errorBox, h, pageView, panel, row, toast, when } from '../ui.js';

export async function render(ctx) {
  const { api } = ctx;
  const { items } = await api.get('/linked-accounts');
  const page = pageView('Linked accounts', 'Accounts elsewhere that you can sign in with.');
  const list = h('ul', { class: 'rows', 'aria-label': 'Linked accounts' }, ...items.map((link) => {
    const item = row(link.name, [link.email, `Linked ${when(link.createdAt)}`, `Last used ${when(link.lastLoginAt)}`], [button('Unlink', async () => {
      if (!confirm(`Unlink your ${link.name} account?`)) return;
      try {
        await api.del(`/linked-accounts/${encodeURIComponent(link.idp)}`);
        toast(`Your ${link.name} account is no longer linked.`);
        const fresh = await render(ctx);
        page.replaceWith(fresh);
        fresh.querySelector('h1')?.focus();
      } catch (err) {
        item.append(errorBox(err));
      }
    }, { 'aria-label': `Unlink ${link.name}` })]);
    return item;
  }));
  page.append(panel('Linked', items.length ? list : emptyNote('No account elsewhere is linked to yours. Choose \u201cContinue with \u2026\u201d on the sign-in page to link one.')));
  return page;
}

// Applications: the apps the user allowed to use the account (consent) or that hold a grant, what
// they may see, and revoking them. Rules: a revocation asks for confirmation and is announced.
import { button, emptyNote, errorBox, h, pageView, panel, row, toast, when } from '../ui.js';

export async function render(ctx) {
  const { api } = ctx;
  const { items } = await api.get('/applications');
  const page = pageView('Applications', 'Apps you let use your account. Revoking one signs it out; it asks again next time.');
  const list = h('ul', { class: 'rows', 'aria-label': 'Applications' }, ...items.map((app) => {
    const item = row(app.name, [
      app.scopes.length ? `May see: ${app.scopes.join(', ')}` : null,
      app.lastGrantAt ? `Last signed in ${when(app.lastGrantAt)}` : null,
    ], [button('Revoke access', async () => {
      if (!confirm(`Revoke the access of ${app.name}?`)) return;
      try {
        await api.del(`/applications/${encodeURIComponent(app.clientId)}`);
        toast(`${app.name} no longer has access.`);
        const fresh = await render(ctx);
        page.replaceWith(fresh);
        fresh.querySelector('h1')?.focus();
      } catch (err) {
        item.append(errorBox(err));
      }
    }, { 'aria-label': `Revoke the access of ${app.name}` })]);
    return item;
  }));
  page.append(panel('With access', items.length ? list : emptyNote('No application has access to your account.')));
  return page;
}

// Sessions: where the account is signed in, this device marked, each other one can be signed out,
// or all others at once. Rules: "This device" is said in words, not only by colour; a result is
// announced; after a change the list is read again.
import { button, errorBox, h, pageView, panel, row, toast, when, deviceName } from '../ui.js';

export async function render(ctx) {
  const { api } = ctx;
  const { items } = await api.get('/sessions');
  const others = items.filter((s) => !s.current);
  const page = pageView('Sessions', 'Where you are signed in. Sign out of any device you do not recognise.');
  const reload = async () => {
    const fresh = await render(ctx);
    page.replaceWith(fresh);
    fresh.querySelector('h1')?.focus();
  };
  const list = h('ul', { class: 'rows', 'aria-label': 'Your sessions' }, ...items.map((s) => {
    const name = deviceName(s.userAgent);
    const item = row(
      [name, s.current ? h('span', { class: 'badge badge-ok' }, 'This device') : null],
      [`Signed in ${when(s.authTime)}`, `Session started ${when(s.createdAt)}`, `Expires ${when(s.expiresAt)}`],
      s.current ? [] : [button('Sign out', async () => {
        try {
          await api.del(`/sessions/${encodeURIComponent(s.id)}`);
          toast(`Signed out of ${name}.`);
          reload();
        } catch (err) {
          item.append(errorBox(err));
        }
      }, { 'aria-label': `Sign out of ${name}, signed in ${when(s.authTime)}` })],
      { 'data-session': s.id, ...(s.current ? { 'data-current': 'true' } : {}) },
    );
    return item;
  }));
  page.append(panel('Signed in', list, others.length ? h('div', { class: 'form-actions' }, button('Sign out of all other sessions', async () => {
    try {
      const { ended } = await api.post('/sessions/end-others');
      toast(ended === 1 ? 'Signed out of 1 other session.' : `Signed out of ${ended} other sessions.`);
      reload();
    } catch (err) {
      page.append(errorBox(err));
    }
  })) : h('p', { class: 'empty' }, 'You are signed in on this device only.')));
  return page;
}

// Signing in: the password, the authenticator app and the passkeys of the account. Changes that
// need fresh proof (a new password, an authenticator app, a passkey added or removed) open the
// change page, which runs an account journey; passkeys are renamed here. Rules: a rename is an
// inline form with a labelled input; a removal (passkey, authenticator app) asks for confirmation
// first, since a session signed in a moment ago goes through without a proof; results are announced.
import { button, emptyNote, errorBox, h, pageView, panel, row, toast, when } from '../ui.js';

function renameForm(api, passkey, done) {
  const id = `rename-${passkey.id.slice(0, 16)}`;
  const nameInput = h('input', { class: 'input', id, name: 'name', value: passkey.name ?? '', maxlength: 64, required: true, autocomplete: 'off' });
  const status = h('div', { class: 'form-status' });
  const form = h('form', {
    class: 'form rename-form', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      if (!nameInput.value.trim()) {
        status.replaceChildren(errorBox({ message: 'Give the passkey a name.' }));
        return nameInput.focus();
      }
      try {
        await api.patch(`/passkeys/${encodeURIComponent(passkey.id)}`, { name: nameInput.value.trim() });
        toast(`Passkey renamed to \u201c${nameInput.value.trim()}\u201d.`);
        done(true);
      } catch (err) {
        status.replaceChildren(errorBox(err));
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: id }, 'Name for this passkey'), nameInput),
  status,
  h('div', { class: 'form-actions' }, button('Save name', undefined, { kind: 'primary', type: 'submit' }), button('Cancel', () => done(false))));
  setTimeout(() => nameInput.focus(), 0);
  return form;
}

export async function render(ctx) {
  const { api, go } = ctx;
  const creds = await api.get('/credentials');
  const container = h('div', { class: 'anchor', hidden: true });
  const reload = async (focusSelector) => {
    const fresh = await render(ctx);
    container.closest('.page-view')?.replaceWith(fresh);
    if (focusSelector) fresh.querySelector(focusSelector)?.focus();
  };

  const passkeyList = h('ul', { class: 'rows', 'aria-label': 'Your passkeys' }, ...creds.passkeys.map((p) => {
    const label = p.name ?? 'Unnamed passkey';
    const item = row(label, [
      `Added ${when(p.createdAt)}`, `Last used ${when(p.lastUsedAt)}`, p.backedUp ? 'Synced across your devices' : 'On one device',
    ], [
      button('Rename', () => {
        const form = renameForm(api, p, (changed) => (changed ? reload('.add-passkey') : item.querySelector('.rename-form')?.replaceWith(actions)));
        actions.replaceWith(form);
      }, { 'aria-label': `Rename ${label}` }),
      button('Remove', () => {
        if (confirm(`Remove the passkey \u201c${label}\u201d? You can no longer sign in with it.`)) go('change', 'passkey-remove', p.id);
      }, { 'aria-label': `Remove ${label}` }),
    ], { 'data-passkey': p.id });
    const actions = item.querySelector('.row-actions');
    return item;
  }));

  return pageView('Signing in', 'How you prove it is you. Changes here ask you to confirm it is you first.', container,
    panel('Password',
      h('p', {}, creds.password.set ? `Set. Last changed ${when(creds.password.updatedAt)}.` : 'You have no password: you sign in another way.'),
      h('div', { class: 'form-actions' }, button(creds.password.set ? 'Change password' : 'Set a password', () => go('change', 'password')))),
    panel('Authenticator app',
      h('p', {}, creds.totp.enrolled ? `Set up ${when(creds.totp.enrolledAt)}. You are asked for a code when a sign-in needs a second step.` : 'Not set up. An app such as Google Authenticator or 1Password gives you a code as a second step.'),
      h('div', { class: 'form-actions' }, creds.totp.enrolled
        ? button('Remove authenticator app', () => {
          if (confirm('Remove your authenticator app? Sign-ins no longer ask for its code.')) go('change', 'totp-remove');
        })
        : button('Set up an authenticator app', () => go('change', 'totp')))),
    panel('Passkeys',
      h('p', {}, 'Sign in with your fingerprint, face, screen lock or a security key instead of a password.'),
      creds.passkeys.length ? passkeyList : emptyNote('You have no passkeys yet.'),
      h('div', { class: 'form-actions' }, button('Add a passkey', () => go('change', 'passkey'), { kind: 'primary', class: 'button button-primary add-passkey' }))));
}

// Personal info: name and the tenant's profile attributes, editable; username and email shown.
// Rules: labels bound to their inputs; the save's result is announced; the email changes only
// through a confirmation journey (#/change/email: a link mailed to the new address), so it is not
// an input here.
import { button, errorBox, h, pageView, panel, toast } from '../ui.js';

const LABELS = { given_name: 'Given name', family_name: 'Family name', phone_number: 'Phone number', company: 'Company' };
const labelOf = (key) => LABELS[key] ?? key.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());

function input(id, name, value, autocomplete) {
  return h('input', { class: 'input', id, name, value: value ?? '', maxlength: 200, autocomplete });
}

export async function render({ api, go }) {
  const profile = await api.get('/profile');
  const name = input('profile-name', 'name', profile.name, 'name');
  const attributes = profile.attributeKeys.map((key) => [key, input(`profile-${key}`, key, profile.attributes[key], 'off')]);
  const status = h('div', { class: 'form-status' });
  const save = button('Save changes', undefined, { kind: 'primary', type: 'submit' });
  const form = h('form', {
    class: 'form', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      status.replaceChildren();
      save.disabled = true;
      try {
        await api.patch('/profile', {
          name: name.value.trim() || null,
          ...(attributes.length ? { attributes: Object.fromEntries(attributes.map(([k, el]) => [k, el.value.trim() || null])) } : {}),
        });
        toast('Your personal info was saved.');
      } catch (err) {
        status.replaceChildren(errorBox(err));
      } finally {
        save.disabled = false;
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'profile-name' }, 'Full name'), name),
  ...attributes.map(([key, el]) => h('div', { class: 'field' }, h('label', { for: el.id }, labelOf(key)), el)),
  status, h('div', { class: 'form-actions' }, save));
  return pageView('Personal info', 'How you appear to the applications you use with this account.',
    panel('Account',
      h('dl', { class: 'facts' },
        h('dt', {}, 'Username'), h('dd', {}, profile.username),
        h('dt', {}, 'Email'), h('dd', {}, profile.email ?? 'none', profile.email ? h('span', { class: `badge ${profile.emailVerified ? 'badge-ok' : ''}` }, profile.emailVerified ? 'verified' : 'not verified') : null)),
      h('div', { class: 'form-actions' }, button(profile.email ? 'Change email address' : 'Add an email address', () => go('change', 'email')))),
    panel('About you', form));
}

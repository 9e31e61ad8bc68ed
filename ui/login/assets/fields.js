// Form fields from a step's JSON: one labelled control per field (label bound by for/id), its
// errors tied to it with aria-describedby and aria-invalid, checked in the browser before a
// submit, and read back in the shape the API expects (checkbox as boolean, hidden as given).
import { h } from './dom.js';

const INPUT_TYPE = { text: 'text', email: 'email', password: 'password', otp: 'text' };
const QUIET = { spellcheck: 'false', autocapitalize: 'none', autocorrect: 'off' };

/** Renders field `index` of a step with the server's errors for it; returns { field, control, row }. */
export function renderField(field, index, errors) {
  const id = `field-${index}`;
  if (field.type === 'hidden') {
    const control = h('input', { type: 'hidden', id, name: field.name, value: field.value ?? '' });
    return { field, control, row: control };
  }
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const common = { id, name: field.name, required: field.required === true, autocomplete: field.autocomplete };
  let control;
  let row;
  if (field.type === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', checked: field.value === 'true' });
    row = h('div', { class: 'field field-checkbox' },
      h('div', { class: 'checkbox-line' }, control, h('label', { for: id }, field.label)), error);
  } else {
    control = h('input', {
      ...common,
      class: field.type === 'otp' ? 'input input-otp' : 'input',
      type: INPUT_TYPE[field.type] ?? 'text',
      value: field.value,
      maxlength: field.maxLength,
      ...(field.type === 'text' ? {} : QUIET),
      ...(field.type === 'otp' ? { inputmode: 'numeric', pattern: '[0-9]{6,8}', oninput: digitsOnly } : {}),
    });
    row = h('div', { class: 'field' }, h('label', { for: id }, field.label), control, error);
  }
  const rendered = { field, control, row, error };
  setFieldError(rendered, errors.map((e) => e.message).join(' '));
  return rendered;
}

function digitsOnly(event) {
  const input = event.target;
  const digits = input.value.replace(/\D+/g, '');
  if (digits !== input.value) input.value = digits;
}

/** Shows (or with '' clears) the error under a field. */
export function setFieldError(rendered, message) {
  const { control, error } = rendered;
  if (!error) return;
  error.textContent = message;
  error.hidden = !message;
  if (message) {
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', error.id);
  } else {
    control.removeAttribute('aria-invalid');
    control.removeAttribute('aria-describedby');
  }
}

function problem(rendered) {
  const { field, control } = rendered;
  const v = control.validity;
  if (v.valid) return '';
  if (v.valueMissing) return field.type === 'checkbox' ? 'Check this box to continue.' : `Enter your ${field.label.toLowerCase()}.`;
  if (v.typeMismatch && field.type === 'email') return 'Enter a valid email address.';
  if (v.patternMismatch && field.type === 'otp') return 'Enter the full code, digits only.';
  return control.validationMessage;
}

/** Checks every field in the browser; marks the invalid ones and returns whether all are valid. */
export function validateFields(renderedFields) {
  let valid = true;
  for (const rendered of renderedFields) {
    if (rendered.field.type === 'hidden') continue;
    const message = problem(rendered);
    setFieldError(rendered, message);
    if (message) valid = false;
  }
  return valid;
}

/** The values to submit, by field name. */
export function readValues(renderedFields) {
  const values = {};
  for (const { field, control } of renderedFields) {
    values[field.name] = field.type === 'checkbox' ? control.checked : control.value;
  }
  return values;
}

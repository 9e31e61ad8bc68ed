// Editing a resource's settings as JSON where a form would repeat the API's schema: a labelled
// textarea with the current value, parsed on save; a parse error is shown at the field.
import { button, field, h, textarea } from './ui.js';

export function jsonEditor(label, value, onSave, { hint, rows = 14, disabled = false } = {}) {
  const area = textarea({ rows, spellcheck: 'false', class: 'input textarea code', disabled });
  area.value = JSON.stringify(value, null, 2);
  const problem = h('p', { class: 'field-error', role: 'alert' });
  const form = h('form', {
    class: 'json-form',
    onsubmit: async (e) => {
      e.preventDefault();
      problem.textContent = '';
      let parsed;
      try {
        parsed = JSON.parse(area.value);
      } catch (err) {
        problem.textContent = `Not valid JSON: ${err.message}`;
        area.focus();
        return;
      }
      await onSave(parsed, form);
    },
  }, field(label, area, hint), problem, disabled ? null : button('Save', undefined, { kind: 'primary', type: 'submit' }));
  return form;
}

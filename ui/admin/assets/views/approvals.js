// Approvals queue: accounts awaiting a decision, oldest first, with what the applicant entered,
// how long they have waited, and the reminder and deadline ahead. Approve or reject one (a reason
// is optional), or several at once with one shared reason; each decision goes to the account's
// registration workflow, and a decided account leaves the queue (a line says what was decided).
import { api, query } from '../api.js';
import { canDecide, pagesFor } from '../layout.js';
import { href } from '../router.js';
import { attempt, badge, button, empty, h, input, pageHeader, relative, statusBadge, toast, when } from '../ui.js';

const waitingText = (n) => `${n} account${n === 1 ? '' : 's'} awaiting a decision`;

/** The reminder line: sent, due (when), or none ahead (decided, or it would come after the deadline). */
function reminder(item) {
  if (item.remindedAt) return ['sent ', when(item.remindedAt)];
  if (item.reminderAt) return [new Date(item.reminderAt) > new Date() ? `due ${relative(item.reminderAt)}` : 'due now', ' (', when(item.reminderAt), ')'];
  return 'none ahead';
}

export async function render({ tenant, roles, params }) {
  const status = params.status ?? 'pending';
  const list = await api.get(tenant, `/approvals${query({ status, limit: 100 })}`);
  const decide = canDecide(roles) && status === 'pending';
  // An approver may not read users: no link to a page it cannot open.
  const seeUsers = pagesFor(roles).some(([id]) => id === 'users');
  const selected = new Set();
  let waiting = list.items.length;
  const sharedReason = input({ name: 'reason', maxlength: 500, placeholder: 'Reason for all selected (optional, told to each applicant)', 'aria-label': 'Reason for the selected accounts' });
  const bulk = h('div', { class: 'bulk', hidden: true, role: 'group', 'aria-label': 'Decide the selected accounts' },
    h('span', { class: 'bulk-count', 'aria-live': 'polite' }),
    sharedReason,
    button('Approve selected', () => decideMany('approve'), { kind: 'primary' }),
    button('Reject selected', () => decideMany('reject'), { kind: 'danger' }));
  const cards = h('ul', { class: 'approvals' });
  const decided = h('ul', { class: 'decided-list', 'aria-live': 'polite', 'aria-label': 'Decided just now' });
  const header = pageHeader('Approvals', status === 'pending' ? waitingText(waiting) : `Decided: ${status}`,
    h('nav', { class: 'tabs', 'aria-label': 'Status' }, ...['pending', 'approved', 'rejected', 'expired'].map((s) =>
      h('a', { href: `${href(tenant, 'approvals')}?status=${s}`, 'aria-current': s === status ? 'page' : undefined, class: s === status ? 'current' : '' }, s))));
  const nobody = empty(status === 'pending' ? 'Nobody is waiting for approval.' : 'None.');
  const page = h('div', { class: 'page' }, header, decide ? bulk : null, decided, list.items.length ? cards : nobody);

  function refreshBulk() {
    bulk.hidden = selected.size === 0;
    bulk.querySelector('.bulk-count').textContent = `${selected.size} selected`;
  }
  async function decideOne(item, kind, reason, card) {
    const ok = await attempt(card, () => api.post(tenant, `/approvals/${item.id}/${kind}`, reason ? { reason } : {}));
    if (ok) {
      // Out of the queue; what happened stays in view, above it.
      card.remove();
      decided.append(h('li', { class: 'decided-note' }, `${item.email ?? item.name}: ${ok.status}.`));
      selected.delete(item.id);
      refreshBulk();
      header.querySelector('.subtitle').textContent = waitingText(--waiting);
      if (!cards.children.length) cards.replaceWith(nobody);
    }
    return ok;
  }
  async function decideMany(kind) {
    const items = list.items.filter((i) => selected.has(i.id));
    const reason = sharedReason.value.trim();
    let done = 0;
    for (const item of items) if (await decideOne(item, kind, reason, cards.querySelector(`[data-id="${item.id}"]`))) done++;
    if (done === items.length) sharedReason.value = '';
    toast(`${done} of ${items.length} ${kind === 'approve' ? 'approved' : 'rejected'}.`);
  }

  for (const item of list.items) cards.append(card(item));

  function card(item) {
    const reason = input({ name: 'reason', maxlength: 500, placeholder: 'Reason (optional, told to the applicant)', 'aria-label': `Reason for ${item.email ?? item.name}` });
    const li = h('li', { class: 'approval card-item', 'data-id': item.id },
      h('div', { class: 'approval-head' },
        decide ? h('input', {
          type: 'checkbox', class: 'check', 'aria-label': `Select ${item.email ?? item.name}`,
          onchange: (e) => { if (e.target.checked) selected.add(item.id); else selected.delete(item.id); refreshBulk(); },
        }) : null,
        h('div', {},
          h('h2', { class: 'approval-name' }, item.name || item.email || item.userId),
          h('p', { class: 'muted' }, item.email ?? ''))),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Waiting'), h('dd', {}, `since ${relative(item.requestedAt)}`, ' (', when(item.requestedAt), ')'),
        ...(item.status === 'pending' ? [
          h('dt', {}, 'Reminder'), h('dd', { class: 'reminder' }, reminder(item)),
          h('dt', {}, 'Deadline'), h('dd', { class: 'deadline' }, new Date(item.deadlineAt) > new Date() ? `rejected ${relative(item.deadlineAt)} without a decision` : 'passed', ' (', when(item.deadlineAt), ')'),
        ] : []),
        ...Object.entries(item.attributes ?? {}).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
        ...(item.status !== 'pending' ? [h('dt', {}, 'Decision'), h('dd', {}, statusBadge(item.status), ' ', item.decidedBy ?? '', item.reason ? ` — ${item.reason}` : '')] : [])),
      decide ? h('div', { class: 'decision' }, reason,
        button('Approve', () => decideOne(item, 'approve', reason.value.trim(), li), { kind: 'primary' }),
        button('Reject', () => decideOne(item, 'reject', reason.value.trim(), li), { kind: 'danger' })) : null,
      h('p', {}, seeUsers ? [h('a', { href: href(tenant, 'users', item.userId) }, 'Open the account'), ' '] : null, badge(item.status, item.status === 'pending' ? 'warn' : 'muted')));
    return li;
  }
  return page;
}

// Approvals queue: accounts awaiting a decision, oldest first, with what the applicant entered,
// how long they have waited, and the reminder and deadline ahead. Approve or reject one (a reason
// is optional), or several at once; each decision goes to the account's registration workflow.
import { api, query } from '../api.js';
import { attempt, badge, button, empty, h, input, pageHeader, relative, statusBadge, toast, when } from '../ui.js';
import { pagesFor } from '../layout.js';
import { href } from '../router.js';

const canDecide = (roles) => roles.some((r) => ['super-admin', 'tenant-admin', 'approver'].includes(r));

export async function render({ tenant, roles, params }) {
  const status = params.status ?? 'pending';
  const list = await api.get(tenant, `/approvals${query({ status, limit: 100 })}`);
  const decide = canDecide(roles) && status === 'pending';
  const seeUsers = pagesFor(roles).some(([id]) => id === 'users');
  const selected = new Set();
  const bulk = h('div', { class: 'bulk', hidden: true },
    h('span', { class: 'bulk-count', 'aria-live': 'polite' }),
    button('Approve selected', () => decideMany('approve'), { kind: 'primary' }),
    button('Reject selected', () => decideMany('reject'), { kind: 'danger' }));
  const cards = h('ul', { class: 'approvals' });
  const page = h('div', { class: 'page' },
    pageHeader('Approvals', status === 'pending' ? `${list.items.length} account${list.items.length === 1 ? '' : 's'} awaiting a decision` : `Decided: ${status}`,
      h('nav', { class: 'tabs', 'aria-label': 'Status' }, ...['pending', 'approved', 'rejected', 'expired'].map((s) =>
        h('a', { href: `${href(tenant, 'approvals')}?status=${s}`, 'aria-current': s === status ? 'page' : undefined, class: s === status ? 'current' : '' }, s)))),
    decide ? bulk : null, cards);

  function refreshBulk() {
    bulk.hidden = selected.size === 0;
    bulk.querySelector('.bulk-count').textContent = `${selected.size} selected`;
  }
  async function decideOne(item, kind, reason, card) {
    const ok = await attempt(card, () => api.post(tenant, `/approvals/${item.id}/${kind}`, reason ? { reason } : {}));
    if (ok) {
      card.classList.add('decided');
      card.replaceChildren(h('p', { class: 'decided-note' }, `${item.email ?? item.name}: ${ok.status}.`));
      selected.delete(item.id);
      refreshBulk();
    }
    return ok;
  }
  async function decideMany(kind) {
    const items = list.items.filter((i) => selected.has(i.id));
    let done = 0;
    for (const item of items) if (await decideOne(item, kind, undefined, cards.querySelector(`[data-id="${item.id}"]`))) done++;
    toast(`${done} of ${items.length} ${kind === 'approve' ? 'approved' : 'rejected'}.`);
  }

  if (!list.items.length) cards.replaceWith(empty(status === 'pending' ? 'Nobody is waiting for approval.' : 'None.'));
  for (const item of list.items) cards.append(await card(item));

  async function card(item) {
    // An approver may not read users: the account's page and its attributes are for the others.
    const profile = seeUsers ? await api.get(tenant, `/users/${item.userId}`).catch(() => undefined) : undefined;
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
        h('dt', {}, 'Reminder'), h('dd', {}, item.remindedAt ? ['sent ', when(item.remindedAt)] : 'not sent yet'),
        h('dt', {}, 'Deadline'), h('dd', {}, new Date(item.deadlineAt) > new Date() ? `rejected ${relative(item.deadlineAt)} without a decision` : 'passed', ' (', when(item.deadlineAt), ')'),
        ...Object.entries(profile?.attributes ?? {}).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
        ...(item.status !== 'pending' ? [h('dt', {}, 'Decision'), h('dd', {}, statusBadge(item.status), ' ', item.decidedBy ?? '', item.reason ? ` — ${item.reason}` : '')] : [])),
      decide ? h('div', { class: 'decision' }, reason,
        button('Approve', () => decideOne(item, 'approve', reason.value.trim(), li), { kind: 'primary' }),
        button('Reject', () => decideOne(item, 'reject', reason.value.trim(), li), { kind: 'danger' })) : null,
      h('p', {}, seeUsers ? [h('a', { href: href(tenant, 'users', item.userId) }, 'Open the account'), ' '] : null, badge(item.status, item.status === 'pending' ? 'warn' : 'muted')));
    return li;
  }
  return page;
}


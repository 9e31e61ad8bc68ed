// Which audit events are webhook events, and what a receiver is told about them. The audit log is
// where every admin action and journey outcome is already recorded, so webhooks follow it instead
// of being called from every place that changes something.
// Rules: the data names ids (user, client, session, journey) and outcomes, never a secret, a
// password, an address or anything typed by the user; an audit type not listed here is no event.
import type { AuditEvent } from './audit.ts';

export const WEBHOOK_EVENT_TYPES = [
  'user.created', 'user.approved', 'user.rejected', 'user.enabled', 'user.disabled', 'user.deleted',
  'login.succeeded', 'login.failed', 'consent.revoked', 'session.ended',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEvent { type: WebhookEventType; data: Record<string, unknown> }

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The ids every event carries when the audit event has them. */
function base(e: AuditEvent): Record<string, unknown> {
  return {
    ...(e.subject ? { user: e.subject } : {}),
    ...(e.actor ? { actor: e.actor } : {}),
    ...(e.journeyId ? { journey: e.journeyId } : {}),
  };
}

type Rule = (e: AuditEvent, data: Record<string, unknown>) => WebhookEvent | undefined;

const as = (type: WebhookEventType, extra: (data: Record<string, unknown>) => Record<string, unknown> = () => ({})): Rule =>
  (e, data) => ({ type, data: { ...base(e), ...extra(data) } });

const RULES: Record<string, Rule> = {
  'admin.users.create': as('user.created', (d) => ({ via: 'admin', status: str(d.status) })),
  'registration.started': as('user.created', () => ({ via: 'registration', status: 'pending' })),
  'registration.approved': as('user.approved'),
  'registration.rejected': as('user.rejected'),
  'admin.users.update': (e, d) => {
    if (d.status === 'disabled') return as('user.disabled')(e, d);
    if (d.status === 'active') return as('user.enabled')(e, d);
    return undefined;
  },
  'admin.users.delete': as('user.deleted'),
  'journey.succeeded': (e, d) => (d.kind === 'login' ? as('login.succeeded', () => ({ tree: str(d.tree) }))(e, d) : undefined),
  'journey.failed': (e, d) => (d.kind === 'login' ? as('login.failed', () => ({ tree: str(d.tree), reason: str(d.error) ?? 'failed' }))(e, d) : undefined),
  'login.password_failed': as('login.failed', () => ({ reason: 'wrong_password' })),
  'account.application_revoked': as('consent.revoked', (d) => ({ client: str(d.clientId) })),
  'session.ended': as('session.ended', (d) => ({ session: str(d.session), by: str(d.by) })),
  'account.session_ended': as('session.ended', (d) => ({ session: str(d.session), by: 'account' })),
  'admin.users.end-session': as('session.ended', (d) => ({ session: str(d.session), by: 'admin' })),
  // Ending "all sessions" is one event naming how many ended; none ended is no event.
  'account.sessions_ended': (e, d) => (d.ended ? as('session.ended', () => ({ by: 'account', count: d.ended }))(e, d) : undefined),
  'admin.users.end-sessions': (e, d) => (d.sessionsEnded ? as('session.ended', () => ({ by: 'admin', count: d.sessionsEnded }))(e, d) : undefined),
};

/** The webhook event an audit event is, or undefined. Pure. */
export function webhookEventOf(e: AuditEvent): WebhookEvent | undefined {
  const rule = Object.hasOwn(RULES, e.type) ? RULES[e.type] : undefined;
  const event = rule?.(e, e.data ?? {});
  if (!event) return undefined;
  // Drop the keys a rule left undefined, so the JSON a receiver gets has no nulls it did not mean.
  return { type: event.type, data: Object.fromEntries(Object.entries(event.data).filter(([, v]) => v !== undefined)) };
}

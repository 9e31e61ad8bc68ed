// What the account console's removing nodes share (passkey-remove, idp-unlink): they act only in
// an `account` journey whose user proved who they are (account-step-up leaves some AMR), on what
// the server named at the start (request.remove), among that user's own only. Anything else is
// `none` with the journey's error, and nothing is removed.
// Idempotent for a retried activity: the audit event (deduplicated per journey and node) is
// written before the removal, so a retry that finds the thing gone but its event there answers
// `ok` as the first attempt would have.
import { auditRecorded } from '../../core/infra/audit.ts';
import type { PrepareResult } from '../../core/journeys/journey-context.ts';
import type { ModuleCallOf, ModuleDeps } from './module.ts';

type JourneyError = { code: string; message: string };

const NOT_PROVEN: JourneyError = { code: 'not_proven', message: 'We could not confirm who you are. Please start again.' };

export interface Removal {
  /** The audit event's type; its data is `{ [targetKey]: target, node }`. */
  auditType: string;
  targetKey: string;
  /** The journey's error when the user has no such thing. */
  missing: JourneyError;
  /** Whether the user has it. */
  exists(deps: ModuleDeps, tenant: string, userId: string, target: string): Promise<boolean>;
  /** Why it may not go (checked before anything is written), or undefined. */
  refusal?(deps: ModuleDeps, tenant: string, userId: string, target: string): Promise<JourneyError | undefined>;
  remove(deps: ModuleDeps, tenant: string, userId: string, target: string): Promise<unknown>;
}

export async function removeOnce(removal: Removal, { ctx, node }: ModuleCallOf<unknown>, deps: ModuleDeps): Promise<PrepareResult> {
  const none = (error: JourneyError): PrepareResult => ({ kind: 'outcome', outcome: 'none', patch: { error } });
  const target = ctx.kind === 'account' ? ctx.request.remove : undefined;
  if (!ctx.user || ctx.amr.length === 0 || ctx.request.account?.userId !== ctx.user.id) return none(NOT_PROVEN);
  if (!target) return none(removal.missing);
  const { tenant } = ctx;
  const userId = ctx.user.id;
  const dedupeKey = `${removal.auditType}:${ctx.journeyId}:${node}`;
  if (!(await removal.exists(deps, tenant, userId, target))) {
    return (await auditRecorded(deps.db, tenant, dedupeKey)) ? { kind: 'outcome', outcome: 'ok' } : none(removal.missing);
  }
  const refused = await removal.refusal?.(deps, tenant, userId, target);
  if (refused) return none(refused);
  await deps.audit({ tenant, type: removal.auditType, subject: userId, journeyId: ctx.journeyId, dedupeKey, data: { [removal.targetKey]: target, node } });
  await removal.remove(deps, tenant, userId, target);
  return { kind: 'outcome', outcome: 'ok' };
}

// What an upstream account does in an `account` journey (the account console's "Link an account"):
// it is linked to the journey's user — the signed-in user the server named (request.account) —
// and never signs anyone in, creates an account or switches the journey's user.
// Rules: linked only when the journey proved who the user is (account-step-up: some AMR) and its
// user is the session's; an upstream account already linked to another user is refused (without
// saying whose), as is a second account at the same IdP for this user (unlink the first); linking
// the same account again is harmless; the IdP's group map is not applied (linking is not signing
// in); `federation.linked` is audited once per journey.
import type { JourneyContext } from '../../core/journeys/journey-context.ts';
import { linkIdentity, listUserLinks } from '../../core/federation/federated-identities.ts';
import type { ModuleDeps } from '../modules/module.ts';
import type { UpstreamPerson } from './upstream-claims.ts';

export type LinkDecision = { kind: 'linked' } | { kind: 'refused'; code: string; message: string };

const NOT_PROVEN = { kind: 'refused', code: 'not_proven', message: 'We could not confirm who you are. Please start again.' } as const;

/** The user an account journey links for, once proven; undefined otherwise. */
export function linkingUser(ctx: JourneyContext): string | undefined {
  const userId = ctx.request.account?.userId;
  return ctx.kind === 'account' && userId !== undefined && ctx.user?.id === userId && ctx.amr.length > 0 ? userId : undefined;
}

export async function linkUpstreamAccount(deps: ModuleDeps, ctx: JourneyContext, idp: { alias: string; displayName: string }, person: UpstreamPerson): Promise<LinkDecision> {
  const userId = linkingUser(ctx);
  if (!userId) return NOT_PROVEN;
  const [owner] = await deps.db`SELECT user_id FROM federated_identities WHERE tenant_id = ${ctx.tenant} AND idp = ${idp.alias} AND subject = ${person.subject}`;
  if (owner && owner.user_id !== userId) {
    return { kind: 'refused', code: 'already_linked', message: `This ${idp.displayName} account is already linked to another account here.` };
  }
  const other = (await listUserLinks(deps.db, ctx.tenant, userId)).find((l) => l.idp === idp.alias && l.subject !== person.subject);
  if (other) {
    return { kind: 'refused', code: 'idp_already_linked', message: `Another ${idp.displayName} account is linked to yours. Unlink it first.` };
  }
  if (!(await linkIdentity(deps.db, ctx.tenant, idp.alias, person.subject, userId, person.email))) {
    return { kind: 'refused', code: 'already_linked', message: `This ${idp.displayName} account is already linked to another account here.` };
  }
  await deps.audit({
    tenant: ctx.tenant, type: 'federation.linked', subject: userId, journeyId: ctx.journeyId,
    dedupeKey: `federation-linked:${ctx.journeyId}`, data: { idp: idp.alias, how: 'account' },
  });
  return { kind: 'linked' };
}

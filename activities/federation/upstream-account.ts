// Which local account an upstream account signs in to. In order:
// 1. the account already linked to it (a pending one waits for approval; a disabled one is refused);
// 2. an existing account with the same email: offered for linking (the IdP allows it), which the
//    tree completes only after the user proved they own it (password or email code, then the
//    idp-link node) — never linked on the upstream's word alone;
// 3. none: created just in time (JIT on), or a pending account sent to moderation (JIT off,
//    onUnknown "register"), or refused (JIT off, onUnknown "refuse").
// Creation and linking happen in one transaction, so a retried activity finds the link (case 1).
import type { IdentityProvider } from '../../core/federation/federation-types.ts';
import { addUserGroups, createFederatedUser, findLinkedUser } from '../../core/federation/federated-identities.ts';
import { findUserByLogin, getUser, type User } from '../../core/accounts/users.ts';
import type { ModuleDeps } from '../modules/module.ts';
import { startRegistration } from '../modules/signup.ts';
import type { UpstreamPerson } from './upstream-claims.ts';

export type AccountDecision =
  | { kind: 'signed-in'; user: User; created: boolean }
  | { kind: 'link'; candidate: User }
  | { kind: 'pending'; userId: string; email: string }
  | { kind: 'refused'; code: string; message: string };

const REFUSED_UNKNOWN = { kind: 'refused', code: 'unknown_account', message: 'There is no account here for this sign-in. Ask an administrator for access.' } as const;

async function linked(deps: ModuleDeps, idp: IdentityProvider, person: UpstreamPerson): Promise<AccountDecision | undefined> {
  const userId = await findLinkedUser(deps.db, idp.tenant, idp.alias, person.subject);
  const user = userId ? await getUser(deps.db, idp.tenant, userId) : undefined;
  if (!user) return undefined;
  if (user.status === 'disabled') return { kind: 'refused', code: 'account_disabled', message: 'This account is disabled.' };
  if (user.status === 'pending') return { kind: 'pending', userId: user.id, email: user.email ?? '' };
  if (person.groups?.length) await addUserGroups(deps.db, idp.tenant, user.id, person.groups);
  return { kind: 'signed-in', user, created: false };
}

export async function resolveUpstreamAccount(deps: ModuleDeps, idp: IdentityProvider, person: UpstreamPerson, journeyId: string): Promise<AccountDecision> {
  const known = await linked(deps, idp, person);
  if (known) return known;
  const existing = person.email ? await findUserByLogin(deps.db, idp.tenant, person.email) : undefined;
  if (existing) {
    if (!idp.provisioning.linkByEmail) {
      return { kind: 'refused', code: 'account_exists', message: 'An account with this email already exists here. Sign in to it the usual way.' };
    }
    return { kind: 'link', candidate: existing };
  }
  const { jit, onUnknown } = idp.provisioning;
  if (!jit && (onUnknown === 'refuse' || !person.email)) return REFUSED_UNKNOWN;
  const userId = await createFederatedUser(deps.db, {
    tenant: idp.tenant, idp: idp.alias, subject: person.subject, status: jit ? 'active' : 'pending',
    ...(person.email ? { email: person.email } : {}), emailVerified: person.emailVerified,
    ...(person.name ? { name: person.name } : {}), profile: person.profile,
  });
  // Taken meanwhile (a concurrent sign-up, or a username equal to the generated one): start again.
  if (!userId) return (await linked(deps, idp, person)) ?? { kind: 'refused', code: 'account_conflict', message: 'This account could not be created. Please start again.' };
  if (person.groups?.length) await addUserGroups(deps.db, idp.tenant, userId, person.groups);
  if (!jit) {
    await startRegistration(deps, { tenant: idp.tenant, userId, policy: 'moderation', journeyId });
    return { kind: 'pending', userId, email: person.email! };
  }
  return { kind: 'signed-in', user: (await getUser(deps.db, idp.tenant, userId))!, created: true };
}

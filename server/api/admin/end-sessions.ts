// Ends a user's core SSO sessions from the admin side the way a logout ends a browser's
// (server/sso-logout.ts): the back-channel logout workflow (startBackchannelLogout) tells the
// relying parties of each session family — limited to this user's — and the session rows are
// revoked. Rules: Temporal is reached before anything changes, so an unreachable Temporal changes
// nothing and the admin can simply retry; a change that may still be refused (a status change, a
// new password, a deletion) runs first and the workflows start only once it is done, so a refused
// change tells no relying party anything. Temporal is not asked for when no session is live.
import { liveSessionFamilies, revokeUserSessions, type SessionRecord } from '../../../core/accounts/sessions.ts';
import { startBackchannelLogout } from '../../sso-logout.ts';
import type { AdminDeps } from './operation.ts';

/**
 * Runs `change`, which revokes the user's live sessions in its own transaction when `ended(result)`
 * says so, then starts the back-channel logouts of the families that were live before it.
 */
export async function withSessionsEnded<T>(
  deps: AdminDeps, tenant: string, userId: string, change: () => Promise<T>, ended: (result: T) => boolean = () => true,
): Promise<T> {
  const families = await liveSessionFamilies(deps.db, tenant, userId);
  const temporal = families.length > 0 ? await deps.temporal() : undefined;
  const result = await change();
  if (temporal && ended(result)) {
    for (const ssoId of families) await startBackchannelLogout(temporal, deps.config.taskQueue, { tenant, ssoId, userId });
  }
  return result;
}

/** Ends every live session of the user (or only `session`), as a logout does; returns how many ended. */
export async function endSessions(deps: AdminDeps, tenant: string, userId: string, session?: SessionRecord): Promise<number> {
  const families = session ? [session.ssoId] : await liveSessionFamilies(deps.db, tenant, userId);
  if (families.length === 0) return 0;
  const temporal = await deps.temporal();
  for (const ssoId of families) await startBackchannelLogout(temporal, deps.config.taskQueue, { tenant, ssoId, userId });
  return revokeUserSessions(deps.db, tenant, userId, session?.id);
}

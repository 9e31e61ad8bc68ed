// RP-initiated logout without a confirmation page, as Keycloak does, when the relying party proves
// which session it ends: an `id_token_hint` (its signature, issuer and audience already checked by
// the provider, expired ones accepted as the spec allows) of the browser's current session. Rules:
// - its `sub` is the core session's user, and the provider session's account is that user too;
// - its `auth_time` is the core session's sign-in time (an ID token of an earlier session, or of
//   another browser's sign-in, does not match);
// - when it carries `sid`, that is the sid this session gave its client;
// - anything else — no hint, no core session, any mismatch — shows the confirmation page.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Session } from '../../../core/accounts/sessions.ts';

interface HintPayload { sub?: unknown; auth_time?: unknown; sid?: unknown; aud?: unknown }

export function hintEndsThisSession(ctx: KoaContextWithOIDC, core: Session | undefined): boolean {
  const hint = (ctx.oidc.entities as { IdTokenHint?: { payload?: HintPayload } }).IdTokenHint?.payload;
  const session = ctx.oidc.session;
  const client = ctx.oidc.client;
  if (!hint || !core || !session || !client) return false;
  if (hint.sub !== core.userId || session.accountId !== core.userId) return false;
  if (hint.auth_time !== Math.floor(core.authTime.getTime() / 1000)) return false;
  if (hint.sid !== undefined && hint.sid !== session.sidFor(client.clientId)) return false;
  return true;
}

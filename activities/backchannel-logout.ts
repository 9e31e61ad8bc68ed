// The back-channel logout workflow's activities: who to notify, one delivery, and its record.
// Rules:
// - A logout token (typ logout+jwt) names iss, aud = the client, sub, sid, a fresh jti, iat and a
//   short exp, and the back-channel logout event; it is signed with the tenant's active key of the
//   client's ID token algorithm, so the RP verifies it exactly as it verifies ID tokens.
// - Only 200 and 204 count as delivered; redirects are not followed; each attempt times out
//   after 10 s. Failures name the status or the network error, never the token.
// - Recording the end (audit event + removing the session_clients row) is one transaction and
//   idempotent (dedupe key; the row is removed only for the sid that was notified).
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../core/infra/config.ts';
import type { Db } from '../core/infra/db.ts';
import { recordAudit } from '../core/infra/audit.ts';
import { deleteSessionClient } from '../core/oidc/session-clients.ts';
import { SIGNING_ALGS, signJwt, type SigningAlg } from '../core/oidc/signing-keys.ts';
import type { BackchannelLogoutInput, BackchannelOutcome, BackchannelTarget } from '../workflows/backchannel-logout-contracts.ts';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const TOKEN_LIFETIME_S = 120;
const ATTEMPT_TIMEOUT_MS = 10_000;

function signingAlg(alg: string | null | undefined): SigningAlg {
  return (SIGNING_ALGS as readonly string[]).includes(alg ?? '') ? (alg as SigningAlg) : 'RS256';
}

export function createBackchannelLogoutActivities({ db, config }: { db: Db; config: Config }) {
  return {
    /** The session's relying parties that take back-channel logouts; the others are forgotten now. */
    async listBackchannelTargets(input: BackchannelLogoutInput): Promise<BackchannelTarget[]> {
      const rows = await db`SELECT sc.client_id, sc.sid, sc.user_id,
          c.metadata->>'backchannel_logout_uri' AS uri, c.metadata->>'id_token_signed_response_alg' AS alg
        FROM session_clients sc
        LEFT JOIN oidc_clients c ON c.tenant_id = sc.tenant_id AND c.client_id = sc.client_id
        WHERE sc.tenant_id = ${input.tenant} AND sc.sso_id = ${input.ssoId}
          ${input.userId ? db`AND sc.user_id = ${input.userId}` : db``}
        ORDER BY sc.client_id`;
      const targets: BackchannelTarget[] = [];
      for (const row of rows) {
        if (!row.uri) {
          await deleteSessionClient(db, { tenant: input.tenant, ssoId: input.ssoId, clientId: row.client_id, sid: row.sid });
          continue;
        }
        targets.push({
          tenant: input.tenant, ssoId: input.ssoId, clientId: row.client_id, sid: row.sid, userId: row.user_id,
          uri: row.uri, alg: signingAlg(row.alg),
        });
      }
      return targets;
    },

    /** One attempt to deliver a logout token. @throws (retryable) when the RP did not answer 200/204. */
    async deliverBackchannelLogout(target: BackchannelTarget): Promise<void> {
      const now = Math.floor(Date.now() / 1000);
      const token = await signJwt(db, target.tenant, {
        iss: `${config.publicUrl}/t/${target.tenant}`, aud: target.clientId, sub: target.userId, sid: target.sid,
        iat: now, exp: now + TOKEN_LIFETIME_S, jti: randomUUID(), events: { [BACKCHANNEL_EVENT]: {} },
      }, { typ: 'logout+jwt', alg: signingAlg(target.alg) });
      let status: number;
      try {
        const res = await fetch(target.uri, {
          method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: token }),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
        throw ApplicationFailure.retryable(`could not reach the client's back-channel logout URI (${cause})`, 'BackchannelUnreachable');
      }
      if (status !== 200 && status !== 204) {
        throw ApplicationFailure.retryable(`the client's back-channel logout URI answered ${status}`, 'BackchannelRefused');
      }
    },

    /** Audits how a delivery ended and forgets the client's sid. */
    async finishBackchannelLogout(outcome: BackchannelOutcome): Promise<void> {
      await db.begin(async (transaction) => {
        const tx = transaction as unknown as Db;
        await recordAudit(tx, {
          tenant: outcome.tenant, type: outcome.delivered ? 'logout.backchannel_delivered' : 'logout.backchannel_failed',
          subject: outcome.userId, dedupeKey: `backchannel-logout:${outcome.ssoId}:${outcome.clientId}:${outcome.sid}`,
          data: { client: outcome.clientId, sid: outcome.sid, ...(outcome.error ? { error: outcome.error } : {}) },
        });
        await deleteSessionClient(tx, outcome);
      });
    },
  };
}

export type BackchannelLogoutActivities = ReturnType<typeof createBackchannelLogoutActivities>;

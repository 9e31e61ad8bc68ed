// Remembered node results: a node with `remember` that succeeded is skipped by later journeys of
// the same user in the same SSO session family ("session") or on the same device ("cookie"),
// until the remembered result expires.
import type { Db } from '../infra/db.ts';
import type { Remember } from './tree-types.ts';
import type { JourneyRequest } from './journey-types.ts';
import { parseDuration } from '../infra/duration.ts';

export interface RememberKey { tenant: string; userId: string; tree: string; node: string }

/** The scope a remembered result is stored under, or undefined when there is none to use. */
export function rememberScope(remember: Remember | undefined, request: JourneyRequest): string | undefined {
  if (remember?.in === 'session' && request.ssoId) return `session:${request.ssoId}`;
  if (remember?.in === 'cookie' && request.deviceId) return `cookie:${request.deviceId}`;
  return undefined;
}

export async function findRemembered(db: Db, key: RememberKey, scope: string): Promise<{ outcome: string; amr: string[] } | undefined> {
  const [row] = await db`SELECT outcome, amr FROM remembered_results
    WHERE tenant_id = ${key.tenant} AND user_id = ${key.userId} AND scope = ${scope} AND tree = ${key.tree}
      AND node = ${key.node} AND expires_at > now()`;
  return row ? { outcome: row.outcome, amr: row.amr } : undefined;
}

export async function saveRemembered(db: Db, key: RememberKey, scope: string, remember: Remember, outcome: string, amr: string[]): Promise<void> {
  const expires = new Date(Date.now() + parseDuration(remember.for));
  await db`INSERT INTO remembered_results (tenant_id, user_id, scope, tree, node, outcome, amr, expires_at)
    VALUES (${key.tenant}, ${key.userId}, ${scope}, ${key.tree}, ${key.node}, ${outcome}, ${amr}, ${expires})
    ON CONFLICT (tenant_id, user_id, scope, tree, node)
    DO UPDATE SET outcome = excluded.outcome, amr = excluded.amr, expires_at = excluded.expires_at`;
}

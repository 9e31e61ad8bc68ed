// One statement for a token lookup, shared by a tenant's payload adapters (postgres-adapter.ts).
// oidc-provider looks a token up in several models at once (introspection or revocation without
// a type hint asks AccessToken, ClientCredentials and RefreshToken in parallel) and then reads
// its grant: four statements, one after another on the embedded database. Here:
// - finds of the same id in token models, made in the same tick, become one statement over all
//   those models, and each caller gets its own model's row (or none);
// - the statement also reads the token's grant; the grant is held for the provider's
//   Grant.find that follows (the refresh grant and introspection both ask next), taken once and
//   only within GRANT_HOLD_MS, and dropped at once when this process changes or deletes that
//   grant (another replica's revocation can be seen up to GRANT_HOLD_MS late, as if the lookup
//   had happened that much earlier). A token row already consumed or expired holds nothing.
// - a lookup in one model also reads the token's user (its accountId, when that is a user id) with
//   the groups, with core/accounts/user-claims.ts's query, and hands the row to the findAccount of the same request
//   only (request-accounts.ts): the refresh grant, the code exchange and userinfo then read no
//   user themselves.
import type { AdapterPayload } from 'oidc-provider';
import type { Db } from '../../../core/infra/db.ts';
import { TakeOnceMap } from '../../../core/infra/take-once-map.ts';
import { userWithGroupsJson } from '../../../core/accounts/user-claims.ts';
import { holdAccountRow } from './request-accounts.ts';

/** The models whose ids are token values the provider looks up by find(). */
export const TOKEN_MODELS = new Set(['AccessToken', 'ClientCredentials', 'RefreshToken', 'AuthorizationCode', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

const GRANT_HOLD_MS = 500;
const HELD_MAX = 10_000;

export interface PayloadRow { payload: AdapterPayload; consumed_at: Date | null }

interface Batch { models: Set<string>; result: Promise<Map<string, PayloadRow>> }

export class TokenLookup {
  readonly #db: Db;
  readonly #tenant: string;
  readonly #batches = new Map<string, Batch>();
  readonly #held = new TakeOnceMap<PayloadRow>(HELD_MAX);

  constructor(db: Db, tenant: string) {
    this.#db = db;
    this.#tenant = tenant;
  }

  /** The live row of `id` in `model` (a token model), read together with the other models asked in this tick. */
  async find(model: string, id: string): Promise<PayloadRow | undefined> {
    let batch = this.#batches.get(id);
    if (!batch) {
      const models = new Set<string>();
      // The statement runs after the current tick, when every parallel find has joined.
      const result = Promise.resolve().then(() => {
        this.#batches.delete(id);
        return this.#read(id, [...models]);
      });
      batch = { models, result };
      this.#batches.set(id, batch);
    }
    batch.models.add(model);
    return (await batch.result).get(model);
  }

  /** The grant read with a token just now, once; undefined when there is none (then read it). */
  takeGrant(grantId: string): PayloadRow | undefined {
    return this.#held.take(grantId);
  }

  /** Called on every write or delete of a grant in this process. */
  forgetGrant(grantId: string): void {
    this.#held.forget(grantId);
  }

  async #read(id: string, models: string[]): Promise<Map<string, PayloadRow>> {
    const db = this.#db;
    // A lookup in one model is a grant or userinfo, which asks for the account next; one in several
    // (introspection, revocation without a hint) never does, and skips the read.
    const account = models.length !== 1 ? db`` : db`, ${userWithGroupsJson(db, db`t.tenant_id`, db`t.payload->>'accountId'`)} AS account`;
    const rows = await db`SELECT t.model, t.payload, t.consumed_at, t.grant_id, g.payload AS grant_payload, g.consumed_at AS grant_consumed_at ${account}
      FROM oidc_payloads t
      LEFT JOIN oidc_payloads g ON g.tenant_id = t.tenant_id AND g.model = 'Grant' AND g.id = t.grant_id
        AND (g.expires_at IS NULL OR g.expires_at > now())
      WHERE t.tenant_id = ${this.#tenant} AND t.id = ${id} AND t.model IN ${db(models)}
        AND (t.expires_at IS NULL OR t.expires_at > now())`;
    const found = new Map<string, PayloadRow>();
    for (const row of rows) {
      found.set(row.model as string, { payload: row.payload, consumed_at: row.consumed_at });
      if (row.account && !row.consumed_at) holdAccountRow(this.#tenant, row.account.id as string, row.account);
      if (row.grant_payload && !row.consumed_at) this.#held.hold(row.grant_id as string, { payload: row.grant_payload, consumed_at: row.grant_consumed_at }, GRANT_HOLD_MS);
    }
    return found;
  }
}

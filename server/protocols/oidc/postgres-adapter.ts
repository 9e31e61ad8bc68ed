// oidc-provider's storage for one tenant: every model in oidc_payloads, clients from oidc_clients.
// Rules:
// - Every query names the tenant; the token endpoint is benchmarked, so each operation is one
//   statement (prepared by the driver) and nothing else runs on the way; a token lookup in several
//   models and the read of its grant are one statement together (token-lookup.ts).
// - Expired rows are invisible at once (`expires_at > now()`), and deleted in the background,
//   one batch on about 1 in 500 writes, never awaited by the request that triggered it.
// - An upsert replaces the record, as the provider expects (consumed state included); `consume`
//   marks it, and `find` reports it as `consumed` (what code and refresh token reuse detection read).
// - `consume` is atomic: of N parallel redemptions that all found the record unconsumed, exactly
//   one marks it; every other one is a replay the provider could not see, so it does what the
//   provider does for a replay it sees — revoke the grant (its tokens and the grant itself, so
//   tokens the winner saves afterwards are dead too) — and fails with invalid_grant.
// - Clients are read-only here: they are managed by core/oidc/oidc-clients.ts (the CLI, the admin API).
//   A client found is remembered for 1 s: every token request reads its client, and this keeps
//   the client-credentials grant off the database entirely. A new client works at once (misses
//   are not remembered); a changed or deleted one at once in the process that changed it (the
//   cache is dropped when clientsGeneration() moves), within a second on every other replica.
import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import { builtinClient } from '../../../core/oidc/builtin-clients.ts';
import type { Db } from '../../../core/infra/db.ts';
import { clientsGeneration, openClientMetadata } from '../../../core/oidc/oidc-clients.ts';
import { logger } from '../../../core/infra/logger.ts';
import { TOKEN_MODELS, TokenLookup } from './token-lookup.ts';

/** The models a grant's revocation removes (what the provider's own revoke() visits), and their labels. */
const GRANT_BOUND: Record<string, string> = {
  AccessToken: 'access token',
  RefreshToken: 'refresh token',
  AuthorizationCode: 'authorization code',
  DeviceCode: 'device code',
  BackchannelAuthenticationRequest: 'backchannel authentication request',
  PreAuthorizedCode: 'pre-authorized code',
};

const SWEEP_EVERY = 500;
const SWEEP_BATCH = 1000;
let writes = 0;

function sweepSometimes(db: Db): void {
  if (++writes % SWEEP_EVERY !== 0) return;
  db`DELETE FROM oidc_payloads WHERE (tenant_id, model, id) IN (
       SELECT tenant_id, model, id FROM oidc_payloads WHERE expires_at < now() ORDER BY expires_at LIMIT ${SWEEP_BATCH})`
    .catch((err: { code?: string }) => logger.error(`[oidc] sweeping expired payloads failed (${err.code ?? 'error'})`));
}

function withConsumed(row: { payload: AdapterPayload; consumed_at: Date | null } | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
}

class PayloadAdapter implements Adapter {
  readonly #db: Db;
  readonly #tenant: string;
  readonly #model: string;
  readonly #lookup: TokenLookup;

  constructor(db: Db, tenant: string, model: string, lookup: TokenLookup) {
    this.#db = db;
    this.#tenant = tenant;
    this.#model = model;
    this.#lookup = lookup;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const db = this.#db;
    const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : null;
    if (this.#model === 'Grant') this.#lookup.forgetGrant(id);
    await db`INSERT INTO oidc_payloads (tenant_id, model, id, payload, grant_id, user_code, uid, expires_at)
      VALUES (${this.#tenant}, ${this.#model}, ${id}, ${db.json(payload as never)}, ${payload.grantId ?? null},
              ${payload.userCode ?? null}, ${payload.uid ?? null},
              now() + ${seconds}::float8 * interval '1 second')
      ON CONFLICT (tenant_id, model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
        user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at, consumed_at = NULL`;
    sweepSometimes(db);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (TOKEN_MODELS.has(this.#model)) return withConsumed(await this.#lookup.find(this.#model, id));
    const held = this.#model === 'Grant' ? this.#lookup.takeGrant(id) : undefined;
    if (held) return withConsumed(held);
    const [row] = await this.#db`SELECT payload, consumed_at FROM oidc_payloads
      WHERE tenant_id = ${this.#tenant} AND model = ${this.#model} AND id = ${id}
        AND (expires_at IS NULL OR expires_at > now())`;
    return withConsumed(row as never);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const [row] = await this.#db`SELECT payload, consumed_at FROM oidc_payloads
      WHERE tenant_id = ${this.#tenant} AND user_code = ${userCode} AND model = ${this.#model}
        AND (expires_at IS NULL OR expires_at > now()) LIMIT 1`;
    return withConsumed(row as never);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const [row] = await this.#db`SELECT payload, consumed_at FROM oidc_payloads
      WHERE tenant_id = ${this.#tenant} AND uid = ${uid} AND model = ${this.#model}
        AND (expires_at IS NULL OR expires_at > now()) LIMIT 1`;
    return withConsumed(row as never);
  }

  /** Marks the record consumed; throws InvalidGrant (after revoking its grant) when another request did first. */
  async consume(id: string): Promise<void> {
    const won = await this.#db`UPDATE oidc_payloads SET consumed_at = now()
      WHERE tenant_id = ${this.#tenant} AND model = ${this.#model} AND id = ${id} AND consumed_at IS NULL
      RETURNING 1`;
    if (won.length === 1) return;
    const [row] = await this.#db`SELECT grant_id FROM oidc_payloads
      WHERE tenant_id = ${this.#tenant} AND model = ${this.#model} AND id = ${id}`;
    if (row?.grant_id) await this.#revokeGrant(row.grant_id as string);
    throw new errors.InvalidGrant(`${GRANT_BOUND[this.#model] ?? 'grant source'} already consumed`);
  }

  async #revokeGrant(grantId: string): Promise<void> {
    this.#lookup.forgetGrant(grantId);
    await this.#db`DELETE FROM oidc_payloads WHERE tenant_id = ${this.#tenant}
      AND ((grant_id = ${grantId} AND model IN ${this.#db(Object.keys(GRANT_BOUND))}) OR (model = 'Grant' AND id = ${grantId}))`;
  }

  async destroy(id: string): Promise<void> {
    if (this.#model === 'Grant') this.#lookup.forgetGrant(id);
    await this.#db`DELETE FROM oidc_payloads WHERE tenant_id = ${this.#tenant} AND model = ${this.#model} AND id = ${id}`;
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#db`DELETE FROM oidc_payloads
      WHERE tenant_id = ${this.#tenant} AND grant_id = ${grantId} AND model = ${this.#model}`;
  }
}

const CLIENT_CACHE_MS = 1000;
const CLIENT_CACHE_MAX = 10_000;

class ClientAdapter implements Adapter {
  readonly #db: Db;
  readonly #tenant: string;
  readonly #builtin: (id: string) => AdapterPayload | undefined;
  readonly #recent = new Map<string, { metadata: AdapterPayload; until: number }>();
  #generation = clientsGeneration();

  constructor(db: Db, tenant: string, builtin: (id: string) => AdapterPayload | undefined) {
    this.#db = db;
    this.#tenant = tenant;
    this.#builtin = builtin;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (id.length > 200) return undefined;
    const builtin = this.#builtin(id);
    if (builtin) return builtin;
    if (this.#generation !== clientsGeneration()) {
      this.#recent.clear();
      this.#generation = clientsGeneration();
    }
    const hit = this.#recent.get(id);
    if (hit && hit.until > Date.now()) return hit.metadata;
    const [row] = await this.#db`SELECT metadata FROM oidc_clients WHERE tenant_id = ${this.#tenant} AND client_id = ${id}`;
    if (!row) {
      this.#recent.delete(id);
      return undefined;
    }
    const metadata = openClientMetadata(this.#tenant, row.metadata) as AdapterPayload;
    if (this.#recent.size >= CLIENT_CACHE_MAX) this.#recent.clear();
    this.#recent.set(id, { metadata, until: Date.now() + CLIENT_CACHE_MS });
    return metadata;
  }

  async upsert(): Promise<void> {
    throw new Error('clients are managed with tessera clients, not through the provider');
  }

  async destroy(): Promise<void> {
    throw new Error('clients are managed with tessera clients, not through the provider');
  }

  async findByUserCode(): Promise<undefined> { return undefined; }
  async findByUid(): Promise<undefined> { return undefined; }
  async consume(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

/**
 * The provider's `adapter` for `tenant`. Without `publicUrl`, the tenant has no built-in console
 * clients (core/oidc/builtin-clients.ts).
 */
export function postgresAdapter(db: Db, tenant: string, publicUrl?: string): AdapterFactory {
  const builtin = (id: string) => (publicUrl ? builtinClient(publicUrl, tenant, id) as AdapterPayload | undefined : undefined);
  const lookup = new TokenLookup(db, tenant);
  return (model: string) => (model === 'Client' ? new ClientAdapter(db, tenant, builtin) : new PayloadAdapter(db, tenant, model, lookup));
}

// Services of the legacy login protocol (legacy_services): what may call
// /account/v1.0/authenticate to learn who a user token belongs to. A service token is 256 random
// bits shown once at registration; only its sha256 is kept, and a presented token is found by that
// hash (an index lookup: no comparison leaks how much of a token matched). A registration is
// named by its id (uuid) or its name, both unique in the tenant.
import type { Db } from '../infra/db.ts';
import { isSecretToken, newSecretToken, sha256 } from '../infra/secret-token.ts';

export interface LegacyService { id: string; tenant: string; name: string; createdAt: Date }

/** What `tessera services register` prints once: the token is not stored anywhere. */
export interface NewLegacyService extends LegacyService { token: string }

export class LegacyServiceInputError extends Error {}
/** The name is already registered in the tenant. */
export class LegacyServiceConflictError extends LegacyServiceInputError {}

const PREFIX = 'tss_';
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function toService(row: Record<string, any>): LegacyService {
  return { id: row.id, tenant: row.tenant_id, name: row.name, createdAt: row.created_at };
}

/** @throws LegacyServiceInputError for a malformed name or one already registered. */
export async function registerService(db: Db, tenant: string, name: string): Promise<NewLegacyService> {
  if (!SERVICE_NAME.test(name)) throw new LegacyServiceInputError('service name must be 1-63 letters, digits, dots, dashes or underscores');
  const token = newSecretToken(PREFIX);
  const [row] = await db`INSERT INTO legacy_services (tenant_id, name, token_hash) VALUES (${tenant}, ${name}, ${sha256(token)})
    ON CONFLICT DO NOTHING RETURNING *`;
  if (!row) throw new LegacyServiceConflictError(`a service named "${name}" is already registered`);
  return { ...toService(row), token };
}

export async function listServices(db: Db, tenant: string): Promise<LegacyService[]> {
  const rows = await db`SELECT * FROM legacy_services WHERE tenant_id = ${tenant} ORDER BY name`;
  return rows.map(toService);
}

/** A page of services ordered by name, after `after`, optionally only the one named `name`. */
export async function listServicesPage(db: Db, tenant: string, query: { name?: string; after?: string; limit: number }): Promise<LegacyService[]> {
  const rows = await db`SELECT * FROM legacy_services WHERE tenant_id = ${tenant}
    ${query.name !== undefined ? db`AND name = ${query.name}` : db``}
    ${query.after !== undefined ? db`AND name COLLATE "C" > ${query.after}` : db``}
    ORDER BY name COLLATE "C" LIMIT ${query.limit}`;
  return rows.map(toService);
}

/** The service with this id (a uuid: check its shape first). */
export async function getServiceById(db: Db, tenant: string, id: string): Promise<LegacyService | undefined> {
  const [row] = await db`SELECT * FROM legacy_services WHERE tenant_id = ${tenant} AND id = ${id}`;
  return row ? toService(row) : undefined;
}

/** Removes the service with this id (a uuid) and with it its token; undefined when there is none. */
export async function unregisterServiceById(db: Db, tenant: string, id: string): Promise<LegacyService | undefined> {
  const [row] = await db`DELETE FROM legacy_services WHERE tenant_id = ${tenant} AND id = ${id} RETURNING *`;
  return row ? toService(row) : undefined;
}

/** Removes the service and with it its token; false when there is no such service. */
export async function unregisterService(db: Db, tenant: string, name: string): Promise<boolean> {
  const rows = await db`DELETE FROM legacy_services WHERE tenant_id = ${tenant} AND name = ${name} RETURNING id`;
  return rows.length > 0;
}

/** The tenant's service that a caller's token belongs to; undefined for any other token. */
export async function findService(db: Db, tenant: string, presented: string): Promise<LegacyService | undefined> {
  if (!isSecretToken(presented, PREFIX)) return undefined;
  const [row] = await db`SELECT * FROM legacy_services WHERE tenant_id = ${tenant} AND token_hash = ${sha256(presented)}`;
  return row ? toService(row) : undefined;
}

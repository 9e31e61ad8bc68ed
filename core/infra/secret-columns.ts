// Every secret stored in the database, sealed at rest (core/infra/data-encryption.ts), and the
// helpers their read and write paths call. A secret added to the schema belongs in SECRET_COLUMNS:
// the start-up step and `tessera data-keys` work from this list alone.
// Shapes: `text` a text column; `json` a whole jsonb value (stored sealed as a JSON string);
// `field` one string field inside a jsonb column (the rest stays readable, e.g. for queries).
import { dataKeyring } from './data-keys.ts';

export interface SecretColumn {
  /** Name in reports (`tessera data-keys status`). */
  name: string;
  table: string;
  column: string;
  shape: 'text' | 'json' | 'field';
  path?: readonly string[];
  /** The row's key columns with their SQL types; their values are bound into the ciphertext. */
  key: readonly { name: string; type: 'text' | 'uuid' }[];
}

const TENANT = { name: 'tenant_id', type: 'text' } as const;

export const SECRET_COLUMNS = {
  signingKey: {
    name: 'signing keys', table: 'signing_keys', column: 'private_jwk', shape: 'json',
    key: [TENANT, { name: 'kid', type: 'text' }],
  },
  samlKey: { name: 'SAML keys', table: 'saml_credentials', column: 'private_key_pem', shape: 'text', key: [TENANT] },
  idpClientSecret: {
    name: 'upstream IdP client secrets', table: 'identity_providers', column: 'config', shape: 'field',
    path: ['clientSecret'], key: [TENANT, { name: 'alias', type: 'text' }],
  },
  totpSecret: {
    name: 'TOTP secrets', table: 'totp_credentials', column: 'secret', shape: 'text',
    key: [TENANT, { name: 'user_id', type: 'uuid' }],
  },
  clientSecret: {
    name: 'OIDC client secrets', table: 'oidc_clients', column: 'metadata', shape: 'field',
    path: ['client_secret'], key: [TENANT, { name: 'client_id', type: 'text' }],
  },
  webhookSecret: {
    name: 'webhook signing secrets', table: 'webhooks', column: 'secret', shape: 'text',
    key: [TENANT, { name: 'id', type: 'uuid' }],
  },
  webhookPreviousSecret: {
    name: 'webhook signing secrets (in rotation grace)', table: 'webhooks', column: 'previous_secret', shape: 'text',
    key: [TENANT, { name: 'id', type: 'uuid' }],
  },
  tenantSmtpUrl: {
    name: 'tenant SMTP URLs', table: 'tenants', column: 'settings', shape: 'field',
    path: ['smtp', 'url'], key: [{ name: 'id', type: 'text' }],
  },
} as const satisfies Record<string, SecretColumn>;

const place = (col: SecretColumn, row: readonly string[]) => ({ table: col.table, column: col.column, path: col.path, row });

/** The value to store for `plain` in this column's row. */
export function sealSecret(col: SecretColumn, row: readonly string[], plain: string): string {
  return dataKeyring().seal(plain, place(col, row));
}

/** The plaintext of a stored value (plaintext from before sealing passes through).
 * @throws SealedValueError naming the place and key id, never the value. */
export function openSecret(col: SecretColumn, row: readonly string[], stored: string): string {
  return dataKeyring().open(stored, place(col, row));
}

/** A whole JSON value sealed: store the returned string as the jsonb value. */
export function sealJson(col: SecretColumn, row: readonly string[], value: unknown): string {
  return sealSecret(col, row, JSON.stringify(value));
}

/** A stored jsonb value of a `json` column: a sealed string, or the JSON itself from before sealing. */
export function openJson<T>(col: SecretColumn, row: readonly string[], stored: unknown): T {
  return typeof stored === 'string' ? JSON.parse(openSecret(col, row, stored)) as T : stored as T;
}

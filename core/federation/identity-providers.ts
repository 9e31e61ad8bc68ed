// A tenant's upstream identity providers (table identity_providers). Every query names the tenant,
// so one tenant's IdPs are invisible to another. Input is checked here (zod) for the CLI and any
// future admin API alike; a refused definition changes nothing.
import { z } from 'zod';
import { ClaimRules } from '../oidc/claim-rules.ts';
import type { Db } from '../infra/db.ts';
import type { IdentityProvider } from './federation-types.ts';

export class IdpInputError extends Error {}

const HttpsUrl = z.url({ protocol: /^https?$/ }).max(2000);
const Alias = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, "-" or "_" (at most 63)');
const Scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'must be a scope token');

const OidcConfig = z.object({
  issuer: HttpsUrl,
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(2000).optional(),
  scopes: z.array(Scope).min(1).max(30),
  preset: z.enum(['google', 'microsoft', 'github']).optional(),
  authorizationEndpoint: HttpsUrl.optional(),
  tokenEndpoint: HttpsUrl.optional(),
  userinfoEndpoint: HttpsUrl.optional(),
}).strict();

const SamlConfig = z.object({
  metadata: z.string().min(50).max(512 * 1024).refine((xml) => !/<!DOCTYPE/i.test(xml), 'must not contain a DOCTYPE'),
  signAuthnRequests: z.boolean().default(true),
  wantAssertionsSigned: z.boolean().default(true),
  nameIdFormat: z.enum(['email', 'persistent', 'transient', 'unspecified']).default('persistent'),
  trustEmail: z.boolean().default(false),
}).strict();

const Provisioning = z.object({
  jit: z.boolean().default(true),
  onUnknown: z.enum(['refuse', 'register']).default('refuse'),
  linkByEmail: z.boolean().default(true),
}).strict();

const GroupMapping = z.object({
  claim: z.string().min(1).max(200),
  map: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).refine((m) => Object.keys(m).length <= 200, 'at most 200 groups'),
}).strict();

const Common = {
  alias: Alias,
  displayName: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  showOnLogin: z.boolean().default(true),
  provisioning: Provisioning.default({ jit: true, onUnknown: 'refuse', linkByEmail: true }),
  claimRules: ClaimRules.default([]),
  groups: GroupMapping.optional(),
};

/** An IdP definition as an operator writes it (the tenant comes from the context). */
export const IdpDefinition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('oidc'), oidc: OidcConfig, ...Common }).strict(),
  z.object({ kind: z.literal('saml'), saml: SamlConfig, ...Common }).strict(),
]);
export type IdpDefinition = z.input<typeof IdpDefinition>;

function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(definition)'}: ${i.message}`).join('; ');
}

function toIdp(row: Record<string, any>): IdentityProvider {
  return {
    tenant: row.tenant_id, alias: row.alias, kind: row.kind, displayName: row.display_name, enabled: row.enabled,
    showOnLogin: row.show_on_login, ...(row.kind === 'oidc' ? { oidc: row.config } : { saml: row.config }),
    provisioning: row.provisioning, claimRules: row.claim_rules, ...(row.groups ? { groups: row.groups } : {}),
  };
}

/**
 * Creates the IdP, or replaces the definition of the one with this alias (`replace`).
 * @throws IdpInputError naming every problem, or when the alias is taken and not `replace`.
 */
export async function saveIdp(db: Db, tenant: string, input: unknown, { replace = false } = {}): Promise<IdentityProvider> {
  const parsed = IdpDefinition.safeParse(input);
  if (!parsed.success) throw new IdpInputError(problems(parsed.error));
  const d = parsed.data;
  const config = d.kind === 'oidc' ? d.oidc : d.saml;
  const values = {
    tenant_id: tenant, alias: d.alias, kind: d.kind, display_name: d.displayName, enabled: d.enabled,
    show_on_login: d.showOnLogin, config: db.json(config as never), provisioning: db.json(d.provisioning as never),
    claim_rules: db.json(d.claimRules as never), groups: d.groups ? db.json(d.groups as never) : null,
  };
  const rows = replace
    ? await db`INSERT INTO identity_providers ${db(values)} ON CONFLICT (tenant_id, alias) DO UPDATE SET
        kind = excluded.kind, display_name = excluded.display_name, enabled = excluded.enabled,
        show_on_login = excluded.show_on_login, config = excluded.config, provisioning = excluded.provisioning,
        claim_rules = excluded.claim_rules, groups = excluded.groups, updated_at = now() RETURNING *`
    : await db`INSERT INTO identity_providers ${db(values)} ON CONFLICT DO NOTHING RETURNING *`;
  if (rows.length === 0) throw new IdpInputError(`an identity provider "${d.alias}" already exists`);
  return toIdp(rows[0]!);
}

export async function getIdp(db: Db, tenant: string, alias: string): Promise<IdentityProvider | undefined> {
  if (!Alias.safeParse(alias).success) return undefined;
  const [row] = await db`SELECT * FROM identity_providers WHERE tenant_id = ${tenant} AND alias = ${alias}`;
  return row ? toIdp(row) : undefined;
}

export async function listIdps(db: Db, tenant: string): Promise<IdentityProvider[]> {
  const rows = await db`SELECT * FROM identity_providers WHERE tenant_id = ${tenant} ORDER BY alias`;
  return rows.map(toIdp);
}

/** What the login page offers: enabled IdPs shown on login, without any of their settings. */
export async function loginIdps(db: Db, tenant: string): Promise<{ alias: string; displayName: string }[]> {
  const rows = await db`SELECT alias, display_name FROM identity_providers
    WHERE tenant_id = ${tenant} AND enabled AND show_on_login ORDER BY display_name, alias LIMIT 20`;
  return rows.map((r) => ({ alias: r.alias, displayName: r.display_name }));
}

export async function setIdpEnabled(db: Db, tenant: string, alias: string, enabled: boolean): Promise<boolean> {
  const rows = await db`UPDATE identity_providers SET enabled = ${enabled}, updated_at = now()
    WHERE tenant_id = ${tenant} AND alias = ${alias} RETURNING alias`;
  return rows.length > 0;
}

/** Deletes the IdP and, with it, every account link to it (the accounts stay). */
export async function deleteIdp(db: Db, tenant: string, alias: string): Promise<boolean> {
  const rows = await db`DELETE FROM identity_providers WHERE tenant_id = ${tenant} AND alias = ${alias} RETURNING alias`;
  return rows.length > 0;
}

/** The definition without secrets, for listings and audit data. */
export function publicIdp(idp: IdentityProvider): Record<string, unknown> {
  const { clientSecret, ...oidc } = idp.oidc ?? ({} as Record<string, unknown>);
  return {
    alias: idp.alias, kind: idp.kind, displayName: idp.displayName, enabled: idp.enabled, showOnLogin: idp.showOnLogin,
    ...(idp.oidc ? { oidc: { ...oidc, clientSecret: clientSecret ? '(set)' : '(none)' } } : {}),
    ...(idp.saml ? { saml: { ...idp.saml, metadata: `(${idp.saml.metadata.length} characters)` } } : {}),
    provisioning: idp.provisioning, claimRules: idp.claimRules, ...(idp.groups ? { groups: idp.groups } : {}),
  };
}

// A tenant's upstream identity providers (table identity_providers). Every query names the tenant,
// so one tenant's IdPs are invisible to another. Input is checked here (zod) for the CLI and any
// future admin API alike; a refused definition changes nothing. An OIDC IdP's client secret is
// sealed at rest (core/infra/secret-columns.ts), bound to its tenant and alias.
import { z } from 'zod';
import { ClaimRules } from '../oidc/claim-rules.ts';
import type { Db } from '../infra/db.ts';
import { openSecret, sealSecret, SECRET_COLUMNS } from '../infra/secret-columns.ts';
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

const SamlFields = {
  metadata: z.string().min(50).max(512 * 1024).refine((xml) => !/<!DOCTYPE/i.test(xml), 'must not contain a DOCTYPE'),
  signAuthnRequests: z.boolean(),
  wantAssertionsSigned: z.boolean(),
  nameIdFormat: z.enum(['email', 'persistent', 'transient', 'unspecified']),
  trustEmail: z.boolean(),
};
const SamlConfig = z.object({
  ...SamlFields,
  signAuthnRequests: SamlFields.signAuthnRequests.default(true),
  wantAssertionsSigned: SamlFields.wantAssertionsSigned.default(true),
  nameIdFormat: SamlFields.nameIdFormat.default('persistent'),
  trustEmail: SamlFields.trustEmail.default(false),
}).strict();

const ProvisioningFields = { jit: z.boolean(), onUnknown: z.enum(['refuse', 'register']), linkByEmail: z.boolean() };
const Provisioning = z.object({
  jit: ProvisioningFields.jit.default(true),
  onUnknown: ProvisioningFields.onUnknown.default('refuse'),
  linkByEmail: ProvisioningFields.linkByEmail.default(true),
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

/**
 * A change to an IdP: fields given replace the stored ones; `oidc`, `saml` and `provisioning` are
 * merged key by key (so a client secret can be replaced alone; `clientSecret: null` removes it);
 * `groups: null` removes the group mapping. The alias and kind never change.
 */
export const IdpPatch = z.object({
  displayName: Common.displayName.optional(),
  enabled: z.boolean().optional(),
  showOnLogin: z.boolean().optional(),
  oidc: OidcConfig.partial().extend({ clientSecret: z.string().min(1).max(2000).nullable().optional() }).strict().optional(),
  saml: z.object(SamlFields).partial().strict().optional(),
  provisioning: z.object(ProvisioningFields).partial().strict().optional(),
  claimRules: ClaimRules.optional(),
  groups: GroupMapping.nullable().optional(),
}).strict();
export type IdpPatch = z.output<typeof IdpPatch>;

export class IdpExistsError extends IdpInputError {}

const toStoredIdp = (row: Record<string, any>): StoredIdp => ({ ...toIdp(row), createdAt: row.created_at, updatedAt: row.updated_at });

function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(definition)'}: ${i.message}`).join('; ');
}

/** An IdP as stored, with when it was created and last changed. */
export type StoredIdp = IdentityProvider & { createdAt: Date; updatedAt: Date };

/** The stored config with its client secret sealed (write) or opened (read). */
function withClientSecret(config: Record<string, any>, row: [string, string], change: 'seal' | 'open'): Record<string, any> {
  if (typeof config.clientSecret !== 'string') return config;
  const col = SECRET_COLUMNS.idpClientSecret;
  return { ...config, clientSecret: change === 'seal' ? sealSecret(col, row, config.clientSecret) : openSecret(col, row, config.clientSecret) };
}

function toIdp(row: Record<string, any>): IdentityProvider {
  const config: any = withClientSecret(row.config, [row.tenant_id, row.alias], 'open');
  return {
    tenant: row.tenant_id, alias: row.alias, kind: row.kind, displayName: row.display_name, enabled: row.enabled,
    showOnLogin: row.show_on_login, ...(row.kind === 'oidc' ? { oidc: config } : { saml: config }),
    provisioning: row.provisioning, claimRules: row.claim_rules, ...(row.groups ? { groups: row.groups } : {}),
  };
}

/**
 * Creates the IdP, or replaces the definition of the one with this alias (`replace`).
 * @throws IdpInputError naming every problem, or when the alias is taken and not `replace`.
 */
export async function saveIdp(db: Db, tenant: string, input: unknown, { replace = false } = {}): Promise<StoredIdp> {
  const parsed = IdpDefinition.safeParse(input);
  if (!parsed.success) throw new IdpInputError(problems(parsed.error));
  const d = parsed.data;
  const config = withClientSecret(d.kind === 'oidc' ? d.oidc : d.saml, [tenant, d.alias], 'seal');
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
  if (rows.length === 0) throw new IdpExistsError(`an identity provider "${d.alias}" already exists`);
  return toStoredIdp(rows[0]!);
}

export async function getIdp(db: Db, tenant: string, alias: string): Promise<IdentityProvider | undefined> {
  const stored = await getStoredIdp(db, tenant, alias);
  if (!stored) return undefined;
  const { createdAt: _c, updatedAt: _u, ...idp } = stored;
  return idp;
}

/** The IdP with its timestamps (for admins). */
export async function getStoredIdp(db: Db, tenant: string, alias: string): Promise<StoredIdp | undefined> {
  if (!Alias.safeParse(alias).success) return undefined;
  const [row] = await db`SELECT * FROM identity_providers WHERE tenant_id = ${tenant} AND alias = ${alias}`;
  return row ? toStoredIdp(row) : undefined;
}

/** One page of the tenant's IdPs by alias (after `after`), of one kind when asked. */
export async function listIdpsPage(db: Db, tenant: string, opts: { after?: string; kind?: 'oidc' | 'saml'; limit: number }): Promise<StoredIdp[]> {
  const rows = await db`SELECT * FROM identity_providers WHERE tenant_id = ${tenant} AND alias > ${opts.after ?? ''}
    ${opts.kind ? db`AND kind = ${opts.kind}` : db``} ORDER BY alias LIMIT ${opts.limit}`;
  return rows.map(toStoredIdp);
}

/** What the login page offers: enabled IdPs shown on login, without any of their settings. */
export async function loginIdps(db: Db, tenant: string): Promise<{ alias: string; displayName: string }[]> {
  const rows = await db`SELECT alias, display_name FROM identity_providers
    WHERE tenant_id = ${tenant} AND enabled AND show_on_login ORDER BY display_name, alias LIMIT 20`;
  return rows.map((r) => ({ alias: r.alias, displayName: r.display_name }));
}

/**
 * Applies `patch` (IdpPatch) to the IdP and stores the result, checked as a whole definition.
 * @returns undefined for an unknown alias. @throws IdpInputError naming every problem.
 */
export async function updateIdp(db: Db, tenant: string, alias: string, patch: IdpPatch): Promise<StoredIdp | undefined> {
  return db.begin(async (tx) => {
    const [row] = await tx`SELECT * FROM identity_providers WHERE tenant_id = ${tenant} AND alias = ${alias} FOR UPDATE`;
    if (!row) return undefined;
    const current = toIdp(row);
    const { oidc, saml, provisioning, groups, ...plain } = patch;
    const merged: Record<string, unknown> = {
      kind: current.kind, alias, displayName: current.displayName, enabled: current.enabled, showOnLogin: current.showOnLogin,
      provisioning: { ...current.provisioning, ...provisioning }, claimRules: current.claimRules,
      ...(current.groups ? { groups: current.groups } : {}), ...plain,
    };
    if (groups !== undefined) {
      if (groups === null) delete merged.groups;
      else merged.groups = groups;
    }
    if (current.kind === 'oidc') {
      const next: Record<string, unknown> = { ...current.oidc, ...oidc };
      if (next.clientSecret === null) delete next.clientSecret;
      merged.oidc = next;
    } else {
      merged.saml = { ...current.saml, ...saml };
    }
    if (current.kind === 'oidc' ? saml !== undefined : oidc !== undefined) {
      throw new IdpInputError(`${current.kind === 'oidc' ? 'saml' : 'oidc'}: this is an ${current.kind} identity provider`);
    }
    return saveIdp(tx as unknown as Db, tenant, merged, { replace: true });
  });
}

/** Deletes the IdP and, with it, every account link to it (the accounts stay). */
export async function deleteIdp(db: Db, tenant: string, alias: string): Promise<boolean> {
  const rows = await db`DELETE FROM identity_providers WHERE tenant_id = ${tenant} AND alias = ${alias} RETURNING alias`;
  return rows.length > 0;
}

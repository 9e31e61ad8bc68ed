// SAML service providers registered with a tenant (table saml_sps): what their metadata says
// (entity id, ACS endpoints, SLO endpoint, certificates, AuthnRequestsSigned, WantAssertionsSigned)
// and Tessera's settings for them. Rules:
// - metadata is bounded in size, refused with a DOCTYPE (no entity ever expands), parsed by
//   samlify, and must name one SP with an entity id and at least one http(s) HTTP-POST ACS;
// - `encryptAssertion` needs an encryption certificate in the metadata; metadata that asks for
//   signed assertions gets them whatever the settings say;
// - a metadata refresh must describe the same entity id;
// - every query names the tenant.
import type { Db } from '../infra/db.ts';
import { saml } from './saml-setup.ts';

export type SpNameIdFormat = 'email' | 'persistent' | 'transient';

export interface SamlSpSettings {
  nameIdFormat: SpNameIdFormat;
  signResponse: boolean;
  signAssertion: boolean;
  encryptAssertion: boolean;
  /** SAML attribute name → claim name (core/accounts/user-claims.ts). */
  attributes: Record<string, string>;
  /** Unsolicited responses (IdP-initiated SSO) allowed. */
  idpInitiated: boolean;
  /** Refuse unsigned AuthnRequests even when the metadata does not say AuthnRequestsSigned. */
  requireSignedRequests: boolean;
}

export interface AcsEndpoint { url: string; binding: string; index: number; isDefault: boolean }

export interface SamlSp {
  tenant: string;
  entityId: string;
  metadata: string;
  acs: AcsEndpoint[];
  sloUrl: string | null;
  sloBinding: string | null;
  signingCert: string | null;
  encryptionCert: string | null;
  authnRequestsSigned: boolean;
  wantAssertionsSigned: boolean;
  settings: SamlSpSettings;
  createdAt: Date;
}

export const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const MAX_METADATA_BYTES = 256 * 1024;

/** The usual attributes (eduPerson/inetOrgPerson OIDs; FriendlyName from OID_NAMES). */
export const DEFAULT_ATTRIBUTES: Record<string, string> = {
  'urn:oid:0.9.2342.19200300.100.1.3': 'email',
  'urn:oid:2.16.840.1.113730.3.1.241': 'name',
  'urn:oid:2.5.4.42': 'given_name',
  'urn:oid:2.5.4.4': 'family_name',
  'urn:oid:1.3.6.1.4.1.5923.1.5.1.1': 'groups',
};

export const OID_NAMES: Record<string, string> = {
  'urn:oid:0.9.2342.19200300.100.1.3': 'mail',
  'urn:oid:2.16.840.1.113730.3.1.241': 'displayName',
  'urn:oid:2.5.4.42': 'givenName',
  'urn:oid:2.5.4.4': 'sn',
  'urn:oid:1.3.6.1.4.1.5923.1.5.1.1': 'isMemberOf',
};

export const DEFAULT_SETTINGS: SamlSpSettings = {
  nameIdFormat: 'email', signResponse: true, signAssertion: true, encryptAssertion: false,
  attributes: DEFAULT_ATTRIBUTES, idpInitiated: true, requireSignedRequests: false,
};

export class SpMetadataError extends Error {}
export class SamlSpExistsError extends SpMetadataError {}

const asList = <T>(value: T | T[] | undefined | null): T[] => (value == null ? [] : Array.isArray(value) ? value : [value]);
const certOf = (value: unknown): string | null => {
  const first = asList(value as string | string[]).flat()[0];
  return typeof first === 'string' && first.trim() ? first.replace(/\s+/g, '') : null;
};
const isHttpUrl = (text: string) => /^https?:$/.test(URL.parse(text)?.protocol ?? '');

/** What the metadata says. @throws SpMetadataError for metadata that cannot be registered. */
export function readSpMetadata(xml: string): Omit<SamlSp, 'tenant' | 'settings' | 'metadata' | 'createdAt'> {
  if (Buffer.byteLength(xml) > MAX_METADATA_BYTES) throw new SpMetadataError('metadata is larger than 256 KiB');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SpMetadataError('metadata with a DOCTYPE is refused');
  let meta: any;
  try {
    meta = saml().SPMetadata(xml);
  } catch (err) {
    throw new SpMetadataError(`metadata cannot be read: ${(err as Error).message}`);
  }
  const entityId = meta.getEntityID();
  if (typeof entityId !== 'string' || !entityId || entityId.length > 1024) throw new SpMetadataError('metadata has no entityID');
  if (!meta.meta.spSSODescriptor) throw new SpMetadataError('metadata has no SPSSODescriptor');
  const acs = asList(meta.getAssertionConsumerService() as any[]).map((a, i): AcsEndpoint => ({
    url: String(a.location ?? ''), binding: String(a.binding ?? ''),
    index: Number.isInteger(Number(a.index)) ? Number(a.index) : i, isDefault: a.isDefault === 'true',
  }));
  if (!acs.some((a) => a.binding === POST_BINDING && isHttpUrl(a.url))) {
    throw new SpMetadataError('metadata has no http(s) AssertionConsumerService with the HTTP-POST binding');
  }
  const slo = asList(meta.getSingleLogoutService() as any[]).filter((s) => s && isHttpUrl(String(s.location ?? '')));
  const sloService = slo.find((s) => s.binding === REDIRECT_BINDING) ?? slo.find((s) => s.binding === POST_BINDING);
  return {
    entityId, acs: acs.filter((a) => isHttpUrl(a.url)), sloUrl: sloService?.location ?? null, sloBinding: sloService?.binding ?? null,
    signingCert: certOf(meta.getX509Certificate('signing')), encryptionCert: certOf(meta.getX509Certificate('encryption')),
    authnRequestsSigned: meta.isAuthnRequestSigned(), wantAssertionsSigned: meta.isWantAssertionsSigned(),
  };
}

function rowToSp(r: Record<string, any>): SamlSp {
  return {
    tenant: r.tenant_id, entityId: r.entity_id, metadata: r.metadata, acs: r.acs, sloUrl: r.slo_url, sloBinding: r.slo_binding,
    signingCert: r.signing_cert, encryptionCert: r.encryption_cert, authnRequestsSigned: r.authn_requests_signed,
    wantAssertionsSigned: r.want_assertions_signed, settings: { ...DEFAULT_SETTINGS, ...r.settings }, createdAt: r.created_at,
  };
}

type ReadMetadata = ReturnType<typeof readSpMetadata>;

/** The settings as they will be honoured. @throws SpMetadataError for settings the metadata cannot support. */
function settingsFor(read: ReadMetadata, settings: SamlSpSettings): SamlSpSettings {
  const full = { ...settings };
  if (read.wantAssertionsSigned) full.signAssertion = true;
  if (full.encryptAssertion && !read.encryptionCert) throw new SpMetadataError('--encrypt needs an encryption certificate in the metadata');
  if (read.authnRequestsSigned && !read.signingCert) throw new SpMetadataError('the SP signs its requests but its metadata has no signing certificate');
  return full;
}

const metadataColumns = (db: Db, metadata: string, read: ReadMetadata) => ({
  metadata, acs: db.json(read.acs as never), slo_url: read.sloUrl, slo_binding: read.sloBinding, signing_cert: read.signingCert,
  encryption_cert: read.encryptionCert, authn_requests_signed: read.authnRequestsSigned, want_assertions_signed: read.wantAssertionsSigned,
});

/**
 * Registers the SP its metadata describes; one with the same entity id is replaced unless
 * `replace` is false.
 * @throws SpMetadataError for unusable metadata or settings it cannot honour; SamlSpExistsError.
 */
export async function addSamlSp(db: Db, tenant: string, metadata: string, settings: Partial<SamlSpSettings> = {}, { replace = true } = {}): Promise<SamlSp> {
  const read = readSpMetadata(metadata);
  const full = settingsFor(read, { ...DEFAULT_SETTINGS, ...settings });
  const values = { tenant_id: tenant, entity_id: read.entityId, ...metadataColumns(db, metadata, read), settings: db.json(full as never) };
  const rows = replace
    ? await db`INSERT INTO saml_sps ${db(values)}
      ON CONFLICT (tenant_id, entity_id) DO UPDATE SET metadata = EXCLUDED.metadata, acs = EXCLUDED.acs,
        slo_url = EXCLUDED.slo_url, slo_binding = EXCLUDED.slo_binding, signing_cert = EXCLUDED.signing_cert, encryption_cert = EXCLUDED.encryption_cert,
        authn_requests_signed = EXCLUDED.authn_requests_signed, want_assertions_signed = EXCLUDED.want_assertions_signed,
        settings = EXCLUDED.settings
      RETURNING *`
    : await db`INSERT INTO saml_sps ${db(values)} ON CONFLICT DO NOTHING RETURNING *`;
  if (rows.length === 0) throw new SamlSpExistsError(`an SP "${read.entityId}" is already registered`);
  return rowToSp(rows[0]!);
}

/**
 * Changes the SP's settings (merged over the stored ones) and, with `metadata`, refreshes what its
 * metadata says (it must describe the same entity id).
 * @returns undefined for an unknown SP. @throws SpMetadataError as addSamlSp does.
 */
export async function updateSamlSp(db: Db, tenant: string, entityId: string, change: { metadata?: string; settings: Partial<SamlSpSettings> }): Promise<SamlSp | undefined> {
  return db.begin(async (tx) => {
    const [row] = await tx`SELECT * FROM saml_sps WHERE tenant_id = ${tenant} AND entity_id = ${entityId} FOR UPDATE`;
    if (!row) return undefined;
    const current = rowToSp(row);
    const metadata = change.metadata ?? current.metadata;
    const read = readSpMetadata(metadata);
    if (read.entityId !== entityId) throw new SpMetadataError(`the metadata describes another entity ("${read.entityId.slice(0, 200)}")`);
    const full = settingsFor(read, { ...current.settings, ...change.settings });
    const values = { ...metadataColumns(tx as unknown as Db, metadata, read), settings: tx.json(full as never) };
    const [updated] = await tx`UPDATE saml_sps SET ${tx(values)} WHERE tenant_id = ${tenant} AND entity_id = ${entityId} RETURNING *`;
    return rowToSp(updated!);
  });
}

/** One page of the tenant's SPs by entity id (after `after`). */
export async function listSamlSpsPage(db: Db, tenant: string, opts: { after?: string; limit: number }): Promise<SamlSp[]> {
  const rows = await db`SELECT * FROM saml_sps WHERE tenant_id = ${tenant} AND entity_id > ${opts.after ?? ''} ORDER BY entity_id LIMIT ${opts.limit}`;
  return rows.map(rowToSp);
}

export async function getSamlSp(db: Db, tenant: string, entityId: string): Promise<SamlSp | undefined> {
  const [row] = await db`SELECT * FROM saml_sps WHERE tenant_id = ${tenant} AND entity_id = ${entityId}`;
  return row ? rowToSp(row) : undefined;
}

/** @returns whether an SP was deleted. */
export async function deleteSamlSp(db: Db, tenant: string, entityId: string): Promise<boolean> {
  const rows = await db`DELETE FROM saml_sps WHERE tenant_id = ${tenant} AND entity_id = ${entityId} RETURNING entity_id`;
  return rows.length > 0;
}

/** The HTTP-POST ACS endpoints responses may go to. */
export const postAcs = (sp: SamlSp) => sp.acs.filter((a) => a.binding === POST_BINDING);

/** The ACS a response goes to when the request names none: the default one, else the lowest index. */
export function defaultAcs(sp: SamlSp): AcsEndpoint | undefined {
  const post = postAcs(sp);
  return post.find((a) => a.isDefault) ?? [...post].sort((a, b) => a.index - b.index)[0];
}

// SAML service providers of the tenant's IdP. `{id}` is the SP's entity id, URL-encoded as one path
// segment (`encodeURIComponent`: `https%3A%2F%2Fsp.example%2Fmetadata`).
//   GET    /saml-sps          by entity id
//   POST   /saml-sps          { metadataXml | metadataUrl, settings?, replace? } → 201
//   GET    /saml-sps/{id}     with its metadata XML (ETag)
//   PATCH  /saml-sps/{id}     { settings?, metadataXml? | metadataUrl? } (If-Match → 412 when stale)
//   DELETE /saml-sps/{id}     → 204
// Rules: metadata is read by core/saml/saml-sps.ts (bounded, no DOCTYPE, one SP, an http(s)
// HTTP-POST ACS) → 400 invalid_metadata; a URL is fetched by core/saml/metadata-fetch.ts (http(s),
// bounded in size and time, never link-local or metadata addresses, loopback only outside
// production) → 400 metadata_fetch_failed; an entity id already registered → 409 saml_sp_exists
// unless `replace`; a refresh must describe the same entity id. Audit types are those the CLI
// recorded before the API: saml_sp.added, saml_sp.updated, saml_sp.deleted.
import { z } from 'zod';
import { fetchMetadata, MetadataFetchError } from '../../../../core/saml/metadata-fetch.ts';
import {
  addSamlSp, deleteSamlSp, getSamlSp, listSamlSpsPage, MAX_METADATA_BYTES, SamlSpExistsError, SpMetadataError, updateSamlSp, type SamlSp,
} from '../../../../core/saml/saml-sps.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import type { OperationContext } from '../operation.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { Timestamp } from '../schemas.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const SettingsFields = {
  nameIdFormat: z.enum(['email', 'persistent', 'transient']),
  signResponse: z.boolean(),
  signAssertion: z.boolean().describe('Always true when the metadata says WantAssertionsSigned.'),
  encryptAssertion: z.boolean().describe('Needs an encryption certificate in the metadata.'),
  attributes: z.record(z.string().min(1).max(200), z.string().min(1).max(100))
    .refine((m) => Object.keys(m).length <= 100, 'at most 100 attributes').describe('SAML attribute name → claim name.'),
  idpInitiated: z.boolean().describe('Unsolicited responses (IdP-initiated SSO) allowed.'),
  requireSignedRequests: z.boolean().describe('Refuse unsigned AuthnRequests even when the metadata does not ask for signing.'),
};
const SettingsJson = z.object(SettingsFields);
const SettingsInput = z.object(SettingsFields).partial().strict();
const MetadataXml = z.string().min(1).max(MAX_METADATA_BYTES).describe('The SP metadata XML.');
const MetadataUrl = z.string().min(1).max(2000).describe('Fetched by the server: http(s), at most 256 KiB within 5 s; never link-local or metadata addresses.');
const oneSource = (b: { metadataXml?: string; metadataUrl?: string }) => !(b.metadataXml !== undefined && b.metadataUrl !== undefined);

const CreateBody = z.object({
  metadataXml: MetadataXml.optional(), metadataUrl: MetadataUrl.optional(),
  settings: SettingsInput.optional().describe('Defaults: nameIdFormat email, responses and assertions signed, no encryption, the usual attributes, IdP-initiated allowed.'),
  replace: z.boolean().default(false).describe('Replace an SP with the same entity id (its metadata and settings) instead of 409.'),
}).strict()
  .refine(oneSource, 'give metadataXml or metadataUrl, not both')
  .refine((b) => b.metadataXml !== undefined || b.metadataUrl !== undefined, 'give metadataXml or metadataUrl');
const PatchBody = z.object({ metadataXml: MetadataXml.optional(), metadataUrl: MetadataUrl.optional(), settings: SettingsInput.optional() })
  .strict().refine(oneSource, 'give metadataXml or metadataUrl, not both');

const SpSummary = z.object({
  entityId: z.string(),
  acs: z.array(z.object({ url: z.string(), binding: z.string(), index: z.number().int(), isDefault: z.boolean() })),
  sloUrl: z.string().nullable(), sloBinding: z.string().nullable(),
  signingCert: z.string().nullable().describe('Base64 DER, from the metadata.'), encryptionCert: z.string().nullable(),
  authnRequestsSigned: z.boolean(), wantAssertionsSigned: z.boolean(), settings: SettingsJson, createdAt: Timestamp,
});
const SpJson = SpSummary.extend({ metadata: z.string() });
const SpParams = z.object({ id: z.string().min(1).max(1024).describe('The entity id, URL-encoded.') });

const spJson = (sp: SamlSp) => ({
  entityId: sp.entityId, acs: sp.acs, sloUrl: sp.sloUrl, sloBinding: sp.sloBinding, signingCert: sp.signingCert, encryptionCert: sp.encryptionCert,
  authnRequestsSigned: sp.authnRequestsSigned, wantAssertionsSigned: sp.wantAssertionsSigned, settings: sp.settings, createdAt: sp.createdAt,
});

const sentence = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}.`;

/** @throws the HttpError for a metadata or fetch error; anything else unchanged. */
function spHttpError(err: unknown): unknown {
  if (err instanceof SamlSpExistsError) return new HttpError(409, 'saml_sp_exists', sentence(err.message));
  if (err instanceof SpMetadataError) return new HttpError(400, 'invalid_metadata', sentence(err.message));
  if (err instanceof MetadataFetchError) return new HttpError(400, 'metadata_fetch_failed', sentence(err.message));
  return err;
}

/** The XML the body gives or points at, and how it was given (for the audit event: a URL without its query). */
async function metadataOf(ctx: OperationContext, body: { metadataXml?: string; metadataUrl?: string }): Promise<{ xml?: string; source?: Record<string, string> }> {
  if (body.metadataXml !== undefined) return { xml: body.metadataXml, source: { from: 'xml' } };
  if (body.metadataUrl === undefined) return {};
  const xml = await fetchMetadata(body.metadataUrl, { allowLoopback: !ctx.config.production });
  const url = URL.parse(body.metadataUrl)!;
  return { xml, source: { from: 'url', url: `${url.origin}${url.pathname}` } };
}

export const operations: Operation[] = [
  defineOperation({
    id: 'saml-sps.list', method: 'GET', path: '/saml-sps', scope: 'tenant', tag: 'saml-sps', summary: 'SAML service providers, by entity id',
    access: read, query: ListQuery, response: z.object({ items: z.array(SpSummary), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, z.object({ entityId: z.string() }));
      const rows = await listSamlSpsPage(db, tenant, { after: after?.entityId, limit: query.limit + 1 });
      return page(rows, query.limit, (sp) => ({ entityId: sp.entityId }), spJson);
    },
  }),
  defineOperation({
    id: 'saml-sps.create', method: 'POST', path: '/saml-sps', scope: 'tenant', tag: 'saml-sps',
    summary: 'Register a SAML service provider from its metadata (XML or URL)',
    access: write, body: CreateBody, response: SpJson, status: 201,
    async run(ctx, { body }) {
      try {
        const { xml, source } = await metadataOf(ctx, body);
        const sp = await addSamlSp(ctx.db, ctx.tenant, xml!, body.settings ?? {}, { replace: body.replace });
        ctx.note({ type: 'saml_sp.added', subject: sp.entityId, data: { entityId: sp.entityId, settings: sp.settings, ...source, replace: body.replace } });
        return { ...spJson(sp), metadata: sp.metadata };
      } catch (err) {
        throw spHttpError(err);
      }
    },
  }),
  defineOperation({
    id: 'saml-sps.get', method: 'GET', path: '/saml-sps/{id}', scope: 'tenant', tag: 'saml-sps', summary: 'One SAML service provider',
    access: read, params: SpParams, response: SpJson, etagOf: 'saml-sps.get',
    async run({ db, tenant }, { params }) {
      const sp = await getSamlSp(db, tenant, params.id);
      if (!sp) throw notFound('No such SAML service provider.');
      return { ...spJson(sp), metadata: sp.metadata };
    },
  }),
  defineOperation({
    id: 'saml-sps.update', method: 'PATCH', path: '/saml-sps/{id}', scope: 'tenant', tag: 'saml-sps',
    summary: "Change a SAML service provider's settings, or refresh its metadata",
    description: 'Settings given replace the stored ones (`attributes` as a whole). New metadata must describe the same entity id.',
    access: write, params: SpParams, body: PatchBody, response: SpJson, etagOf: 'saml-sps.get',
    async run(ctx, { params, body }) {
      let sp: SamlSp | undefined;
      try {
        if (!(await getSamlSp(ctx.db, ctx.tenant, params.id))) throw notFound('No such SAML service provider.');
        const { xml, source } = await metadataOf(ctx, body);
        sp = await updateSamlSp(ctx.db, ctx.tenant, params.id, { ...(xml !== undefined ? { metadata: xml } : {}), settings: body.settings ?? {} });
        if (!sp) throw notFound('No such SAML service provider.');
        const fields = [...Object.keys(body.settings ?? {}).map((k) => `settings.${k}`), ...(xml !== undefined ? ['metadata'] : [])];
        ctx.note({ type: 'saml_sp.updated', subject: sp.entityId, data: { entityId: sp.entityId, fields, ...(source ? { metadata: source } : {}) } });
      } catch (err) {
        throw spHttpError(err);
      }
      return { ...spJson(sp), metadata: sp.metadata };
    },
  }),
  defineOperation({
    id: 'saml-sps.delete', method: 'DELETE', path: '/saml-sps/{id}', scope: 'tenant', tag: 'saml-sps', summary: 'Remove a SAML service provider',
    access: write, params: SpParams, response: z.void(), status: 204, etagOf: 'saml-sps.get',
    async run(ctx, { params }) {
      if (!(await deleteSamlSp(ctx.db, ctx.tenant, params.id))) throw notFound('No such SAML service provider.');
      ctx.note({ type: 'saml_sp.deleted', subject: params.id, data: { entityId: params.id } });
    },
  }),
];

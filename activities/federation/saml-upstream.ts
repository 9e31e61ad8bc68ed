// The `saml-idp` node's protocol half: Tessera as a SAML SP toward an upstream IdP (Shibboleth,
// ADFS, Azure AD). `begin` sends an AuthnRequest (HTTP-Redirect); `finish` takes the POSTed
// SAMLResponse and gives back the checked identity or throws UpstreamError. The checks live in
// small files: saml-xml (size, DOCTYPE, schema, strict parse), saml-response (one assertion,
// signatures, decryption), saml-signature (wrapping, algorithms, metadata certificates only),
// saml-assertion (issuer, recipient, InResponseTo, audience, time), saml-replay, saml-claims.
// Nothing of the response XML goes into messages or logs.
import type { Db } from '../../core/infra/db.ts';
import type { Begun, BeginInput, FinishInput, SamlUpstreamConfig, UpstreamIdentity, UpstreamProtocol } from '../../core/federation/federation-types.ts';
import { UpstreamError } from '../../core/federation/federation-types.ts';
import type { SamlCredentials } from '../../core/saml/saml-credentials.ts';
import { checkAssertion } from './saml-assertion.ts';
import { authnRequestUrl } from './saml-authn-request.ts';
import { samlClaims } from './saml-claims.ts';
import { idpMetadata } from './saml-idp-metadata.ts';
import { rememberAssertion } from './saml-replay.ts';
import { checkResponse } from './saml-response.ts';
import { signsAuthnRequests } from './saml-sp-metadata.ts';
import { logger } from '../../core/infra/logger.ts';

export { samlSpMetadata } from './saml-sp-metadata.ts';

export interface SamlUpstreamDeps {
  db: Db;
  /** The tenant's SP credentials (signing AuthnRequests, decrypting assertions). */
  credentials(tenant: string): Promise<SamlCredentials>;
  now?: () => Date;
}

/** Set by the lead's config when the IdP is trusted to have verified the emails it asserts. */
type Config = SamlUpstreamConfig;

function configOf(idp: BeginInput['idp']): Config {
  if (idp.kind !== 'saml' || !idp.saml) throw new UpstreamError('bad_config', 'This identity provider is not a SAML one.');
  return idp.saml;
}

export function createSamlUpstream(deps: SamlUpstreamDeps): UpstreamProtocol {
  const now = deps.now ?? (() => new Date());
  return {
    async begin({ idp, urls, state }: BeginInput): Promise<Begun> {
      const config = configOf(idp);
      const metadata = idpMetadata(config.metadata);
      const signingKey = signsAuthnRequests(idp) ? (await deps.credentials(idp.tenant)).privateKeyPem : undefined;
      const { url, id } = authnRequestUrl({
        ssoUrl: metadata.ssoRedirectUrl, spEntityId: urls.spEntityId, acs: urls.acs,
        nameIdFormat: config.nameIdFormat, relayState: state, signingKey, now: now(),
      });
      return { url, kept: { requestId: id } };
    },

    async finish(input: FinishInput): Promise<UpstreamIdentity> {
      try {
        return await finish(input);
      } catch (error) {
        if (error instanceof UpstreamError) logRefusal(input.idp, error);
        throw error;
      }
    },
  };

  async function finish({ idp, urls, params, kept }: FinishInput): Promise<UpstreamIdentity> {
    const config = configOf(idp);
    const metadata = idpMetadata(config.metadata);
    const credentials = await deps.credentials(idp.tenant);
    const { response, assertion } = await checkResponse(params.SAMLResponse, {
      certificates: metadata.signingCertificates,
      wantAssertionsSigned: config.wantAssertionsSigned,
      decryptionKey: credentials.privateKeyPem,
    });
    const at = now();
    const accepted = checkAssertion(response, assertion, {
      idpEntityId: metadata.entityId, acs: urls.acs, spEntityId: urls.spEntityId, requestId: kept.requestId, now: at,
    });
    await rememberAssertion(deps.db, idp.tenant, idp.alias, accepted.id, accepted.keepUntil, at);
    return {
      subject: accepted.nameId,
      claims: samlClaims({ ...accepted, trustEmail: config.trustEmail === true }),
      session: { nameId: accepted.nameId, nameIdFormat: accepted.nameIdFormat, sessionIndex: accepted.sessionIndex },
    };
  }
}

/**
 * The real cause of a refused response, for the operator: the code and the detail the check left
 * (element names, algorithms, the step that failed), never the document, a NameID or key material.
 * The user's page shows only the generic message.
 */
export function logRefusal(idp: FinishInput['idp'], error: UpstreamError, log: (line: string) => void = (line) => logger.warn(line)): void {
  log(`[saml-sp] tenant=${idp.tenant} idp=${idp.alias} refused a SAML response: ${error.code}${error.detail ? ` (${error.detail})` : ''}`);
}

// GET /t/{tenant}/saml/metadata — the tenant's IdP metadata: entity id = this URL, the signing and
// encryption certificate (the tenant's SAML credentials), SSO and SLO with the HTTP-Redirect and
// HTTP-POST bindings, the NameID formats offered. WantAuthnRequestsSigned is false: whether an SP
// must sign is decided per SP (its metadata, or its row).
import type { RequestHandler } from 'express';
import { certificateBody, tenantSamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { POST_BINDING, REDIRECT_BINDING } from '../../../core/saml/saml-sps.ts';
import { idpUrls, type SamlDeps } from './deps.ts';
import { NAME_ID_FORMATS } from './login-response.ts';
import { xmlEscape } from './response-xml.ts';

export function idpMetadataXml(entityId: string, urls: { sso: string; slo: string }, certBody: string): string {
  const key = (use: string) => `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const service = (tag: string, location: string) => [REDIRECT_BINDING, POST_BINDING]
    .map((b) => `<md:${tag} Binding="${b}" Location="${xmlEscape(location)}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${xmlEscape(entityId)}">`
    + `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`
    + key('signing') + key('encryption') + service('SingleLogoutService', urls.slo)
    + Object.values(NAME_ID_FORMATS).map((f) => `<md:NameIDFormat>${f}</md:NameIDFormat>`).join('')
    + service('SingleSignOnService', urls.sso)
    + `</md:IDPSSODescriptor></md:EntityDescriptor>\n`;
}

export function metadataHandler(deps: SamlDeps): RequestHandler {
  return async (req, res) => {
    const tenant = req.tenant!.id;
    const urls = idpUrls(deps.config.publicUrl, tenant);
    const { certificatePem } = await tenantSamlCredentials(deps.db, tenant);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/samlmetadata+xml').send(idpMetadataXml(urls.entityId, urls, certificateBody(certificatePem)));
  };
}

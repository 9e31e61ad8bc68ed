// Pure parts of the SAML SP side: attribute → claim mapping, the AuthnRequest document, the
// decoding guards, IdP metadata requirements, and signature-shape rules not reachable through a
// schema-valid document.
import { describe, expect, it } from 'vitest';
import { authnRequestXml } from '../../activities/federation/saml-authn-request.ts';
import { samlClaims } from '../../activities/federation/saml-claims.ts';
import { idpMetadata } from '../../activities/federation/saml-idp-metadata.ts';
import { checkSignatureShape, signaturesByParent } from '../../activities/federation/saml-signature.ts';
import { checkSchema, decodeSamlResponse, parseXml, textOf } from '../../activities/federation/saml-xml.ts';
import { UpstreamError } from '../../core/federation/federation-types.ts';

const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

function code(fn: () => unknown): string | undefined {
  try { fn(); } catch (error) { return error instanceof UpstreamError ? error.code : `not an UpstreamError: ${error}`; }
  return undefined;
}

describe('samlClaims', () => {
  const attributes = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

  it('maps LDAP OIDs and ADFS / Azure AD claim URIs; one value → string, several → array', () => {
    const claims = samlClaims({ nameId: 'opaque-1', nameIdFormat: PERSISTENT, trustEmail: false, attributes: attributes({
      'urn:oid:0.9.2342.19200300.100.1.3': ['a@corp.example'],
      'urn:oid:2.5.4.42': ['Ann'],
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': ['Lee'],
      'http://schemas.microsoft.com/identity/claims/displayname': ['Ann Lee'],
      'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['g1'],
      'urn:custom:roles': ['r1', 'r2'],
    }) });
    expect(claims).toEqual({ email: 'a@corp.example', given_name: 'Ann', family_name: 'Lee', name: 'Ann Lee', groups: ['g1'], 'urn:custom:roles': ['r1', 'r2'] });
  });

  it('takes email from an email NameID only when no attribute gave one', () => {
    expect(samlClaims({ nameId: 'n@corp.example', nameIdFormat: EMAIL, trustEmail: false, attributes: new Map() })).toEqual({ email: 'n@corp.example' });
    expect(samlClaims({ nameId: 'n@corp.example', nameIdFormat: EMAIL, trustEmail: false, attributes: attributes({ mail: ['m@corp.example'] }) }).email).toBe('m@corp.example');
    expect(samlClaims({ nameId: 'opaque-1', nameIdFormat: PERSISTENT, trustEmail: true, attributes: new Map() })).toEqual({});
  });

  it('sets email_verified only for a trusted IdP', () => {
    expect(samlClaims({ nameId: 'n@corp.example', nameIdFormat: EMAIL, trustEmail: false, attributes: new Map() }).email_verified).toBeUndefined();
    expect(samlClaims({ nameId: 'n@corp.example', nameIdFormat: EMAIL, trustEmail: true, attributes: new Map() }).email_verified).toBe(true);
  });
});

describe('authnRequestXml', () => {
  const input = { ssoUrl: 'https://idp.example/sso?a=1&b=2', spEntityId: 'https://sp.example/"<x>', acs: 'https://sp.example/acs',
    relayState: 'r', now: new Date('2026-01-01T00:00:00Z') };

  it('is a schema-valid AuthnRequest with every value escaped', async () => {
    const xml = authnRequestXml('_abc', { ...input, nameIdFormat: 'email' });
    await checkSchema(xml);
    const root = parseXml(xml).documentElement!;
    expect(root.getAttribute('Destination')).toBe(input.ssoUrl);
    expect(root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]!.textContent).toBe(input.spEntityId);
    expect(root.getAttribute('ProtocolBinding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
  });

  it('asks for AllowCreate except for transient NameIDs', () => {
    expect(authnRequestXml('_a', { ...input, nameIdFormat: 'persistent' })).toContain('AllowCreate="true"');
    expect(authnRequestXml('_a', { ...input, nameIdFormat: 'transient' })).not.toContain('AllowCreate');
  });
});

describe('decodeSamlResponse', () => {
  it('refuses a missing, non-base64 or oversized parameter', () => {
    expect(code(() => decodeSamlResponse(undefined))).toBe('malformed');
    expect(code(() => decodeSamlResponse('<samlp:Response/>'))).toBe('malformed');
    expect(code(() => decodeSamlResponse('QUFB'.repeat(100_000)))).toBe('too_large');
    expect(decodeSamlResponse(Buffer.from('<a/>').toString('base64'))).toBe('<a/>');
  });
});

describe('idpMetadata', () => {
  const metadata = (sso: string, keyDescriptor: string) => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/e">`
    + `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keyDescriptor}${sso}</md:IDPSSODescriptor></md:EntityDescriptor>`;
  const key = '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIBfake</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>';
  const redirect = '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>';
  const post = '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso"/>';

  it('reads entity id, Redirect SSO URL and signing certificates', () => {
    expect(idpMetadata(metadata(redirect, key))).toEqual({
      entityId: 'https://idp.example/e', ssoRedirectUrl: 'https://idp.example/sso', wantAuthnRequestsSigned: false, signingCertificates: ['MIIBfake'],
    });
  });

  it('refuses metadata without a Redirect SSO service or without a signing certificate', () => {
    expect(code(() => idpMetadata(metadata(post, key)))).toBe('bad_metadata');
    expect(code(() => idpMetadata(metadata(redirect, '')))).toBe('bad_metadata');
  });
});

describe('checkSignatureShape', () => {
  const doc = (c14n: string, extra = '') => parseXml(`<r ID="_r"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>`
    + `<ds:CanonicalizationMethod Algorithm="${c14n}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>`
    + `<ds:Reference URI="#_r"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>`
    + `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AA==</ds:DigestValue></ds:Reference>${extra}</ds:SignedInfo>`
    + '<ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature></r>');
  const check = (d: Document) => code(() => checkSignatureShape(d, d.documentElement!.firstChild as Element, d.documentElement!));

  it('accepts exc-c14n with SHA-256, refuses canonicalization WithComments', () => {
    expect(check(doc('http://www.w3.org/2001/10/xml-exc-c14n#'))).toBeUndefined();
    expect(check(doc('http://www.w3.org/2001/10/xml-exc-c14n#WithComments'))).toBe('weak_algorithm');
  });

  it('refuses two References', () => {
    const second = '<ds:Reference URI="#_r"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AA==</ds:DigestValue></ds:Reference>';
    expect(check(doc('http://www.w3.org/2001/10/xml-exc-c14n#', second))).toBe('malformed_signature');
  });
});

describe('signaturesByParent', () => {
  const sig = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>';
  it('refuses a Signature anywhere but directly in an element that may be signed, and two in one element', () => {
    const nested = parseXml(`<r ID="_r"><e>${sig}</e></r>`);
    expect(code(() => signaturesByParent(nested, [nested.documentElement!]))).toBe('wrapped_signature');
    const twice = parseXml(`<r ID="_r">${sig}${sig}</r>`);
    expect(code(() => signaturesByParent(twice, [twice.documentElement!]))).toBe('wrapped_signature');
    const fine = parseXml(`<r ID="_r">${sig}</r>`);
    expect(signaturesByParent(fine, [fine.documentElement!]).size).toBe(1);
  });
});

describe('textOf', () => {
  it('reads the whole text of an element split by a comment', () => {
    expect(textOf(parseXml('<n>admin@corp.com<!---->.evil.com</n>').documentElement!)).toBe('admin@corp.com.evil.com');
  });
});

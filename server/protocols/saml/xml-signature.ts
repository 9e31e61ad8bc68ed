// XML signatures on what the IdP sends (enveloped, RSA-SHA256, exclusive c14n, the certificate in
// KeyInfo) and the check of an SP's enveloped signature on what it sends. Rules for the check:
// - the only certificate trusted is the one in the SP's registered metadata (KeyInfo is ignored);
// - exactly one Signature, a direct child of the root, with exactly one Reference, and that
//   Reference names the root element by its ID (so nothing outside the signed bytes is read);
// - SHA-1 signature or digest algorithms are refused.
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { certificateBody, certificatePem, privateKeyObject } from '../../../core/saml/saml-credentials.ts';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

export interface Signer { privateKeyPem: string; certificatePem: string }

/**
 * Signs the element at `elementXPath` (an element with an ID attribute), placing the Signature right
 * after that element's Issuer, as SAML's schema wants.
 */
export function signElement(xml: string, elementXPath: string, signer: Signer): string {
  const sig = new SignedXml({
    privateKey: privateKeyObject(signer.privateKeyPem), publicCert: signer.certificatePem,
    signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: ({ prefix } = {}) => {
      const p = prefix ? `${prefix}:` : '';
      return `<${p}X509Data><${p}X509Certificate>${certificateBody(signer.certificatePem)}</${p}X509Certificate></${p}X509Data>`;
    },
  });
  sig.addReference({ xpath: elementXPath, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${elementXPath}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

export type EnvelopedCheck = 'unsigned' | 'valid' | 'invalid';

/** Checks the root element's enveloped signature against `certBody` (base64 DER). */
export function checkEnvelopedSignature(xml: string, certBody: string | null): EnvelopedCheck {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (!root) return 'invalid';
  const all = doc.getElementsByTagNameNS(DSIG, 'Signature');
  if (all.length === 0) return 'unsigned';
  if (all.length !== 1 || all[0]!.parentNode !== root || !certBody) return 'invalid';
  const id = root.getAttribute('ID');
  if (!id) return 'invalid';
  try {
    const sig = new SignedXml({ publicCert: certificatePem(certBody), getCertFromKeyInfo: () => null });
    sig.loadSignature(all[0]!);
    const refs = sig.getReferences();
    if (refs.length !== 1 || refs[0]!.uri !== `#${id}`) return 'invalid';
    if (/sha1/i.test(sig.signatureAlgorithm ?? '') || /sha1/i.test(refs[0]!.digestAlgorithm ?? '')) return 'invalid';
    return sig.checkSignature(xml) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

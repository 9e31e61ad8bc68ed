// Encrypts the Assertion of a test SAML Response the way Keycloak 26 does (XML Encryption 1.1):
// an EncryptedAssertion whose EncryptedData carries the EncryptedKey in its ds:KeyInfo, the key
// transported with RSA-OAEP — `xmlenc11#rsa-oaep` with ds:DigestMethod + xenc11:MGF (Keycloak's
// default: SHA-256 and MGF1-SHA256) or `rsa-oaep-mgf1p` (MGF1 is always SHA-1) with a
// ds:DigestMethod — and the content in AES-GCM or AES-CBC.
//
// OAEP is encoded here (RFC 8017 §7.1.1) over a raw RSA public operation, because Node's
// publicEncrypt ties MGF1's hash to the OAEP digest: rsa-oaep-mgf1p with SHA-256 cannot be made
// with it. Test-only: nothing here is hardened.
import { constants, createCipheriv, createHash, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { mgf1, type OaepHash } from '../../activities/federation/rsa-oaep.ts';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';

export const XENC = 'http://www.w3.org/2001/04/xmlenc#';
export const XENC11 = 'http://www.w3.org/2009/xmlenc11#';
export const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
export const KEY_TRANSPORT = { oaep11: `${XENC11}rsa-oaep`, mgf1p: `${XENC}rsa-oaep-mgf1p` } as const;
export const DIGEST_URIS: Record<OaepHash, string> = {
  sha1: `${DSIG}sha1`, sha224: 'http://www.w3.org/2001/04/xmldsig-more#sha224', sha256: `${XENC}sha256`,
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384', sha512: `${XENC}sha512`,
};
export const MGF_URIS: Record<OaepHash, string> = {
  sha1: `${XENC11}mgf1sha1`, sha224: `${XENC11}mgf1sha224`, sha256: `${XENC11}mgf1sha256`, sha384: `${XENC11}mgf1sha384`, sha512: `${XENC11}mgf1sha512`,
};

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (node: Node) => new XMLSerializer().serializeToString(node);

/** EME-OAEP encoding of `message` into k bytes, digest and MGF1 hash chosen separately. */
export function oaepEncode(message: Buffer, k: number, o: { hash: OaepHash; mgfHash: OaepHash; label?: Buffer; seed?: Buffer }): Buffer {
  const lHash = createHash(o.hash).update(o.label ?? Buffer.alloc(0)).digest();
  const hLen = lHash.length;
  if (message.length > k - 2 * hLen - 2) throw new Error('message too long');
  const db = Buffer.concat([lHash, Buffer.alloc(k - message.length - 2 * hLen - 2), Buffer.from([1]), message]);
  const seed = o.seed ?? randomBytes(hLen);
  const dbMask = mgf1(seed, k - hLen - 1, o.mgfHash);
  const maskedDb = Buffer.from(db.map((b, i) => b ^ dbMask[i]!));
  const seedMask = mgf1(maskedDb, hLen, o.mgfHash);
  const maskedSeed = Buffer.from(seed.map((b, i) => b ^ seedMask[i]!));
  return Buffer.concat([Buffer.from([0]), maskedSeed, maskedDb]);
}

/** RSA-OAEP with separate digest / MGF1 hash, to the certificate's public key. */
export function rsaOaepEncrypt(certificatePem: string, message: Buffer, o: { hash: OaepHash; mgfHash: OaepHash; label?: Buffer }): Buffer {
  const key = new X509Certificate(certificatePem).publicKey;
  const k = Math.ceil(key.asymmetricKeyDetails!.modulusLength! / 8);
  return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, oaepEncode(message, k, o));
}

export interface KeycloakEncryption {
  /** Key transport algorithm URI (default xmlenc11#rsa-oaep). */
  transport?: string;
  /** The OAEP digest actually used; `digestUri` is what the document states (default: the same; null: no DigestMethod). */
  hash?: OaepHash;
  digestUri?: string | null;
  /** The MGF1 hash actually used; `mgfUri` is what the document states (default: the same; null: no MGF element). */
  mgfHash?: OaepHash;
  mgfUri?: string | null;
  /** Content algorithm (default AES-256-GCM). */
  content?: 'aes128-gcm' | 'aes256-gcm' | 'aes128-cbc' | 'aes256-cbc';
}

function encryptContent(content: NonNullable<KeycloakEncryption['content']>, plain: Buffer): { key: Buffer; data: Buffer; uri: string } {
  const bits = content.startsWith('aes128') ? 128 : 256;
  const key = randomBytes(bits / 8);
  if (content.endsWith('gcm')) {
    const iv = randomBytes(12);
    const cipher = createCipheriv(`aes-${bits}-gcm` as 'aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { key, data: Buffer.concat([iv, body, cipher.getAuthTag()]), uri: `${XENC11}${content}` };
  }
  const iv = randomBytes(16);
  const cipher = createCipheriv(`aes-${bits}-cbc`, key, iv);
  return { key, data: Buffer.concat([iv, cipher.update(plain), cipher.final()]), uri: `${XENC}${content}` };
}

/** Replaces the Response's Assertion with an EncryptedAssertion for the SP's certificate, as Keycloak builds it. */
export function encryptAssertionLikeKeycloak(responseXml: string, spCertificatePem: string, o: KeycloakEncryption = {}): string {
  const transport = o.transport ?? KEY_TRANSPORT.oaep11;
  const isMgf1p = transport === KEY_TRANSPORT.mgf1p;
  const hash = o.hash ?? 'sha256';
  const mgfHash = o.mgfHash ?? (isMgf1p ? 'sha1' : 'sha256');
  const digestUri = o.digestUri === undefined ? DIGEST_URIS[hash] : o.digestUri;
  const mgfUri = o.mgfUri === undefined ? (isMgf1p ? null : MGF_URIS[mgfHash]) : o.mgfUri;

  const doc = parse(responseXml);
  const assertion = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')[0]!;
  const content = encryptContent(o.content ?? 'aes256-gcm', Buffer.from(serialize(assertion), 'utf8'));
  const wrapped = rsaOaepEncrypt(spCertificatePem, content.key, { hash, mgfHash });
  const method = `<xenc:EncryptionMethod Algorithm="${transport}">`
    + (digestUri ? `<ds:DigestMethod xmlns:ds="${DSIG}" Algorithm="${digestUri}"/>` : '')
    + (mgfUri ? `<xenc11:MGF xmlns:xenc11="${XENC11}" Algorithm="${mgfUri}"/>` : '')
    + '</xenc:EncryptionMethod>';
  const encrypted = `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">`
    + `<xenc:EncryptedData xmlns:xenc="${XENC}" Type="${XENC}Element">`
    + `<xenc:EncryptionMethod Algorithm="${content.uri}"/>`
    + `<ds:KeyInfo xmlns:ds="${DSIG}"><xenc:EncryptedKey>${method}`
    + `<xenc:CipherData><xenc:CipherValue>${wrapped.toString('base64')}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>`
    + `<xenc:CipherData><xenc:CipherValue>${content.data.toString('base64')}</xenc:CipherValue></xenc:CipherData>`
    + '</xenc:EncryptedData></saml:EncryptedAssertion>';
  const replacement = parse(encrypted).documentElement!;
  assertion.parentNode!.replaceChild(doc.importNode(replacement, true), assertion);
  return serialize(doc);
}

// The tenant's SAML credentials: an RSA 2048 private key and a self-signed X.509 certificate for
// it (CN = the tenant, ~10 years), PEM. They sign and decrypt for Tessera as a SAML IdP toward its
// service providers and as a SAML SP toward upstream IdPs. Rules:
// - created on first use, exactly once per tenant even when processes race: the key is generated
//   outside the transaction, then inserted while the tenant row is locked (the loser's is dropped);
// - the private key never leaves the server (metadata publishes the certificate only) and is
//   sealed at rest (core/infra/secret-columns.ts);
// - every SAML response and request reads them, so a tenant's are kept for CACHE_MS per process
//   (they never change once created), and parsed signing keys are kept by PEM: each response is
//   signed twice, and parsing the PKCS#8 PEM cost as much as the signature.
import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
// @peculiar/x509 resolves its ASN.1 providers through tsyringe, which needs the Reflect metadata
// polyfill loaded first (outside the test runner nothing else loads it).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Db } from '../infra/db.ts';
import type { DataKeyring } from '../infra/data-encryption.ts';
import { dataKeyring } from '../infra/data-keys.ts';
import { openSecret, sealSecret, SECRET_COLUMNS } from '../infra/secret-columns.ts';

export interface SamlCredentials { privateKeyPem: string; certificatePem: string }

const TEN_YEARS_MS = 10 * 365.25 * 24 * 3_600_000;
const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

x509.cryptoProvider.set(webcrypto as Crypto);

function pem(label: string, der: ArrayBuffer): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** CN values are RDN strings: characters with a meaning there are escaped (RFC 4514). */
const rdnValue = (text: string) => text.replace(/[,+"\\<>;=#]/g, (c) => `\\${c}`);

/** A new key and self-signed certificate with CN = `name` (also used by tests for their SPs). */
export async function newSamlCredentials(name: string): Promise<SamlCredentials> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${rdnValue(name)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: ALG,
    keys,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { privateKeyPem: pem('PRIVATE KEY', pkcs8), certificatePem: cert.toString('pem') + '\n' };
}

async function read(db: Db, tenant: string): Promise<SamlCredentials | undefined> {
  const [row] = await db`SELECT private_key_pem, certificate_pem FROM saml_credentials WHERE tenant_id = ${tenant}`;
  if (!row) return undefined;
  return { privateKeyPem: openSecret(SECRET_COLUMNS.samlKey, [tenant], row.private_key_pem), certificatePem: row.certificate_pem };
}

const CACHE_MS = 60_000;
const CACHE_MAX = 1000;
// Each entry remembers the keyring it was opened with: credentials opened under keys this process
// no longer holds are read (and refused) again rather than served from memory.
const recent = new Map<string, { credentials: SamlCredentials; until: number; keyring: DataKeyring }>();
const keys = new Map<string, KeyObject>();

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= CACHE_MAX) map.clear();
  map.set(key, value);
  return value;
}

/** The private key of `privateKeyPem`, parsed once per process. */
export function privateKeyObject(privateKeyPem: string): KeyObject {
  return keys.get(privateKeyPem) ?? remember(keys, privateKeyPem, createPrivateKey(privateKeyPem));
}

/** The tenant's credentials, created on first use. @throws Error when the tenant does not exist. */
export async function tenantSamlCredentials(db: Db, tenant: string): Promise<SamlCredentials> {
  const keyring = dataKeyring();
  const hit = recent.get(tenant);
  if (hit && hit.until > Date.now() && hit.keyring === keyring) return hit.credentials;
  const credentials = await readOrCreate(db, tenant);
  return remember(recent, tenant, { credentials, until: Date.now() + CACHE_MS, keyring }).credentials;
}

async function readOrCreate(db: Db, tenant: string): Promise<SamlCredentials> {
  const existing = await read(db, tenant);
  if (existing) return existing;
  const fresh = await newSamlCredentials(tenant);
  await db.begin(async (tx) => {
    const [owner] = await tx`SELECT id FROM tenants WHERE id = ${tenant} FOR UPDATE`;
    if (!owner) throw new Error(`no tenant "${tenant}"`);
    await tx`INSERT INTO saml_credentials (tenant_id, private_key_pem, certificate_pem)
      VALUES (${tenant}, ${sealSecret(SECRET_COLUMNS.samlKey, [tenant], fresh.privateKeyPem)}, ${fresh.certificatePem})
      ON CONFLICT (tenant_id) DO NOTHING`;
  });
  return (await read(db, tenant))!;
}

/** The certificate's base64 DER body, as metadata and KeyInfo carry it. */
export function certificateBody(certificatePem: string): string {
  return certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** A PEM certificate from its base64 DER body (metadata and KeyInfo carry only the body). */
export function certificatePem(body: string): string {
  const lines = body.replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

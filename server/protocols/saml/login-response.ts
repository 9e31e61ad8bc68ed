// The signed (and, when the SP asks, encrypted) Response for a signed-in user. Rules:
// - NameID per the SP's format: email = the user's email (refused without one), persistent = a
//   stable opaque value per (tenant, SP, user), transient = random per response;
// - Destination and Recipient = the ACS URL it is posted to, Audience = the SP's entity id,
//   InResponseTo = the request's ID (absent for IdP-initiated SSO), ~5 minutes of validity;
// - AuthnInstant = the session's auth time; the SessionIndex names (session family, SP) opaquely;
// - attributes: the SP's mapping over the user's claims only (missing claims are left out);
// - signing per the SP row: the assertion is signed before it is encrypted, the response after;
//   encryption: AES-256-GCM with RSA-OAEP (never rsa-1_5), to the SP's metadata certificate.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../../core/infra/db.ts';
import { saml } from '../../../core/saml/saml-setup.ts';
import { OID_NAMES, type SamlSp } from '../../../core/saml/saml-sps.ts';
import { persistentNameId, recordSessionSp } from '../../../core/saml/saml-subjects.ts';
import type { Session } from '../../../core/accounts/sessions.ts';
import type { SamlCredentials } from '../../../core/saml/saml-credentials.ts';
import { errorResponseXml, STATUS, successResponseXml, type SamlAttribute, type StatusInput } from './response-xml.ts';
import { signElement } from './xml-signature.ts';

export const NAME_ID_FORMATS = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;
export const UNSPECIFIED_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

const LIFETIME_MS = 5 * 60_000;
const RESPONSE_XPATH = "/*[local-name(.)='Response']";
const ASSERTION_XPATH = "/*[local-name(.)='Response']/*[local-name(.)='Assertion']";
const AES256_GCM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
const URI_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const BASIC_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

/** A status the SP should hear about (posted back as an error Response). */
export class SamlStatusError extends Error {
  readonly second: string;
  constructor(second: string, message: string) {
    super(message);
    this.second = second;
  }
}

function claimValues(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
  if (typeof value === 'object') return [];
  return [String(value)];
}

export function attributesFor(sp: SamlSp, claims: Record<string, unknown>): SamlAttribute[] {
  return Object.entries(sp.settings.attributes).flatMap(([name, claim]) => {
    const values = claimValues(claims[claim]);
    if (!values.length) return [];
    return [{ name, friendlyName: OID_NAMES[name], nameFormat: name.startsWith('urn:') ? URI_FORMAT : BASIC_FORMAT, values }];
  });
}

function authnContext(session: Session): string {
  const amr = session.amr ?? [];
  if (amr.length === 1 && amr[0] === 'pwd') return 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
  return 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified';
}

async function nameIdFor(db: Db, tenant: string, sp: SamlSp, userId: string, claims: Record<string, unknown>): Promise<string> {
  switch (sp.settings.nameIdFormat) {
    case 'email':
      if (typeof claims.email !== 'string' || !claims.email) throw new SamlStatusError(STATUS.invalidNameIdPolicy, 'The account has no email address.');
      return claims.email;
    case 'persistent':
      return persistentNameId(db, tenant, sp.entityId, userId);
    case 'transient':
      return `_${randomBytes(20).toString('hex')}`;
  }
}

const sessionIndexOf = (tenant: string, ssoId: string, entityId: string) =>
  `_${createHash('sha256').update(`${tenant}\n${ssoId}\n${entityId}`).digest('hex').slice(0, 40)}`;

async function encrypt(xml: string, encryptionCert: string): Promise<string> {
  const source = { entitySetting: { isAssertionEncrypted: true, dataEncryptionAlgorithm: AES256_GCM, keyEncryptionAlgorithm: RSA_OAEP, tagPrefix: { encryptedAssertion: 'saml' } } };
  const target = { entityMeta: { getX509Certificate: () => encryptionCert } };
  const base64 = await saml().SamlLib.encryptAssertion(source as never, target as never, xml);
  return Buffer.from(base64, 'base64').toString('utf8');
}

export interface LoginAnswer {
  db: Db; tenant: string; issuer: string; credentials: SamlCredentials;
  sp: SamlSp; acsUrl: string; requestId?: string; session: Session; claims: Record<string, unknown>;
}

/** The Response XML for this user at this SP. @throws SamlStatusError */
export async function loginResponse(a: LoginAnswer): Promise<string> {
  const { sp, session } = a;
  const nameId = await nameIdFor(a.db, a.tenant, sp, session.userId, a.claims);
  const nameIdFormat = NAME_ID_FORMATS[sp.settings.nameIdFormat];
  const sessionIndex = sessionIndexOf(a.tenant, session.ssoId, sp.entityId);
  let xml = successResponseXml({
    issuer: a.issuer, destination: a.acsUrl, inResponseTo: a.requestId, audience: sp.entityId, nameId, nameIdFormat, sessionIndex,
    authnInstant: session.authTime, authnContextClassRef: authnContext(session), attributes: attributesFor(sp, a.claims),
    now: new Date(), lifetimeMs: LIFETIME_MS,
  });
  if (sp.settings.signAssertion) xml = signElement(xml, ASSERTION_XPATH, a.credentials);
  if (sp.settings.encryptAssertion && sp.encryptionCert) xml = await encrypt(xml, sp.encryptionCert);
  if (sp.settings.signResponse) xml = signElement(xml, RESPONSE_XPATH, a.credentials);
  await recordSessionSp(a.db, a.tenant, session.ssoId, { entityId: sp.entityId, userId: session.userId, nameId, nameIdFormat, sessionIndex });
  return xml;
}

/** An error Response (signed when the SP's responses are). */
export function errorResponse(sp: SamlSp, credentials: SamlCredentials, s: StatusInput): string {
  const xml = errorResponseXml(s);
  return sp.settings.signResponse ? signElement(xml, RESPONSE_XPATH, credentials) : xml;
}

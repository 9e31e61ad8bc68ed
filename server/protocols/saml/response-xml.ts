// The XML of what the IdP sends: a Response (success with one Assertion, or an error status), a
// LogoutResponse. Every value is XML-escaped where it is written, so a claim carrying markup
// (`<x>a</x>`) comes out as text and never as elements or attributes.
import { randomBytes } from 'node:crypto';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const xmlEscape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** An xs:ID: starts with a letter or underscore. */
export const newSamlId = () => `_${randomBytes(20).toString('hex')}`;

const NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';
export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  invalidNameIdPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
} as const;

export interface SamlAttribute { name: string; friendlyName?: string; nameFormat: string; values: string[] }

export interface AssertionInput {
  issuer: string;
  destination: string;
  inResponseTo?: string;
  audience: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  authnInstant: Date;
  authnContextClassRef: string;
  attributes: SamlAttribute[];
  now: Date;
  lifetimeMs: number;
}

const attr = (name: string, value: string | undefined) => (value === undefined ? '' : ` ${name}="${xmlEscape(value)}"`);
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function statusXml(code: string, second?: string, message?: string): string {
  const inner = second ? `<samlp:StatusCode Value="${second}"/>` : '';
  return `<samlp:Status><samlp:StatusCode Value="${code}">${inner}</samlp:StatusCode>${
    message ? `<samlp:StatusMessage>${xmlEscape(message)}</samlp:StatusMessage>` : ''}</samlp:Status>`;
}

function attributeXml(a: SamlAttribute): string {
  const values = a.values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlEscape(v)}</saml:AttributeValue>`).join('');
  return `<saml:Attribute${attr('Name', a.name)}${attr('FriendlyName', a.friendlyName)}${attr('NameFormat', a.nameFormat)}>${values}</saml:Attribute>`;
}

/** A successful Response with one (unsigned, unencrypted) Assertion. */
export function successResponseXml(a: AssertionInput): string {
  const now = iso(a.now);
  const until = iso(new Date(a.now.getTime() + a.lifetimeMs));
  const attributes = a.attributes.length
    ? `<saml:AttributeStatement xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${
      a.attributes.map(attributeXml).join('')}</saml:AttributeStatement>`
    : '';
  return `<samlp:Response ${NS} ID="${newSamlId()}" Version="2.0" IssueInstant="${now}"${attr('Destination', a.destination)}${
    attr('InResponseTo', a.inResponseTo)}>`
    + `<saml:Issuer>${xmlEscape(a.issuer)}</saml:Issuer>${statusXml(STATUS.success)}`
    + `<saml:Assertion ID="${newSamlId()}" Version="2.0" IssueInstant="${now}">`
    + `<saml:Issuer>${xmlEscape(a.issuer)}</saml:Issuer>`
    + `<saml:Subject><saml:NameID${attr('Format', a.nameIdFormat)}>${xmlEscape(a.nameId)}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${
      attr('NotOnOrAfter', until)}${attr('Recipient', a.destination)}${attr('InResponseTo', a.inResponseTo)}/></saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${now}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${
      xmlEscape(a.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${iso(a.authnInstant)}"${attr('SessionIndex', a.sessionIndex)}>`
    + `<saml:AuthnContext><saml:AuthnContextClassRef>${xmlEscape(a.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    + `${attributes}</saml:Assertion></samlp:Response>`;
}

export interface StatusInput { issuer: string; destination: string; inResponseTo?: string; code: string; second?: string; message?: string }

/** A Response carrying only an error status (no assertion). */
export function errorResponseXml(s: StatusInput): string {
  return `<samlp:Response ${NS} ID="${newSamlId()}" Version="2.0" IssueInstant="${iso(new Date())}"${attr('Destination', s.destination)}${
    attr('InResponseTo', s.inResponseTo)}><saml:Issuer>${xmlEscape(s.issuer)}</saml:Issuer>${statusXml(s.code, s.second, s.message)}</samlp:Response>`;
}

export function logoutResponseXml(s: StatusInput): string {
  return `<samlp:LogoutResponse ${NS} ID="${newSamlId()}" Version="2.0" IssueInstant="${iso(new Date())}"${attr('Destination', s.destination)}${
    attr('InResponseTo', s.inResponseTo)}><saml:Issuer>${xmlEscape(s.issuer)}</saml:Issuer>${statusXml(s.code, s.second, s.message)}</samlp:LogoutResponse>`;
}

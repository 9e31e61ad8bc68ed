// The checks on a signed SAML Assertion (and its Response) that make it an answer to our request,
// for us, now (SAML 2.0 Web Browser SSO profile, §4.1.4.2–3). Rules:
// - Issuer = the IdP's entity id (the Response's too, when it names one);
// - Response Destination (when present) and a bearer SubjectConfirmationData Recipient = our ACS;
// - InResponseTo = the AuthnRequest we sent (required: no unsolicited responses), on the
//   SubjectConfirmationData and on the Response when present;
// - every AudienceRestriction names our SP entity id, and there is one;
// - NotBefore / NotOnOrAfter (Conditions, SubjectConfirmationData, SessionNotOnOrAfter) against
//   the clock with at most 60 s of skew;
// - the subject is a NameID (EncryptedID and BaseID are not supported), read as its full text.
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { NS, attr, childElement, childElements, textOf } from './saml-xml.ts';

export const CLOCK_SKEW_MS = 60_000;
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface Expected {
  idpEntityId: string;
  acs: string;
  spEntityId: string;
  requestId: string | undefined;
  now: Date;
}

export interface AcceptedAssertion {
  id: string;
  /** Until when a replay must be recognised. */
  keepUntil: Date;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  /** The AttributeStatement(s): name → values. */
  attributes: Map<string, string[]>;
}

function time(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(ms)) throw new UpstreamError('invalid_xml', 'The SAML assertion has an invalid time.');
  return ms;
}

function checkWindow(notBefore: string | undefined, notOnOrAfter: string | undefined, now: number): void {
  const from = time(notBefore);
  const until = time(notOnOrAfter);
  if (from !== undefined && now + CLOCK_SKEW_MS < from) throw new UpstreamError('not_yet_valid', 'The SAML assertion is not valid yet.');
  if (until !== undefined && now - CLOCK_SKEW_MS >= until) throw new UpstreamError('expired', 'The SAML assertion has expired.');
}

function checkIssuer(el: Element, expected: string, required: boolean): void {
  const issuer = childElement(el, NS.assertion, 'Issuer');
  if (!issuer ? required : textOf(issuer) !== expected) throw new UpstreamError('wrong_issuer', 'The SAML response comes from another issuer.');
}

function checkInResponseTo(value: string | undefined, expected: string | undefined): void {
  if (!expected || value !== expected) throw new UpstreamError('wrong_in_response_to', 'The SAML response does not answer our request.');
}

/** The bearer confirmation that fits; otherwise the refusal of the first one. */
function checkSubjectConfirmation(subject: Element, expected: Expected): number | undefined {
  const now = expected.now.getTime();
  let refusal: UpstreamError | undefined;
  for (const confirmation of childElements(subject, NS.assertion, 'SubjectConfirmation')) {
    if (attr(confirmation, 'Method') !== BEARER) continue;
    try {
      const data = childElement(confirmation, NS.assertion, 'SubjectConfirmationData');
      if (!data) throw new UpstreamError('wrong_recipient', 'The SAML assertion names no recipient.');
      if (attr(data, 'Recipient') !== expected.acs) throw new UpstreamError('wrong_recipient', 'The SAML assertion is for another recipient.');
      checkInResponseTo(attr(data, 'InResponseTo'), expected.requestId);
      if (!attr(data, 'NotOnOrAfter')) throw new UpstreamError('expired', 'The SAML assertion has no expiry.');
      checkWindow(attr(data, 'NotBefore'), attr(data, 'NotOnOrAfter'), now);
      return time(attr(data, 'NotOnOrAfter'));
    } catch (error) {
      refusal ??= error as UpstreamError;
    }
  }
  throw refusal ?? new UpstreamError('wrong_recipient', 'The SAML assertion has no bearer confirmation.');
}

function checkConditions(assertion: Element, expected: Expected): number | undefined {
  const conditions = childElement(assertion, NS.assertion, 'Conditions');
  const restrictions = conditions ? childElements(conditions, NS.assertion, 'AudienceRestriction') : [];
  if (!restrictions.length || !restrictions.every((r) => childElements(r, NS.assertion, 'Audience').some((a) => textOf(a) === expected.spEntityId))) {
    throw new UpstreamError('wrong_audience', 'The SAML assertion is meant for another audience.');
  }
  checkWindow(attr(conditions!, 'NotBefore'), attr(conditions!, 'NotOnOrAfter'), expected.now.getTime());
  return time(attr(conditions!, 'NotOnOrAfter'));
}

function attributesOf(assertion: Element): Map<string, string[]> {
  const attributes = new Map<string, string[]>();
  for (const statement of childElements(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attribute of childElements(statement, NS.assertion, 'Attribute')) {
      const name = attr(attribute, 'Name');
      if (!name) continue;
      const values = childElements(attribute, NS.assertion, 'AttributeValue').map(textOf);
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  return attributes;
}

/** @throws UpstreamError wrong_issuer | wrong_destination | wrong_recipient | wrong_in_response_to | wrong_audience | expired | not_yet_valid | no_subject */
export function checkAssertion(response: Element, assertion: Element, expected: Expected): AcceptedAssertion {
  checkIssuer(assertion, expected.idpEntityId, true);
  checkIssuer(response, expected.idpEntityId, false);
  const destination = attr(response, 'Destination');
  if (destination !== undefined && destination !== expected.acs) throw new UpstreamError('wrong_destination', 'The SAML response was sent to another destination.');
  const responseInResponseTo = attr(response, 'InResponseTo');
  if (responseInResponseTo !== undefined) checkInResponseTo(responseInResponseTo, expected.requestId);

  const subject = childElement(assertion, NS.assertion, 'Subject');
  const nameId = subject && childElement(subject, NS.assertion, 'NameID');
  const nameIdText = nameId && textOf(nameId);
  if (!subject || !nameId || !nameIdText) throw new UpstreamError('no_subject', 'The SAML assertion names no subject.');
  const confirmedUntil = checkSubjectConfirmation(subject, expected);
  const validUntil = checkConditions(assertion, expected);

  const authn = childElements(assertion, NS.assertion, 'AuthnStatement')[0];
  if (authn) checkWindow(undefined, attr(authn, 'SessionNotOnOrAfter'), expected.now.getTime());
  const id = attr(assertion, 'ID');
  if (!id) throw new UpstreamError('invalid_xml', 'The SAML assertion has no ID.');
  const until = Math.max(confirmedUntil ?? 0, validUntil ?? 0, expected.now.getTime()) + CLOCK_SKEW_MS;
  return {
    id,
    keepUntil: new Date(until),
    nameId: nameIdText,
    nameIdFormat: attr(nameId, 'Format'),
    sessionIndex: authn ? attr(authn, 'SessionIndex') : undefined,
    attributes: attributesOf(assertion),
  };
}

// What the webauthn module is configured with, shows and accepts: its config schema, the relying
// party (derived from PUBLIC_URL, never from the request), the challenge it keeps in the journey,
// the step it shows, the credential JSON it parses, and the AMR values a verified assertion earns.
import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Field, StepError, StepSpec } from '../../core/journeys/journey-types.ts';

/** A challenge is refused after this long, even if the step is still shown. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Bytes of randomness in a challenge: 256 bits. */
export const CHALLENGE_BYTES = 32;
/**
 * COSE algorithms a new credential may use: EdDSA, ES256, RS256. Not ML-DSA, which the library
 * offers first when the runtime has it: Node's ML-DSA is still experimental, and its keys and
 * signatures are kilobytes.
 */
export const ALGORITHMS = [-8, -7, -257];

export const webauthnConfig = z.object({
  mode: z.enum(['register', 'authenticate']),
  /** Authenticate without a known user: any discoverable credential of the tenant. */
  usernameless: z.boolean().default(false),
  userVerification: z.enum(['required', 'preferred', 'discouraged']).default('preferred'),
  attachment: z.enum(['platform', 'cross-platform']).optional(),
}).strict().refine((c) => !(c.usernameless && c.mode === 'register'), {
  message: 'usernameless applies to mode "authenticate" only', path: ['usernameless'],
});
export type WebauthnConfig = z.infer<typeof webauthnConfig>;

/** `none`: a known user has no passkey (only when the node is not usernameless). */
export function webauthnOutcomes(config: WebauthnConfig): string[] {
  return config.mode === 'authenticate' && !config.usernameless ? ['ok', 'bad', 'none'] : ['ok', 'bad'];
}

export interface RelyingParty { id: string; origin: string }

export function relyingParty(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin };
}

/** What the node keeps in the journey between showing the step and verifying the answer. */
export interface IssuedChallenge { challenge: string; issuedAt: number }

/** Workers' clocks may differ this much (prepare and verify can run on different machines). */
const CLOCK_SKEW_MS = 60_000;

export function issuedChallenge(state: unknown, now: number): IssuedChallenge | undefined {
  const s = state as Partial<IssuedChallenge> | undefined;
  if (typeof s?.challenge !== 'string' || typeof s.issuedAt !== 'number') return undefined;
  return now - s.issuedAt <= CHALLENGE_TTL_MS && s.issuedAt - now <= CLOCK_SKEW_MS ? (s as IssuedChallenge) : undefined;
}

/** WebAuthn user handles are the UTF-8 bytes of the user's id (no personal data). */
export function userHandleBytes(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

export function userHandleOf(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}

export const CREDENTIAL_FIELD: Field = { name: 'credential', type: 'hidden', label: 'Passkey', required: true, maxLength: 16384 };

export function webauthnStep(type: 'webauthn.create' | 'webauthn.get', options: object): StepSpec {
  const create = type === 'webauthn.create';
  return {
    type,
    title: create ? 'Create a passkey' : 'Sign in with a passkey',
    description: create
      ? 'A passkey lets you sign in with your fingerprint, face, screen lock or security key instead of a password.'
      : 'Use the passkey saved on this device or on your security key.',
    options: options as Record<string, unknown>,
    fields: [CREDENTIAL_FIELD],
  };
}

export const REGISTRATION_FAILED: StepError = { code: 'passkey_not_saved', message: 'The passkey could not be saved. Please try again.' };
export const AUTHENTICATION_FAILED: StepError = { code: 'passkey_failed', message: 'That passkey could not be verified. Please try again.' };

const b64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/);
const credentialBase = {
  id: b64url(1400),
  rawId: b64url(1400),
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};
const registrationSchema = z.looseObject({
  ...credentialBase,
  response: z.looseObject({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(12000),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
});
const authenticationSchema = z.looseObject({
  ...credentialBase,
  response: z.looseObject({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(4096),
    signature: b64url(2048),
    userHandle: b64url(128).optional(),
  }),
});

function parseJson(raw: string | undefined): unknown {
  try {
    return raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The submitted registration credential, or undefined when it is not one. */
export function parseRegistration(raw: string | undefined): RegistrationResponseJSON | undefined {
  const parsed = registrationSchema.safeParse(parseJson(raw));
  return parsed.success ? (parsed.data as unknown as RegistrationResponseJSON) : undefined;
}

/** The submitted assertion, or undefined when it is not one. */
export function parseAuthentication(raw: string | undefined): AuthenticationResponseJSON | undefined {
  const parsed = authenticationSchema.safeParse(parseJson(raw));
  return parsed.success ? (parsed.data as unknown as AuthenticationResponseJSON) : undefined;
}

/**
 * AMR (RFC 8176) for a verified assertion: `hwk`, proof of possession of a key held by an
 * authenticator; plus `user` when the authenticator verified the user (PIN or biometric: the UV
 * flag). RFC 8176 has no value for "verified by the authenticator, method unknown"; we use `user`
 * only then, so that a passkey with UV (possession + verification) carries two values and the
 * journey adds `mfa`, while a bare security-key tap stays single-factor.
 */
export function amrFor(userVerified: boolean): string[] {
  return userVerified ? ['hwk', 'user'] : ['hwk'];
}

/** A verification error as operators may read it: the library's sentence without quoted values. */
export function redactReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/"[^"]*"/g, '"…"').replace(/\b[A-Za-z0-9_-]{20,}\b/g, '…').slice(0, 200);
}

// webauthn: registers a passkey for the journey's user, or authenticates with one (also
// usernameless, with discoverable credentials). Rules:
// - rpId and origin come from PUBLIC_URL; responses for another origin or rpId are refused.
// - Each step gets a fresh 256-bit challenge kept in the journey (nodeState); it is cleared after
//   one verification, whatever its result (a replayed assertion meets no challenge), and refused
//   after CHALLENGE_TTL_MS.
// - Registration needs a known user and excludes the user's existing credentials.
// - Authentication: the credential must exist in this tenant and belong to the journey's user if
//   one is known; a userHandle must name the credential's owner (and is required usernameless);
//   UV is required when the node says so; the signature counter must move forward (0 → 0 allowed),
//   a regression is refused and audited, and the new counter is stored only after verification.
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { getTenant } from '../../core/tenants/tenants.ts';
import { getUser } from '../../core/accounts/users.ts';
import type { VerifyResult } from '../../core/journeys/journey-context.ts';
import { findCredential, listCredentials, recordCredentialUse, saveCredential } from '../../core/accounts/webauthn-credentials.ts';
import { defineModule, type ModuleCallOf, type ModuleDeps } from './module.ts';
import {
  ALGORITHMS, AUTHENTICATION_FAILED, CHALLENGE_BYTES, CHALLENGE_TTL_MS, REGISTRATION_FAILED, amrFor, issuedChallenge, parseAuthentication,
  parseRegistration, redactReason, relyingParty, userHandleBytes, userHandleOf, webauthnConfig, webauthnOutcomes, webauthnStep,
  type WebauthnConfig,
} from './webauthn-options.ts';

type Call = ModuleCallOf<WebauthnConfig>;

async function refuse(call: Call, deps: ModuleDeps, reason: string, detail?: string): Promise<VerifyResult> {
  const { ctx, node, attempt, config } = call;
  await deps.audit({
    tenant: ctx.tenant, type: 'webauthn.failed', subject: ctx.user?.id, journeyId: ctx.journeyId,
    dedupeKey: `webauthn-failed:${ctx.journeyId}:${node}#${attempt}`,
    data: { node, mode: config.mode, reason, ...(detail ? { detail } : {}), ip: ctx.request.ip ?? null },
  });
  return { outcome: 'bad', patch: { nodeState: null }, errors: [config.mode === 'register' ? REGISTRATION_FAILED : AUTHENTICATION_FAILED] };
}

async function register(call: Call, credential: string | undefined, challenge: string, deps: ModuleDeps): Promise<VerifyResult> {
  const { ctx, node, config } = call;
  const user = ctx.user;
  const response = parseRegistration(credential);
  if (!user) return refuse(call, deps, 'no_user');
  if (!response) return refuse(call, deps, 'malformed_credential');
  const rp = relyingParty(deps.config.publicUrl);
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id,
      requireUserVerification: config.userVerification === 'required', supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch (err) {
    return refuse(call, deps, 'rejected', redactReason(err));
  }
  if (!verified.verified) return refuse(call, deps, 'rejected');
  const info = verified.registrationInfo;
  const saved = await saveCredential(deps.db, {
    tenant: ctx.tenant, id: info.credential.id, userId: user.id, publicKey: info.credential.publicKey,
    counter: info.credential.counter, transports: (info.credential.transports ?? []).slice(0, 10),
    deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp, aaguid: info.aaguid,
  });
  if (!saved) return refuse(call, deps, 'credential_in_use');
  await deps.audit({
    tenant: ctx.tenant, type: 'webauthn.registered', subject: user.id, journeyId: ctx.journeyId,
    dedupeKey: `webauthn-registered:${ctx.journeyId}:${info.credential.id}`,
    data: { node, credentialId: info.credential.id, aaguid: info.aaguid, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp, userVerified: info.userVerified },
  });
  return { outcome: 'ok', patch: { nodeState: null } };
}

async function authenticate(call: Call, credential: string | undefined, challenge: string, deps: ModuleDeps): Promise<VerifyResult> {
  const { ctx, config } = call;
  const response = parseAuthentication(credential);
  if (!response) return refuse(call, deps, 'malformed_credential');
  const stored = await findCredential(deps.db, ctx.tenant, response.id);
  if (!stored) return refuse(call, deps, 'unknown_credential');
  if (ctx.user && stored.userId !== ctx.user.id) return refuse(call, deps, 'credential_of_another_user');
  const handle = response.response.userHandle;
  if (handle === undefined ? !ctx.user : handle !== userHandleOf(stored.userId)) return refuse(call, deps, 'user_handle_mismatch');
  const rp = relyingParty(deps.config.publicUrl);
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id,
      // Counter 0 turns off the library's own counter check: ours below runs only for a valid
      // signature, and records (and audits) a regression.
      credential: { id: stored.id, publicKey: stored.publicKey, counter: 0, transports: stored.transports },
      requireUserVerification: config.userVerification === 'required',
    });
  } catch (err) {
    return refuse(call, deps, 'rejected', redactReason(err));
  }
  if (!verified.verified) return refuse(call, deps, 'bad_signature');
  const info = verified.authenticationInfo;
  const moved = await recordCredentialUse(deps.db, ctx.tenant, stored.id, { counter: info.newCounter, backedUp: info.credentialBackedUp, challenge, at: deps.now() });
  if (!moved) {
    await deps.audit({
      tenant: ctx.tenant, type: 'webauthn.counter_regression', subject: stored.userId, journeyId: ctx.journeyId,
      dedupeKey: `webauthn-counter:${ctx.journeyId}:${challenge}`,
      data: { node: call.node, credentialId: stored.id, storedCounter: stored.counter, receivedCounter: info.newCounter, ip: ctx.request.ip ?? null },
    });
    return { outcome: 'bad', patch: { nodeState: null }, errors: [AUTHENTICATION_FAILED] };
  }
  const user = await getUser(deps.db, ctx.tenant, stored.userId);
  if (!user) return refuse(call, deps, 'unknown_user');
  return {
    outcome: 'ok',
    patch: { user: { id: user.id, username: user.username, status: user.status }, login: ctx.login ?? user.username, amr: amrFor(info.userVerified), nodeState: null },
  };
}

export const webauthnModule = defineModule({
  type: 'webauthn',
  config: webauthnConfig,
  outcomes: webauthnOutcomes,
  // A passkey sign-in (not a registration) proves what its assertion would: hwk, and user with UV.
  proves: (config) => (config.mode === 'authenticate' ? amrFor(config.userVerification === 'required') : []),
  async prepare({ ctx, config }, { db, config: app, now }) {
    const rp = relyingParty(app.publicUrl);
    const challenge = new Uint8Array(randomBytes(CHALLENGE_BYTES));
    const mine = ctx.user ? await listCredentials(db, ctx.tenant, ctx.user.id) : [];
    const descriptors = mine.map((c) => ({ id: c.id, transports: c.transports }));
    if (config.mode === 'register') {
      if (!ctx.user) return { kind: 'outcome', outcome: 'bad', patch: { nodeState: null } };
      const tenant = await getTenant(db, ctx.tenant);
      const options = await generateRegistrationOptions({
        rpName: tenant?.name ?? ctx.tenant, rpID: rp.id, userName: ctx.user.username, userID: userHandleBytes(ctx.user.id),
        challenge, timeout: CHALLENGE_TTL_MS, attestationType: 'none', excludeCredentials: descriptors, supportedAlgorithmIDs: ALGORITHMS,
        authenticatorSelection: {
          residentKey: 'required', requireResidentKey: true, userVerification: config.userVerification,
          ...(config.attachment ? { authenticatorAttachment: config.attachment } : {}),
        },
      });
      return { kind: 'step', step: webauthnStep('webauthn.create', options), patch: { nodeState: { challenge: options.challenge, issuedAt: now().getTime() } } };
    }
    if (!config.usernameless && descriptors.length === 0) return { kind: 'outcome', outcome: 'none', patch: { nodeState: null } };
    const options = await generateAuthenticationOptions({
      rpID: rp.id, challenge, timeout: CHALLENGE_TTL_MS, userVerification: config.userVerification, allowCredentials: descriptors,
    });
    return { kind: 'step', step: webauthnStep('webauthn.get', options), patch: { nodeState: { challenge: options.challenge, issuedAt: now().getTime() } } };
  },
  async verify(call, values, deps) {
    const issued = issuedChallenge(call.ctx.nodeState[call.node], deps.now().getTime());
    if (!issued) return refuse(call, deps, 'challenge_expired');
    return call.config.mode === 'register'
      ? register(call, values.credential, issued.challenge, deps)
      : authenticate(call, values.credential, issued.challenge, deps);
  },
});

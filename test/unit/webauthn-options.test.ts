// The webauthn module's pure parts: config, outcomes, relying party, challenge expiry, the
// credential JSON it accepts, AMR, and what of a library error may reach the audit log.
import { describe, expect, it } from 'vitest';
import {
  CHALLENGE_TTL_MS, amrFor, issuedChallenge, parseAuthentication, parseRegistration, redactReason, relyingParty, userHandleOf,
  webauthnConfig, webauthnOutcomes,
} from '../../activities/modules/webauthn-options.ts';

describe('webauthn config', () => {
  it('defaults to preferred UV and a known user', () => {
    expect(webauthnConfig.parse({ mode: 'authenticate' })).toEqual({ mode: 'authenticate', usernameless: false, userVerification: 'preferred' });
  });

  it('refuses usernameless registration, unknown keys and unknown values', () => {
    for (const bad of [
      { mode: 'register', usernameless: true },
      { mode: 'authenticate', userVerification: 'always' },
      { mode: 'login' },
      { mode: 'register', attachment: 'usb' },
      { mode: 'register', rpId: 'evil.example' },
      {},
    ]) expect(webauthnConfig.safeParse(bad).success).toBe(false);
  });

  it('has a `none` outcome only for a known user who may have no passkey', () => {
    const outcomes = (c: object) => webauthnOutcomes(webauthnConfig.parse(c));
    expect(outcomes({ mode: 'authenticate' })).toEqual(['ok', 'bad', 'none']);
    expect(outcomes({ mode: 'authenticate', usernameless: true })).toEqual(['ok', 'bad']);
    expect(outcomes({ mode: 'register' })).toEqual(['ok', 'bad']);
  });
});

describe('relying party', () => {
  it('is the host name and origin of PUBLIC_URL, whatever its path or port', () => {
    expect(relyingParty('https://id.example.com:8443/auth')).toEqual({ id: 'id.example.com', origin: 'https://id.example.com:8443' });
    expect(relyingParty('http://localhost:3000')).toEqual({ id: 'localhost', origin: 'http://localhost:3000' });
  });
});

describe('challenges', () => {
  const at = 1_700_000_000_000;
  it('are valid for five minutes after they were issued, allowing a minute of clock skew before', () => {
    const issued = { challenge: 'abc', issuedAt: at };
    expect(issuedChallenge(issued, at)).toEqual(issued);
    expect(issuedChallenge(issued, at + CHALLENGE_TTL_MS)).toEqual(issued);
    expect(issuedChallenge(issued, at + CHALLENGE_TTL_MS + 1)).toBeUndefined();
    expect(issuedChallenge(issued, at - 60_000)).toEqual(issued);
    expect(issuedChallenge(issued, at - 60_001)).toBeUndefined();
  });

  it('are absent when the node state holds none (cleared after use) or something else', () => {
    for (const state of [undefined, null, {}, { challenge: 'abc' }, { challenge: 1, issuedAt: at }, 'abc']) {
      expect(issuedChallenge(state, at)).toBeUndefined();
    }
  });
});

describe('credential JSON', () => {
  const registration = {
    id: 'AAEC', rawId: 'AAEC', type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
    response: { clientDataJSON: 'eyJ9', attestationObject: 'o2Nm', transports: ['internal'], publicKeyAlgorithm: -7 },
  };
  const assertion = {
    id: 'AAEC', rawId: 'AAEC', type: 'public-key', clientExtensionResults: {},
    response: { clientDataJSON: 'eyJ9', authenticatorData: 'SZYN', signature: 'MEUC', userHandle: userHandleOf('u-1') },
  };

  it('accepts what @simplewebauthn/browser sends, extra members included', () => {
    expect(parseRegistration(JSON.stringify(registration))).toMatchObject(registration);
    expect(parseAuthentication(JSON.stringify(assertion))).toMatchObject(assertion);
    const { userHandle: _, ...noHandle } = assertion.response;
    expect(parseAuthentication(JSON.stringify({ ...assertion, response: noHandle }))).toBeDefined();
  });

  it('refuses anything else', () => {
    const bad = [
      undefined, '', 'not json', 'null', '[]', JSON.stringify({ ...assertion, type: 'password' }),
      JSON.stringify({ ...assertion, id: 'a+b/' }), JSON.stringify({ ...assertion, id: 'A'.repeat(1401) }),
      JSON.stringify({ ...assertion, response: { ...assertion.response, signature: undefined } }),
      JSON.stringify({ ...assertion, response: { ...assertion.response, userHandle: 42 } }),
    ];
    for (const raw of bad) expect(parseAuthentication(raw)).toBeUndefined();
    expect(parseRegistration(JSON.stringify(assertion))).toBeUndefined();
    expect(parseAuthentication(JSON.stringify(registration))).toBeUndefined();
  });
});

describe('AMR and audit text', () => {
  it('grants hwk, plus user when the authenticator verified the user', () => {
    expect(amrFor(false)).toEqual(['hwk']);
    expect(amrFor(true)).toEqual(['hwk', 'user']);
  });

  it('keeps library errors readable without the values they quote', () => {
    const reason = redactReason(new Error('Unexpected authentication response challenge "c2VjcmV0LWNoYWxsZW5nZS12YWx1ZQ", expected "b3RoZXItY2hhbGxlbmdlLXZhbHVl"'));
    expect(reason).toBe('Unexpected authentication response challenge "…", expected "…"');
    expect(redactReason(new Error('Unexpected RP ID hash'))).toBe('Unexpected RP ID hash');
  });
});

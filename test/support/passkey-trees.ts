// The tree the passkey tests share: sign in with a password, then register a passkey.
import type { Tree } from '../../core/journeys/tree-types.ts';

export function passkeyRegistrationTree(name: string): Tree {
  return {
    name, start: 'identify',
    nodes: {
      identify: { type: 'username', next: { ok: 'password' } },
      password: { type: 'password', next: { ok: 'passkey', bad: 'password' } },
      passkey: { type: 'webauthn', config: { mode: 'register', userVerification: 'required' }, next: { ok: 'success', bad: 'passkey' } },
    },
  };
}

// A software WebAuthn client + authenticator for tests: ES256 keys from node:crypto, CBOR from
// @simplewebauthn/server/helpers. It answers a webauthn step's options the way a browser and a
// passkey would, and lets a test send what a broken or hostile client would: another origin or
// rpId, no UV, an old counter, another user's handle, a forged signature.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

export interface SoftCredential { id: string; privateKey: KeyObject; cose: Uint8Array; userHandle: string; counter: number }

export interface Tamper {
  origin?: string;
  rpId?: string;
  challenge?: string;
  /** User verified (default true) and present (default true). */
  uv?: boolean;
  up?: boolean;
  /** The counter to report instead of the next one. */
  counter?: number;
  /** The userHandle to report; null leaves it out. */
  userHandle?: string | null;
  badSignature?: boolean;
}

const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

function authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

function flagsOf(t: Tamper, extra = 0): number {
  return (t.up === false ? 0 : 0x01) | (t.uv === false ? 0 : 0x04) | extra;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly origin: string;
  readonly rpId: string;

  constructor(publicUrl: string) {
    this.origin = new URL(publicUrl).origin;
    this.rpId = new URL(publicUrl).hostname;
  }

  /** Answers `webauthn.create` options (a PublicKeyCredentialCreationOptionsJSON). */
  create(options: any, t: Tamper = {}): { credential: SoftCredential; response: Record<string, unknown> } {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))], [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]));
    const id = randomBytes(16);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, id, cose]);
    const data = authData(t.rpId ?? this.rpId, flagsOf(t, 0x40), 0, attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(data)]]) as never);
    const clientData = JSON.stringify({ type: 'webauthn.create', challenge: t.challenge ?? options.challenge, origin: t.origin ?? this.origin, crossOrigin: false });
    const credential: SoftCredential = { id: b64(id), privateKey, cose, userHandle: options.user.id, counter: 0 };
    this.credentials.push(credential);
    return {
      credential,
      response: {
        id: credential.id, rawId: credential.id, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64(Buffer.from(clientData)), attestationObject: b64(attestationObject), transports: ['internal'] },
      },
    };
  }

  /** Answers `webauthn.get` options with `credential` (default: the first one this authenticator made). */
  get(options: any, credential = this.credentials[0]!, t: Tamper = {}): Record<string, unknown> {
    const counter = t.counter ?? ++credential.counter;
    const data = authData(t.rpId ?? this.rpId, flagsOf(t), counter);
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: t.challenge ?? options.challenge, origin: t.origin ?? this.origin, crossOrigin: false }));
    let signature = sign('sha256', Buffer.concat([data, sha256(clientData)]), credential.privateKey);
    if (t.badSignature) signature = sign('sha256', Buffer.from('something else'), credential.privateKey);
    const userHandle = t.userHandle === undefined ? credential.userHandle : t.userHandle;
    return {
      id: credential.id, rawId: credential.id, type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64(clientData), authenticatorData: b64(data), signature: b64(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }
}

// A password in front of the embedded PGlite socket, which on its own accepts any user and any
// password. Each new connection first proves it knows the instance's password with
// SCRAM-SHA-256 (RFC 5802/7677, as PostgreSQL does it); only then is the socket handed to
// pglite-socket, with the client's startup message, and PGlite answers as usual. Rules:
// - SSL and GSS encryption requests are declined ('N'), as PostgreSQL without TLS does; cancel
//   requests and anything but SCRAM-SHA-256 without channel binding end the connection;
// - a wrong proof gets PostgreSQL's own FATAL 28P01 and the connection is closed; nothing of the
//   password or the proof is logged;
// - a client has AUTH_TIMEOUT_MS and MAX_AUTH_BYTES to authenticate.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';

const AUTH_TIMEOUT_MS = 10_000;
const MAX_AUTH_BYTES = 16 * 1024;
const ITERATIONS = 4096;
const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const MECHANISM = 'SCRAM-SHA-256';

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function authentication(code: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.alloc(4);
  body.writeInt32BE(code);
  return message('R', Buffer.concat([body, data]));
}

function fatal(code: string, text: string): Buffer {
  const field = (tag: string, value: string) => Buffer.from(`${tag}${value}\0`, 'utf8');
  return message('E', Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])]));
}

/** Reads one length-prefixed message at a time from a socket's data during authentication. */
class Reader {
  #buffer = Buffer.alloc(0);
  #waiting: { typed: boolean; resolve(b: Buffer): void } | undefined;

  readonly socket: Socket;

  constructor(socket: Socket, onOverflow: () => void) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      if (this.#buffer.length > MAX_AUTH_BYTES) return onOverflow();
      this.#drain();
    });
  }

  /** The next message: startup-style (no type byte) or typed; the whole message, header included. */
  next(typed: boolean): Promise<Buffer> {
    return new Promise((resolve) => {
      this.#waiting = { typed, resolve };
      this.#drain();
    });
  }

  #drain(): void {
    const w = this.#waiting;
    if (!w) return;
    const offset = w.typed ? 1 : 0;
    if (this.#buffer.length < offset + 4) return;
    const length = this.#buffer.readInt32BE(offset) + offset;
    if (length < offset + 4 || length > MAX_AUTH_BYTES) {
      this.socket.destroy();
      return;
    }
    if (this.#buffer.length < length) return;
    const whole = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    this.#waiting = undefined;
    w.resolve(whole);
  }

  /** Stops reading: what arrived after the last message (nothing, for a well-behaved client). */
  release(): Buffer {
    this.socket.pause();
    this.socket.removeAllListeners('data');
    return this.#buffer;
  }
}

export interface PasswordGate {
  /** Authenticates `socket`; resolves with the startup message (and anything after it) once it has, or undefined when refused. */
  authenticate(socket: Socket): Promise<Buffer | undefined>;
}

export function passwordGate(password: string): PasswordGate {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256');
  const storedKey = sha256(hmac(salted, 'Client Key'));
  const serverKey = hmac(salted, 'Server Key');

  async function exchange(reader: Reader): Promise<Buffer | undefined> {
    const { socket } = reader;
    let startup = await reader.next(false);
    while (startup.length === 8 && [SSL_REQUEST, GSSENC_REQUEST].includes(startup.readInt32BE(4))) {
      socket.write('N');
      startup = await reader.next(false);
    }
    if (startup.length < 8 || startup.readInt32BE(4) !== PROTOCOL_3) return undefined;
    socket.write(authentication(10, Buffer.from(`${MECHANISM}\0\0`, 'latin1')));

    const initial = await reader.next(true);
    if (initial[0] !== 0x70) return undefined;
    const nameEnd = initial.indexOf(0, 5);
    if (nameEnd < 0 || initial.toString('latin1', 5, nameEnd) !== MECHANISM) return undefined;
    const clientFirst = initial.subarray(nameEnd + 5).toString('utf8');
    const gs2 = /^([ny]),,/.exec(clientFirst);
    const clientFirstBare = clientFirst.slice(gs2?.[0].length ?? 0);
    const clientNonce = /(?:^|,)r=([^,]+)/.exec(clientFirstBare)?.[1];
    if (!gs2 || !clientNonce) return undefined;
    const nonce = clientNonce + randomBytes(18).toString('base64');
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${ITERATIONS}`;
    socket.write(authentication(11, Buffer.from(serverFirst, 'utf8')));

    const response = await reader.next(true);
    if (response[0] !== 0x70) return undefined;
    const clientFinal = response.subarray(5).toString('utf8');
    const proofAt = clientFinal.lastIndexOf(',p=');
    const withoutProof = clientFinal.slice(0, proofAt);
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const binding = Buffer.from(gs2[0], 'utf8').toString('base64');
    if (proofAt < 0 || proof.length !== 32 || !withoutProof.startsWith(`c=${binding},r=${nonce}`)) return refuse(socket);
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]!));
    if (!timingSafeEqual(sha256(clientKey), storedKey)) return refuse(socket);
    socket.write(authentication(12, Buffer.from(`v=${hmac(serverKey, authMessage).toString('base64')}`, 'utf8')));
    return startup;
  }

  function refuse(socket: Socket): undefined {
    socket.end(fatal('28P01', 'password authentication failed'));
    return undefined;
  }

  return {
    async authenticate(socket) {
      let reader: Reader | undefined;
      const closed = new Promise<undefined>((resolve) => {
        socket.once('close', () => resolve(undefined));
        socket.once('error', () => resolve(undefined));
      });
      const timer = setTimeout(() => socket.destroy(), AUTH_TIMEOUT_MS);
      try {
        reader = new Reader(socket, () => socket.destroy());
        const startup = await Promise.race([exchange(reader), closed]);
        if (!startup) {
          if (!socket.destroyed && socket.writable) socket.end();
          return undefined;
        }
        return Buffer.concat([startup, reader.release()]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

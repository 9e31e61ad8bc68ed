// Hands PGlite a client's wire messages a run at a time instead of one by one, and answers each
// run with one socket write. pglite-socket (0.2.17) splits what a client sends into single
// messages and, per message, queues it, waits for it to run, then writes PGlite's answer to the
// socket: a prepared statement from postgres.js (Bind, Execute, Sync in one packet) costs three
// trips through the queue, PGlite's exclusive lock and its file-system sync, and up to three
// writes, each of which on loopback also runs the reader's TCP receive path. PGlite's protocol
// loop takes several messages in one buffer (it runs until the buffer is consumed), so:
// - the complete messages that have arrived are cut into runs; a run ends after Sync, Query,
//   Flush or Terminate (what a client waits on) or where the data ends, and Terminate is always
//   alone (PGlite handles it before its loop);
// - each run is one queue item (pglite-serial-protocol.ts keeps a connection's open sequence
//   together by the run's last message), and its answer is written once, after the run;
// - the startup, SSL and cancel requests (first byte 0: they begin with a length) go through
//   pglite-socket's own handling; an incomplete message waits in the handler's buffer for the
//   next packet.
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { Socket } from 'node:net';

const SYNC = 0x53;
const QUERY = 0x51;
const FLUSH = 0x48;
const TERMINATE = 0x58;
const ENDS_RUN = new Set([SYNC, QUERY, FLUSH, TERMINATE]);

interface HandlerInternals {
  socket: Socket | null;
  active: boolean;
  id: number;
  messageBuffer: Buffer;
  queryQueue: { enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> };
  handleData(data: Buffer): Promise<number>;
}

/** The type of the last message in `run`, a concatenation of complete wire messages. */
export function lastMessageType(run: Uint8Array): number {
  const view = new DataView(run.buffer, run.byteOffset, run.byteLength);
  let at = 0;
  let type = run[0]!;
  while (at + 5 <= run.length) {
    type = run[at]!;
    at += 1 + view.getInt32(at + 1);
  }
  return type;
}

/** The length of the first run of complete messages at the start of `buffer`; 0 when none is complete. */
export function firstRunLength(buffer: Buffer): number {
  let end = 0;
  while (end + 5 <= buffer.length) {
    const type = buffer[end]!;
    const length = 1 + buffer.readInt32BE(end + 1);
    if (length < 5 || end + length > buffer.length) break;
    if (type === TERMINATE && end > 0) break;
    end += length;
    if (ENDS_RUN.has(type)) break;
  }
  return end;
}

let installed = false;

/** Replaces PGLiteSocketHandler's per-message handling for every handler made after this call. */
export function batchWireMessages(): void {
  if (installed) return;
  const proto = PGLiteSocketHandler.prototype as unknown as HandlerInternals;
  const original = proto.handleData;
  if (typeof original !== 'function') throw new Error('pglite-socket internals changed: re-check core/infra/pglite-message-runs.ts');
  installed = true;
  proto.handleData = async function handleData(this: HandlerInternals, data: Buffer): Promise<number> {
    if (!this.socket || !this.active) return 0;
    let buffer = this.messageBuffer.length > 0 ? Buffer.concat([this.messageBuffer, data]) : data;
    if (buffer[0] === 0) {
      this.messageBuffer = Buffer.alloc(0);
      return original.call(this, buffer);
    }
    // Every complete run is queued now, before any await: a second packet handled while these run
    // queues its runs after them, and answers are written as runs finish, in queue order.
    const answers: Promise<number>[] = [];
    for (let end = firstRunLength(buffer); end > 0 && buffer[0] !== 0; end = firstRunLength(buffer)) {
      const run = new Uint8Array(buffer.subarray(0, end));
      buffer = buffer.subarray(end);
      const chunks: Buffer[] = [];
      // PGlite may reuse the memory it hands over: each chunk is copied as it comes.
      answers.push(this.queryQueue.enqueue(this.id, run, (out) => {
        if (out.length > 0) chunks.push(Buffer.from(out));
      }).then((bytes) => {
        const socket = this.socket;
        if (chunks.length > 0 && socket?.writable && this.active) socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        return bytes;
      }));
    }
    this.messageBuffer = buffer.length > 0 ? Buffer.from(buffer) : Buffer.alloc(0);
    let sent = 0;
    let failure: unknown;
    for (const answer of await Promise.allSettled(answers)) {
      if (answer.status === 'fulfilled') sent += answer.value;
      else failure ??= answer.reason;
    }
    if (failure !== undefined) throw failure;
    return sent;
  };
}

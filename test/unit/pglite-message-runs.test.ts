// How the embedded database's socket hands wire messages to PGlite (core/infra/pglite-message-runs.ts):
// a packet's complete messages go as runs ending after Sync, Query, Flush or Terminate, each run
// queued at once and answered with one socket write, in order; an incomplete message waits for the
// next packet; startup-shaped data (first byte 0) goes through pglite-socket's own handling.
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchWireMessages, firstRunLength, lastMessageType } from '../../core/infra/pglite-message-runs.ts';

function message(type: string, payload = ''): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

const bind = message('B', 'portal\0stmt\0');
const execute = message('E', '\0\0\0\0\0');
const sync = message('S');
const flush = message('H');
const terminate = message('X');

interface Handled { runs: string[]; writes: string[] }

/** A handler with a queue that runs one item at a time, as PGlite's does, answering one chunk per message. */
function fakeHandler(delayFor: (run: number) => number = () => 0) {
  const handled: Handled = { runs: [], writes: [] };
  let queue: Promise<unknown> = Promise.resolve();
  const handler = Object.create(PGLiteSocketHandler.prototype) as Record<string, unknown>;
  Object.assign(handler, {
    socket: { writable: true, write: (data: Buffer) => { handled.writes.push(data.toString('latin1')); return true; } },
    active: true,
    id: 7,
    messageBuffer: Buffer.alloc(0),
    queryQueue: {
      enqueue(_id: number, run: Uint8Array, onData: (d: Uint8Array) => void): Promise<number> {
        const index = handled.runs.length;
        const types = [...splitTypes(Buffer.from(run))];
        handled.runs.push(types.join(''));
        const done = queue.then(async () => {
          await new Promise((resolve) => setTimeout(resolve, delayFor(index)));
          for (const type of types) onData(Buffer.from(`<${type}>`, 'latin1'));
          return types.length * 3;
        });
        queue = done;
        return done;
      },
    },
  });
  const handleData = (data: Buffer) => (handler.handleData as (d: Buffer) => Promise<number>).call(handler, data);
  return { handler, handled, handleData };
}

function* splitTypes(run: Buffer): Generator<string> {
  for (let at = 0; at < run.length; at += 1 + run.readInt32BE(at + 1)) yield String.fromCharCode(run[at]!);
}

beforeAll(() => batchWireMessages());

describe('cutting a packet into runs', () => {
  it('ends a run after Sync, Query, Flush or Terminate, and puts Terminate alone', () => {
    expect(firstRunLength(Buffer.concat([bind, execute, sync, bind]))).toBe(bind.length + execute.length + sync.length);
    expect(firstRunLength(Buffer.concat([bind, flush, execute]))).toBe(bind.length + flush.length);
    expect(firstRunLength(Buffer.concat([bind, execute, terminate]))).toBe(bind.length + execute.length);
    expect(firstRunLength(Buffer.concat([terminate, sync]))).toBe(terminate.length);
  });

  it('stops before an incomplete message and at a length that cannot be a message', () => {
    expect(firstRunLength(Buffer.concat([bind, execute.subarray(0, 7)]))).toBe(bind.length);
    expect(firstRunLength(execute.subarray(0, 3))).toBe(0);
    const bad = Buffer.from(bind);
    bad.writeInt32BE(2, 1);
    expect(firstRunLength(bad)).toBe(0);
  });

  it('names the last message of a run', () => {
    expect(String.fromCharCode(lastMessageType(Buffer.concat([bind, execute, sync])))).toBe('S');
    expect(String.fromCharCode(lastMessageType(Buffer.concat([bind, flush])))).toBe('H');
    expect(String.fromCharCode(lastMessageType(bind))).toBe('B');
  });
});

describe('the socket handler', () => {
  it('queues a prepared statement as one run and answers it with one write', async () => {
    const { handled, handleData } = fakeHandler();
    await handleData(Buffer.concat([bind, execute, sync]));
    expect(handled.runs).toEqual(['BES']);
    expect(handled.writes).toEqual(['<B><E><S>']);
  });

  it('queues pipelined statements as runs in order and writes their answers in that order', async () => {
    // All four are queued before the first has run; the first takes longest.
    const { handled, handleData } = fakeHandler((run) => (run === 0 ? 30 : 0));
    const handling = handleData(Buffer.concat([bind, execute, sync, bind, flush, execute, sync, terminate]));
    expect(handled.runs).toEqual(['BES', 'BH', 'ES', 'X']);
    await handling;
    expect(handled.writes).toEqual(['<B><E><S>', '<B><H>', '<E><S>', '<X>']);
  });

  it('keeps an incomplete message for the next packet', async () => {
    const { handler, handled, handleData } = fakeHandler();
    const packet = Buffer.concat([bind, execute, sync]);
    await handleData(packet.subarray(0, bind.length + 3));
    expect(handled.runs).toEqual(['B']);
    expect((handler.messageBuffer as Buffer).length).toBe(3);
    await handleData(packet.subarray(bind.length + 3));
    expect(handled.runs).toEqual(['B', 'ES']);
    expect((handler.messageBuffer as Buffer).length).toBe(0);
  });

  it('writes nothing once the socket is gone, and rejects with the queue', async () => {
    const { handler, handled, handleData } = fakeHandler(() => 10);
    const pending = handleData(Buffer.concat([bind, execute, sync]));
    handler.active = false;
    await pending;
    expect(handled.writes).toEqual([]);
    const failing = fakeHandler();
    (failing.handler.queryQueue as { enqueue: unknown }).enqueue = () => Promise.reject(new Error('Handler disconnected'));
    await expect(failing.handleData(Buffer.concat([bind, sync]))).rejects.toThrow('Handler disconnected');
  });
});

// Makes pglite-socket's multiplexer keep each connection's extended-protocol exchange together.
// Upstream (0.2.17, electric-sql/pglite#1046) queues single wire messages, so one client's
// Parse/Bind/Execute can land between another's Bind and Execute on PGlite's single backend,
// failing with "portal does not exist" or wrong bind parameters. Here the queue serves only the
// connection whose sequence is open (last message not Sync, Query or Terminate) until it ends,
// just as it already does for a connection inside a transaction. It also keeps the ledger of the
// statements each connection prepared by name, and deallocates them when the connection goes
// (pglite-prepared-statements.ts).
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lastMessageType } from './pglite-message-runs.ts';
import { deallocateMessage, PreparedStatementLedger } from './pglite-prepared-statements.ts';

interface QueueItem {
  handlerId: number;
  message: Uint8Array;
  onData(data: Uint8Array): void;
  resolve(bytes: number): void;
  reject(err: unknown): void;
}

interface QueryQueue {
  queue: QueueItem[];
  processing: boolean;
  lastHandlerId: number | null;
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number>;
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

/** Message types that end a request: Sync, simple Query, Terminate; 0 starts a length-only startup message. */
const ENDS_SEQUENCE = new Set([0x53, 0x51, 0x58, 0x00]);
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/** @throws Error when the installed pglite-socket no longer has the internals this relies on. */
export function serializeExtendedProtocol(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function' || typeof queue.enqueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('pglite-socket internals changed: re-check core/infra/pglite-serial-protocol.ts');
  }
  let open: number | null = null;
  const ledger = new PreparedStatementLedger();

  queue.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = open ?? (db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived yet
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await db.runExclusive(() => db.execProtocolRawStream(item.message, {
            onRawData: (data: Uint8Array) => {
              bytes += data.length;
              item.onData(data);
            },
          }));
        } catch (err) {
          item.reject(err);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        // An item is one message (pglite-socket's startup path) or a run of them (pglite-message-runs.ts).
        const last = item.message[0] === 0 ? 0 : lastMessageType(item.message);
        if (last !== 0) ledger.note(item.handlerId, item.message);
        open = ENDS_SEQUENCE.has(last) ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clearTransaction = queue.clearTransactionIfNeeded.bind(queue);
  queue.clearTransactionIfNeeded = async function clear(this: QueryQueue, handlerId: number) {
    if (open === handlerId) {
      // A client that vanished mid-sequence: end its exchange so the others can go on.
      open = null;
      await db.runExclusive(() => db.execProtocolRawStream(SYNC, { onRawData: () => {} }));
    }
    await clearTransaction(handlerId);
    // Queued like any client's query, so none runs inside another connection's open sequence.
    for (const name of ledger.forget(handlerId)) {
      this.enqueue(handlerId, deallocateMessage(name), () => {}).catch(() => {});
    }
    await this.processQueue();
  };
}

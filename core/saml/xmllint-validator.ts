// The main-thread side of the schema validator: documents go to one long-lived worker thread
// (xmllint-worker.ts) that keeps an xmllint instance with the schemas loaded, instead of building
// one per document on the request's thread. Rules:
// - fail closed: when the worker dies, every document in flight is refused (the promise rejects)
//   and the next document starts a fresh worker; a document without an answer within
//   `timeoutMs` is refused and the worker is replaced (it may be stuck on it). The time counts
//   from when the worker is ready (building its instance takes seconds on a busy machine), and a
//   worker not ready within STARTUP_MS is given up the same way;
// - the worker never keeps the process alive (unref'd);
// - answers are xmllint's raw output for the document (interpreted by saml-schema-validator.ts).
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { XmllintAnswer, XmllintJob, XmllintWorkerData } from './xmllint-worker.ts';

const STARTUP_MS = 60_000;

interface Pending { resolve(output: string): void; reject(err: Error): void; timer: NodeJS.Timeout | undefined }

interface Running { worker: Worker; port: MessagePort; posted: Int32Array; pending: Map<number, Pending>; ready: boolean }

export class XmllintValidator {
  readonly #schemas: string[];
  readonly #timeoutMs: number;
  #running: Running | undefined;
  #nextId = 1;

  constructor(schemas: string[], timeoutMs = 10_000) {
    this.#schemas = schemas;
    this.#timeoutMs = timeoutMs;
  }

  /** xmllint's output for `xml`. @throws Error when the worker failed or did not answer in time. */
  validate(xml: string): Promise<string> {
    const running = this.#running ?? this.#start();
    const id = this.#nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = running.ready ? this.#timer(running) : undefined;
      if (running.pending.size === 0) running.port.ref(); // an awaited validation keeps the process alive
      running.pending.set(id, { resolve, reject, timer });
      running.port.postMessage({ id, xml } satisfies XmllintJob);
      Atomics.add(running.posted, 0, 1);
      Atomics.notify(running.posted, 0);
    });
  }

  /** Stops the worker (documents in flight are refused). */
  async close(): Promise<void> {
    const running = this.#running;
    if (running) await this.#stop(running, new Error('schema validator closed'));
  }

  #timer(running: Running): NodeJS.Timeout {
    const timer = setTimeout(() => this.#stop(running, new Error('schema validation timed out')), this.#timeoutMs);
    timer.unref();
    return timer;
  }

  #start(): Running {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const worker = new Worker(new URL('./xmllint-worker.ts', import.meta.url), {
      workerData: { schemas: this.#schemas, port: port2, signal } satisfies XmllintWorkerData,
      transferList: [port2],
      stdout: true, // its output is the library's, never ours: not forwarded
      stderr: true,
    });
    const running: Running = { worker, port: port1, posted: new Int32Array(signal), pending: new Map(), ready: false };
    const startup = setTimeout(() => void this.#stop(running, new Error('schema validator did not start')), STARTUP_MS);
    startup.unref();
    port1.on('message', (message: XmllintAnswer | 'ready') => {
      if (message === 'ready') {
        clearTimeout(startup);
        running.ready = true;
        for (const pending of running.pending.values()) pending.timer = this.#timer(running);
        return;
      }
      const { id, output } = message;
      const pending = running.pending.get(id);
      if (!pending) return;
      running.pending.delete(id);
      clearTimeout(pending.timer);
      if (running.pending.size === 0) running.port.unref();
      pending.resolve(output);
    });
    port1.unref();
    worker.stdout.resume();
    worker.stderr.resume();
    worker.on('error', (err) => void this.#stop(running, new Error(`schema validator failed: ${err.message}`)));
    worker.on('exit', () => void this.#stop(running, new Error('schema validator stopped')));
    worker.unref();
    this.#running = running;
    return running;
  }

  async #stop(running: Running, reason: Error): Promise<void> {
    if (this.#running === running) this.#running = undefined;
    for (const [id, pending] of running.pending) {
      clearTimeout(pending.timer);
      pending.reject(reason);
      running.pending.delete(id);
    }
    running.port.close();
    await running.worker.terminate();
  }
}

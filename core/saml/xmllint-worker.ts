// The worker thread behind xmllint-validator.ts: one xmllint instance (xmllint-instance.ts) after
// another, each validating up to DOCUMENTS_PER_RUN documents against the schemas it was started
// with. The instance runs synchronously inside xmllint's main, so documents are taken off the
// port with receiveMessageOnPort and the thread sleeps in Atomics.wait between them; the main
// thread bumps the shared counter after every message it posts. Answers go back on the same port,
// after a first 'ready' once the first instance is built (loading it takes seconds on a busy machine).
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { runXmllint } from './xmllint-instance.ts';

export interface XmllintJob { id: number; xml: string }
export interface XmllintAnswer { id: number; output: string }
export interface XmllintWorkerData { schemas: string[]; port: MessagePort; signal: SharedArrayBuffer }

const DOCUMENTS_PER_RUN = 5000;

const { schemas, port, signal } = workerData as XmllintWorkerData;
const posted = new Int32Array(signal);
let seen = Atomics.load(posted, 0);
let current = 0;
let ready = false;

/** Blocks until the next job; undefined when told to stop. */
function next(): string | undefined {
  if (!ready) {
    ready = true;
    port.postMessage('ready'); // the instance is built: the main thread starts its timeouts now
  }
  for (;;) {
    const message = receiveMessageOnPort(port)?.message as XmllintJob | 'stop' | undefined;
    if (message === 'stop') return undefined;
    if (message) {
      current = message.id;
      return message.xml;
    }
    const now = Atomics.load(posted, 0);
    if (now !== seen) {
      seen = now;
      continue;
    }
    Atomics.wait(posted, 0, now);
  }
}

const done = (output: string) => port.postMessage({ id: current, output } satisfies XmllintAnswer);

while (runXmllint(schemas, { next, done }, DOCUMENTS_PER_RUN));
port.close();

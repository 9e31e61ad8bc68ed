// One call per test file for the usual set-up: an in-process worker and HTTP server on a task
// queue of the file's own (and Chromium when asked), started before the file's tests and stopped
// after them. Fields other than db and config are filled in by beforeAll.
import { createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { closeBrowser, launchBrowser } from './browser.ts';
import { startServer, startWorker, testConfig, testDb, type RunningServer, type RunningWorker } from './harness.ts';

export interface Stack {
  db: Db;
  config: Config;
  server: RunningServer;
  worker: RunningWorker;
  browser: Browser;
  /** Where the server answers: PUBLIC_URL when `localhost` was asked for, else 127.0.0.1. */
  url: string;
}

export interface StackOptions {
  config?: Partial<Config>;
  browser?: boolean;
  /** Serve at http://localhost:<port> = PUBLIC_URL (WebAuthn needs a secure context and rpId). */
  localhost?: boolean;
  /** Extra clean-up, run before the server and worker stop. */
  onClose?: () => Promise<unknown>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export function useStack(options: StackOptions = {}): Stack {
  const stack = { db: testDb(), config: testConfig(options.config) } as Stack;
  beforeAll(async () => {
    if (options.localhost) {
      const port = await freePort();
      Object.assign(stack.config, { port, publicUrl: `http://localhost:${port}` });
    }
    [stack.worker, stack.server, stack.browser] = await Promise.all([
      startWorker(stack.config, stack.db),
      startServer(stack.config, stack.db),
      options.browser ? launchBrowser() : (undefined as unknown as Browser),
    ]);
    stack.url = options.localhost ? stack.config.publicUrl : stack.server.url;
  });
  afterAll(async () => {
    if (stack.browser) await closeBrowser(stack.browser);
    await options.onClose?.();
    await stack.server?.stop();
    await stack.worker?.stop();
    await stack.db.end();
  });
  return stack;
}

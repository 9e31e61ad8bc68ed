// A real HTTP receiver for webhook tests: records every request (raw body and headers) and answers
// what the test says for its path: a fixed status, or a function of the request. Status 0 holds
// the request unanswered (a receiver that hangs) until release().
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

export interface Received { path: string; headers: IncomingHttpHeaders; body: string; event: any; answered: number; at: number }

export type Answer = number | ((r: Omit<Received, 'answered'>, seen: Received[]) => number);

export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, Answer>();
  private readonly held: { path: string; res: ServerResponse }[] = [];
  private server?: Server;
  url = '';

  /** How requests to `path` are answered (200 when never said). */
  answer(path: string, answer: Answer): string {
    this.answers.set(path, answer);
    return `${this.url}${path}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let event: unknown;
        try { event = JSON.parse(body); } catch { event = undefined; }
        const request = { path: req.url ?? '', headers: req.headers, body, event, at: Date.now() };
        const answer = this.answers.get(request.path) ?? 200;
        const status = typeof answer === 'number' ? answer : answer(request, this.received);
        this.received.push({ ...request, answered: status });
        if (status === 0) this.held.push({ path: request.path, res });
        else res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** How many requests to `path` are held unanswered. */
  pending(path: string): number {
    return this.held.filter((h) => h.path === path).length;
  }

  /** Answers the held requests to `path` (those whose connection is still open). */
  release(path: string, status: number): void {
    for (const h of this.held.filter((x) => x.path === path)) {
      this.held.splice(this.held.indexOf(h), 1);
      if (!h.res.destroyed) h.res.writeHead(status).end();
    }
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** Polls `check` until it returns something truthy. @throws after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

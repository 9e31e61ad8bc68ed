// The embedded PGlite is for the instance's own processes only: a connection must prove the
// password kept in DATA_DIR/db-password (0600), a wrong or missing password and a client that
// skips authentication are refused, the socket listens on loopback only, and DATA_DIR, its pg/
// and runtime/ folders are 0700 (tightened when found looser), db.json 0600 without the password.
import { chmod, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../../core/infra/db.ts';
import { startEmbeddedDb, type EmbeddedDb } from '../../core/infra/embedded-db.ts';

let root: string;
let dataDir: string;
let embedded: EmbeddedDb;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-dbaccess-'));
  dataDir = join(root, 'data');
  await mkdir(dataDir, { mode: 0o755 });
  await chmod(dataDir, 0o755);
  embedded = await startEmbeddedDb(dataDir, true);
});
afterAll(async () => {
  await embedded?.stop();
  await rm(root, { recursive: true, force: true });
});

async function refusal(url: string): Promise<string> {
  const db = openDb(url);
  try {
    await db`SELECT 1`;
    return 'accepted';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  } finally {
    await db.end({ timeout: 1 });
  }
}

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

it('refuses a wrong or missing password, and accepts the instance\'s own', async () => {
  const url = new URL(embedded.url);
  expect(url.password).toBe(await readFile(join(dataDir, 'db-password'), 'utf8'));
  expect(url.password.length).toBeGreaterThanOrEqual(40);
  for (const password of ['postgres', 'wrong', '']) {
    const other = new URL(embedded.url);
    other.password = password;
    expect(await refusal(other.href)).toBe('28P01');
  }
  expect(await refusal(embedded.url)).toBe('accepted');
});

it('answers a client that skips authentication with nothing but the challenge', async () => {
  const { port } = new URL(embedded.url);
  const socket = connect(Number(port), '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk) => received.push(chunk));
  const closed = new Promise((resolve) => socket.on('close', resolve));
  await new Promise((resolve) => socket.on('connect', resolve));
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0', 'latin1');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length);
  startup.writeInt32BE(196608, 4);
  const query = Buffer.from('SELECT 42\0', 'latin1');
  const q = Buffer.alloc(5);
  q.write('Q');
  q.writeInt32BE(4 + query.length, 1);
  socket.write(Buffer.concat([startup, params]));
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.write(Buffer.concat([q, query]));
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  socket.destroy();
  const all = Buffer.concat(received);
  expect(all[0]).toBe('R'.charCodeAt(0));
  expect(all.readInt32BE(5)).toBe(10); // AuthenticationSASL
  expect(all.toString('latin1')).not.toContain('42');
  expect(all.toString('latin1')).not.toContain('ReadyForQuery');
  expect(all.includes(Buffer.from([0x5a, 0, 0, 0, 5]))).toBe(false); // no ReadyForQuery message
});

it('listens on loopback only', () => {
  expect(new URL(embedded.url).hostname).toBe('127.0.0.1');
});

it('keeps DATA_DIR and what is in it private', async () => {
  expect(await mode(dataDir)).toBe('700');
  expect(await mode(join(dataDir, 'pg'))).toBe('700');
  expect(await mode(join(dataDir, 'runtime'))).toBe('700');
  expect(await mode(join(dataDir, 'db-password'))).toBe('600');
  expect(await mode(join(dataDir, 'runtime', 'db.json'))).toBe('600');
  const published = JSON.parse(await readFile(join(dataDir, 'runtime', 'db.json'), 'utf8')) as { url: string };
  expect(new URL(published.url).password).toBe('');
});

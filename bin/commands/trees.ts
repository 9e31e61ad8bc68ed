// tessera trees import <file|-> | export <name> [--version V] | list | versions <name>
//   | diff <name> [--from V1] [--to V2]   (all with --tenant T)
// A client of the management operations (server/api/admin/resources/trees.ts): import is validated
// there and a bad tree is refused with errors that name the node; every import is an audit event.
import { readFile } from 'node:fs/promises';
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { TREE_REFUSED } from '../../server/api/admin/resources/trees.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

async function readSource(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function versionFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`--${flag} must be a number`);
  return version;
}

/** Every page of a list operation. */
async function all<T>(db: Db, id: string, tenant: string, params: Record<string, string> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await runOperation<{ items: T[]; next: string | null }>(db, id, { tenant, params, query: { limit: '200', ...(cursor ? { cursor } : {}) } });
    items.push(...answer.items);
    cursor = answer.next ?? undefined;
  } while (cursor);
  return items;
}

async function importTree(db: Db, tenant: string, path: string, flags: Flags): Promise<void> {
  const source = await readSource(path).catch((err: Error) => {
    throw new Error(`cannot read ${path}: ${err.message}`);
  });
  let raw: any;
  try {
    raw = JSON.parse(source);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const name = typeof raw?.name === 'string' ? raw.name : flags.name;
  if (!name) throw new UsageError(`tree refused: ${path} names no tree (add "name", or give --name)`);
  try {
    const saved = await runOperation(db, 'trees.import', { tenant, params: { name }, body: raw });
    printOne({ name: saved.name, version: saved.version }, flags.json);
  } catch (err) {
    if (err instanceof UsageError && err.message.toLowerCase().startsWith(TREE_REFUSED.toLowerCase())) throw new UsageError(`tree refused: ${err.message.slice(TREE_REFUSED.length)}`);
    throw err;
  }
}

export async function treesCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  const notFound = (name: string, version?: number) => (err: unknown) => {
    if (err instanceof Error && /^no such tree/i.test(err.message)) throw new Error(`no tree "${name}"${version ? ` version ${version}` : ''} in tenant "${tenant}"`);
    throw err;
  };
  switch (verb) {
    case 'import': {
      const path = args[0] ?? flags.file;
      if (!path) throw new UsageError('usage: tessera trees import <file.json|-> --tenant T');
      return importTree(db, tenant, path, flags);
    }
    case 'export': {
      const name = flags.name ?? args[0];
      if (!name) throw new UsageError('usage: tessera trees export <name> --tenant T [--version V]');
      const version = versionFlag(flags.version, 'version');
      const stored = version === undefined
        ? await runOperation(db, 'trees.get', { tenant, params: { name } }).catch(notFound(name))
        : await runOperation(db, 'trees.get-version', { tenant, params: { name, version: String(version) } }).catch(notFound(name, version));
      console.log(JSON.stringify(stored.tree, null, 2));
      return;
    }
    case 'list': {
      const trees = await all<{ name: string; version: number; start: string; nodes: number; updatedAt: string }>(db, 'trees.list', tenant);
      printRows(trees.map((t) => ({ name: t.name, version: t.version, start: t.start, nodes: t.nodes, saved: t.updatedAt })), flags.json);
      return;
    }
    case 'versions': {
      const name = flags.name ?? args[0];
      if (!name) throw new UsageError('usage: tessera trees versions <name> --tenant T');
      const versions = await all<Record<string, unknown>>(db, 'trees.versions', tenant, { name }).catch(notFound(name));
      printRows(versions.map((v) => ({ version: v.version, start: v.start, nodes: v.nodes, saved: v.createdAt })), flags.json);
      return;
    }
    case 'diff': {
      const name = flags.name ?? args[0];
      if (!name) throw new UsageError('usage: tessera trees diff <name> --tenant T [--from V1] [--to V2]');
      const from = versionFlag(flags.from, 'from');
      const to = versionFlag(flags.to, 'to');
      const query = { ...(from ? { from: String(from) } : {}), ...(to ? { to: String(to) } : {}) };
      const diff = await runOperation(db, 'trees.diff', { tenant, params: { name }, query }).catch(notFound(name));
      if (flags.json) console.log(JSON.stringify(diff, null, 2));
      else console.log(diffText(diff));
      return;
    }
    default:
      throw new UsageError(`unknown command "trees ${verb}" (import, export, list, versions, diff)`);
  }
}

/** A diff for people: one line per change. */
function diffText(d: any): string {
  const lines = [`tree ${d.name}: version ${d.from} → ${d.to}`];
  const show = (v: unknown) => (v === null ? '(none)' : JSON.stringify(v));
  if (d.start) lines.push(`~ start: ${d.start.from} → ${d.start.to}`);
  if (d.acr) lines.push(`~ acr: ${show(d.acr.from)} → ${show(d.acr.to)}`);
  for (const n of d.added) lines.push(`+ ${n.node} (${n.type})`);
  for (const n of d.removed) lines.push(`- ${n.node} (${n.type})`);
  for (const n of d.changed) for (const f of n.fields) lines.push(`~ ${n.node}.${f.field}: ${show(f.from)} → ${show(f.to)}`);
  if (lines.length === 1) lines.push('(no changes)');
  return lines.join('\n');
}

// tessera trees import <file|-> | export --name N [--version V] | list   (all with --tenant T)
// Import validates first and refuses a bad tree with errors that name the node.
import { readFile } from 'node:fs/promises';
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { getTree, listTrees, saveTree } from '../../core/journeys/trees.ts';
import { moduleCatalog } from '../../activities/registry.ts';
import { formatTreeErrors, validateTree } from '../../workflows/tree/validate.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

async function readSource(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function treesCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'import': {
      const path = args[0] ?? flags.file;
      if (!path) throw new UsageError('usage: tessera trees import <file.json|-> --tenant T');
      const source = await readSource(path).catch((err: Error) => {
        throw new Error(`cannot read ${path}: ${err.message}`);
      });
      let raw: unknown;
      try {
        raw = JSON.parse(source);
      } catch (err) {
        throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
      }
      const check = validateTree(raw, moduleCatalog);
      if (!check.ok) throw new Error(`tree refused: ${formatTreeErrors(check.errors)}`);
      const { version: _ignored, ...tree } = check.tree;
      const stored = await saveTree(db, tenant, tree);
      printOne({ name: stored.name, version: stored.version }, flags.json);
      return;
    }
    case 'export': {
      const name = flags.name ?? args[0];
      if (!name) throw new UsageError('usage: tessera trees export <name> --tenant T [--version V]');
      const version = flags.version === undefined ? undefined : Number(flags.version);
      if (version !== undefined && !Number.isInteger(version)) throw new UsageError('--version must be a number');
      const stored = await getTree(db, tenant, name, version);
      if (!stored) throw new Error(`no tree "${name}"${version ? ` version ${version}` : ''} in tenant "${tenant}"`);
      console.log(JSON.stringify(stored.tree, null, 2));
      return;
    }
    case 'list':
      printRows((await listTrees(db, tenant)).map((t) => ({ name: t.name, version: t.version, start: t.tree.start, nodes: Object.keys(t.tree.nodes).length, saved: t.createdAt })), flags.json);
      return;
    default:
      throw new UsageError(`unknown command "trees ${verb}" (import, export, list)`);
  }
}

// core/ is layered as core/README.md says: its table lists the domain folders bottom-up, and a
// folder may import only the folders listed before it (infra/ none); nothing in core/ imports
// the layers built on it (server/, activities/, workflows/, bin/). Type-only imports count too:
// a type from a higher layer is a dependency on it all the same.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CORE = join(ROOT, 'core');
const ABOVE_CORE = ['server', 'activities', 'workflows', 'bin', 'ui', 'test'];

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])));
  return nested.flat().filter((f) => f.endsWith('.ts'));
}

/** The domain folders in the order of core/README.md's table. */
async function layers(): Promise<string[]> {
  const readme = await readFile(join(CORE, 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| `([a-z-]+)\/` \|/gm)].map((m) => m[1]!);
}

it('core/README.md lists every folder of core/, infra/ first', async () => {
  const order = await layers();
  const folders = (await readdir(CORE, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  expect([...order].sort()).toEqual(folders.sort());
  expect(order[0]).toBe('infra');
});

it('imports in core/ point downward, as core/README.md orders the folders, and never above core/', async () => {
  const order = await layers();
  const problems: string[] = [];
  for (const file of await files(CORE)) {
    const from = relative(CORE, file).split('/')[0]!;
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm)) {
      const target = relative(ROOT, resolve(file, '..', (match[1] ?? match[2])!));
      const [top, domain] = target.split('/');
      const where = `${relative(ROOT, file)} imports ${target}`;
      if (ABOVE_CORE.includes(top!)) problems.push(where);
      else if (top === 'core' && domain !== from && !(order.indexOf(domain!) < order.indexOf(from) && order.indexOf(domain!) >= 0)) problems.push(where);
    }
  }
  expect(problems).toEqual([]);
});

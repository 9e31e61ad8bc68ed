// workflows/ is deterministic code: it may import the workflow SDK, pure helpers and *types* of
// everything else — never Node built-ins, drivers, or activity code (DESIGN.md §2).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ALLOWED_PACKAGES = ['@temporalio/workflow', '@temporalio/common'];
/** Pure modules outside workflows/ that the sandbox may load. */
const ALLOWED_FILES = ['core/infra/duration.ts', 'core/infra/clean-text.ts', 'core/journeys/tree-types.ts', 'core/journeys/journey-types.ts'];

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])));
  return nested.flat().filter((f) => f.endsWith('.ts'));
}

it('workflows/ imports only the SDK, pure helpers and types', async () => {
  const problems: string[] = [];
  for (const file of await files(join(ROOT, 'workflows'))) {
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
      const [, , typeOnly, spec] = match;
      if (typeOnly) continue;
      if (spec!.startsWith('.')) {
        const target = relative(ROOT, resolve(file, '..', spec!));
        if (!target.startsWith('workflows/') && !ALLOWED_FILES.includes(target)) problems.push(`${relative(ROOT, file)} imports ${target}`);
      } else if (!ALLOWED_PACKAGES.includes(spec!)) {
        problems.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
    if (/\brequire\(|\bprocess\.|Math\.random\(/.test(source)) problems.push(`${relative(ROOT, file)} uses require, process or Math.random`);
  }
  expect(problems).toEqual([]);
});

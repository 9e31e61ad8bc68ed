// The workflow bundle cache against the SDK's real bundler (webpack): the cached code is used only
// while every input is as it was when the bundle was built.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlerVersions, cachedWorkflowBundle } from '../../bin/runtime/workflow-bundle-cache.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('cachedWorkflowBundle', () => {
  let dir: string;
  let workflows: string;
  let cacheFile: string;
  const options = () => ({ workflowsPath: join(workflows, 'index.ts'), logger: quiet });
  const writeWorkflow = (greeting: string) => writeFile(join(workflows, 'index.ts'),
    `import { greeting } from './greeting.ts';\nexport async function greet(): Promise<string> { return greeting + ${JSON.stringify(greeting)}; }\n`);

  beforeAll(async () => {
    // Beside a link to the project's node_modules, so that webpack resolves @temporalio/workflow
    // as it does for Tessera's own workflows (the SDK's loader skips TypeScript inside node_modules).
    dir = await mkdtemp(join(tmpdir(), 'tessera-bundle-cache-'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    workflows = join(dir, 'workflows');
    cacheFile = join(dir, 'cache', 'workflow-bundle.json');
    await mkdir(workflows);
    await writeFile(join(workflows, 'greeting.ts'), `export const greeting = 'hello ';\n`);
    await writeWorkflow('first');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds once, then serves the same code from the cache', async () => {
    const built = await cachedWorkflowBundle(options(), cacheFile);
    expect(built.source).toBe('built');
    expect(built.code).toContain('"first"');
    const cached = await cachedWorkflowBundle(options(), cacheFile);
    expect(cached).toEqual({ code: built.code, source: 'cache' });
  }, 60_000);

  it('builds again when a file the bundle was made of changes, even one it only imports', async () => {
    await writeWorkflow('second');
    const edited = await cachedWorkflowBundle(options(), cacheFile);
    expect(edited.source).toBe('built');
    expect(edited.code).toContain('"second"');
    await writeFile(join(workflows, 'greeting.ts'), `export const greeting = 'howdy ';\n`);
    const imported = await cachedWorkflowBundle(options(), cacheFile);
    expect(imported.source).toBe('built');
    expect(imported.code).toContain('howdy');
    expect((await cachedWorkflowBundle(options(), cacheFile)).source).toBe('cache');
  }, 60_000);

  it('builds again when a file appears where webpack looked and found nothing', async () => {
    expect((await cachedWorkflowBundle(options(), cacheFile)).source).toBe('cache');
    // Resolution looks for a package.json beside the workflows (its "type" decides how they load).
    await writeFile(join(workflows, 'package.json'), '{}\n');
    try {
      expect((await cachedWorkflowBundle(options(), cacheFile)).source).toBe('built');
      expect((await cachedWorkflowBundle(options(), cacheFile)).source).toBe('cache');
    } finally {
      await rm(join(workflows, 'package.json'));
    }
    expect((await cachedWorkflowBundle(options(), cacheFile)).source).toBe('built');
  }, 60_000);

  it('builds again for other bundle options, and over a damaged cache file', async () => {
    expect((await cachedWorkflowBundle(options(), cacheFile)).source).toBe('cache');
    const interceptors = join(workflows, 'interceptors.ts');
    await writeFile(interceptors, `export const interceptors = () => ({ inbound: [], outbound: [], internals: [] });\n`);
    expect((await cachedWorkflowBundle({ ...options(), workflowInterceptorModules: [interceptors] }, cacheFile)).source).toBe('built');
    const text = await readFile(cacheFile, 'utf8');
    await writeFile(cacheFile, text.slice(0, text.length / 2));
    const again = await cachedWorkflowBundle(options(), cacheFile);
    expect(again.source).toBe('built');
    expect(again.code).toContain('howdy');
    expect((await cachedWorkflowBundle(options(), cacheFile)).source).toBe('cache');
  }, 60_000);

  it('keys the bundle by the versions of the bundler, webpack and swc as installed', () => {
    const versions = bundlerVersions();
    expect(Object.keys(versions)).toEqual(['@temporalio/worker', 'webpack', 'swc-loader', '@swc/core']);
    for (const version of Object.values(versions)) expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('writes nothing without a cache file', async () => {
    const file = join(dir, 'none', 'workflow-bundle.json');
    expect((await cachedWorkflowBundle(options(), undefined)).source).toBe('built');
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  }, 60_000);
});

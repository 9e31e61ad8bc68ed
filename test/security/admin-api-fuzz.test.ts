// Fuzzing the management API from its own OpenAPI document with schemathesis (PyPI): valid and
// invalid requests for every operation, generated from the schemas, as a super-admin of a tenant
// of its own. No request may get a 5xx, and every answer must match the document.
// schemathesis is installed by .ci/run (`pip install schemathesis`); without it this test fails
// saying so, it is never skipped.
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createUser } from '../../core/accounts/users.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 900_000 });

const stack = useStack();

function schemathesis(): string {
  const scripts = spawnSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' }).stdout.trim();
  for (const candidate of ['schemathesis', join(scripts, 'schemathesis')]) {
    if (spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  throw new Error('schemathesis is not installed: pip install schemathesis (.ci/run does)');
}

/** The document with `/t/{tenant}` fixed to one tenant, so the fuzzer spends its cases on the rest. */
async function documentFor(tenant: string): Promise<string> {
  const doc = await (await fetch(`${stack.url}/api/admin/openapi.json`)).json() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
  const paths: typeof doc.paths = {};
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const op of Object.values(methods)) if (op.parameters) op.parameters = op.parameters.filter((p) => !(p.in === 'path' && p.name === 'tenant'));
    paths[path.replace('{tenant}', tenant)] = methods;
  }
  const file = join(inject('scratchDir'), `openapi-${tenant}.json`);
  await writeFile(file, JSON.stringify({ ...doc, paths, servers: [{ url: stack.url }] }));
  return file;
}

describe('the management API under schemathesis', () => {
  it('answers every generated request without a server error and as documented', async () => {
    const tool = schemathesis();
    const tenant = uniqueTenantId('fuzz');
    await createTenant(stack.db, tenant);
    await createUser(stack.db, tenant, { email: `fuzz@${tenant}.example`, password: 'correct horse battery staple' });
    const token = (await createAdminToken(stack.db, tenant, 'fuzz', 'super-admin')).token;
    const file = await documentFor(tenant);
    // One worker: with two, hypothesis parses lambda sources from two threads at once, which
    // CPython 3.11 can break with "SystemError: AST constructor recursion depth mismatch".
    const args = [
      'run', file, '--url', stack.url, '-H', `Authorization: Bearer ${token}`,
      '--checks', 'not_a_server_error,response_schema_conformance,content_type_conformance',
      '--phases', 'examples,coverage,fuzzing', '--max-examples', process.env.FUZZ_EXAMPLES ?? '15',
      '--seed', process.env.FUZZ_SEED ?? '4242', '--workers', '1', '--no-color', '--suppress-health-check', 'all',
      '--generation-database', 'none', '--output-truncate', 'true',
    ];
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output.slice(-12_000)).toBe(0);
    const summary = /(\d+) passed/i.exec(output);
    expect(Number(summary?.[1] ?? 0), output.slice(-4000)).toBeGreaterThan(10);
  });
});

// The OpenAPI document of the management API: generated from the operations, it lists every route
// the server binds (and nothing else), and what the server answers validates against it (checked
// with a JSON Schema 2020-12 validator, independent of the zod schemas the server checks with).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createUser } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { OPERATIONS } from '../../server/api/admin/catalogue.ts';
import { fullPath } from '../../server/api/admin/openapi.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack();

type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

async function documentOf(): Promise<Doc> {
  const res = await fetch(`${stack.url}/api/admin/openapi.json`);
  expect(res.status).toBe(200);
  return res.json() as Promise<Doc>;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with every operation once, by id, and no other route', async () => {
    const doc = await documentOf();
    expect(doc.openapi).toBe('3.1.0');
    const inDoc = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`));
    const bound = OPERATIONS.map((op) => `${op.method} ${fullPath(op)} ${op.id}`);
    expect(inDoc.sort()).toEqual(bound.sort());
    for (const op of Object.values(doc.paths).flatMap((methods) => Object.values(methods))) {
      expect(op.summary, op.operationId).toBeTruthy();
      const pathParams = (op.parameters as { in: string; name: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
      const inTemplate = [...(Object.keys(doc.paths).find((p) => Object.values(doc.paths[p]!).includes(op)) ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(pathParams.sort(), op.operationId).toEqual(inTemplate.sort());
    }
  });

  it('describes what the server answers: every list and the errors validate against it', async () => {
    const doc = await documentOf();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    const tenant = uniqueTenantId('oas');
    await createTenant(db(), tenant);
    const user = await createUser(db(), tenant, { email: `kim@${tenant}.example` });
    await grantRole(db(), tenant, user.id, 'auditor');
    const token = (await createAdminToken(db(), tenant, 'root', 'super-admin')).token;

    const schemaFor = (path: string, method: string, status: string) => {
      const response = doc.paths[path]![method]!.responses[status];
      const schema = response?.content?.['application/json']?.schema;
      if (!schema) return undefined;
      return JSON.parse(JSON.stringify(schema).replaceAll('#/components/', 'doc#/components/'));
    };
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!methods.get || /\{(?!tenant\})\w+\}/.test(path)) continue;
      const url = `${stack.url}${path.replace('{tenant}', tenant)}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const status = String(res.status);
      const schema = schemaFor(path, 'get', status);
      expect(schema, `${path} answered ${status}, which the document does not describe`).toBeDefined();
      const body = await res.json();
      expect(ajv.validate(schema, body), `${path} ${status}: ${ajv.errorsText()}`).toBe(true);
      checked++;
      // The same route without credentials: the documented 401.
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(ajv.validate(schemaFor(path, 'get', '401'), await anonymous.json()), ajv.errorsText()).toBe(true);
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});

function db() {
  return stack.db;
}

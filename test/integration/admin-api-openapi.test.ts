// The OpenAPI document of the management API: generated from the operations, it lists every route
// the server binds under /api/admin and /t/{tenant}/api/admin (found by walking the Express router
// stack, not the operations the document is made from) and nothing else, and what the server
// answers validates against it (checked with a JSON Schema 2020-12 validator, independent of the
// zod schemas the server checks with).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createUser } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createApp } from '../../server/app.ts';
import { boundRoutes } from '../support/express-routes.ts';
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
  it('is OpenAPI 3.1 with every admin route the server binds, once, and no other route', async () => {
    const doc = await documentOf();
    expect(doc.openapi).toBe('3.1.0');
    const inDoc = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    const app = createApp({ config: stack.config, db: stack.db, temporal: stack.server.client });
    const bound = boundRoutes(app).filter((r) => /^\w+ (\/t\/\{tenant\})?\/api\/admin(\/|$)/.test(r));
    expect(bound).toContain('POST /api/admin/codec/decode');
    expect(bound).toContain('PATCH /t/{tenant}/api/admin/users/{id}');
    expect(new Set(bound).size, 'a route bound twice').toBe(bound.length);
    expect(inDoc.sort()).toEqual(bound.sort());
    const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(new Set(ids).size, 'operationIds are unique').toBe(ids.length);
    for (const op of Object.values(doc.paths).flatMap((methods) => Object.values(methods))) {
      expect(op.summary, op.operationId).toBeTruthy();
      const pathParams = ((op.parameters ?? []) as { in: string; name: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
      const inTemplate = [...(Object.keys(doc.paths).find((p) => Object.values(doc.paths[p]!).includes(op)) ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(pathParams.sort(), op.operationId).toEqual(inTemplate.sort());
    }
    const treeImport = doc.paths['/t/{tenant}/api/admin/trees/{name}/versions']!.post;
    expect(Object.keys(treeImport.responses)).toContain('412');
    expect(treeImport.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const ifMatch = (op.parameters ?? []).some((p: { name: string }) => p.name === 'If-Match');
        expect(ifMatch, `${method} ${path}: a 412 needs its If-Match header, and only a change has one`).toBe('412' in op.responses);
      }
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
      // The same route without credentials: the documented 401 (unless documented as public).
      if (methods.get.security?.length === 0) continue;
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

// The codec server for Temporal's Web UI: super-admins decode journey payloads with what users
// typed and enrolment secrets redacted; tenant-admins and strangers cannot; CORS only for the
// configured Web UI origin.
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { codec, uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const UI = 'http://localhost:8233';
const stack = useStack({ config: { temporalUiOrigins: [UI] } });

const wire = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function post(path: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}/api/admin/codec${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

describe('codec server', () => {
  it('decodes for super-admins with typed values, bindings and enrolment secrets redacted', async () => {
    const tenant = uniqueTenantId('codec');
    await createTenant(stack.db, tenant);
    const root = (await createAdminToken(stack.db, tenant, 'root', 'super-admin')).token;
    const admin = (await createAdminToken(stack.db, tenant, 'admin')).token;
    const submit = { tenant, stepId: 'password#1', binding: 'b'.repeat(64), values: { password: 'hunter2-typed' } };
    const enrol = { kind: 'step', patch: { nodeState: { secret: 'JBSWY3DPEHPK3PXP' } }, step: { title: 'Set up', description: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP' } };
    const encoded = await codec.encode([defaultPayloadConverter.toPayload(submit)!, defaultPayloadConverter.toPayload(enrol)!]);
    const body = { payloads: encoded.map(wire) };

    const res = await post('/decode', root, body, { origin: UI, 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const decoded = (await res.json() as { payloads: { data: string }[] }).payloads.map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString()));
    expect(decoded[0]).toEqual({ tenant, stepId: 'password#1', binding: '[redacted]', values: '[redacted]' });
    expect(decoded[1]).toEqual({ kind: 'step', patch: { nodeState: '[redacted]' }, step: { title: 'Set up', description: '[redacted]' } });
    expect(JSON.stringify(decoded)).not.toMatch(/hunter2|JBSWY3DP/);

    expect((await post('/decode', admin, body)).status).toBe(403);
    expect((await post('/decode', undefined, body)).status).toBe(401);
    expect((await post('/decode', root, { payloads: 'nope' })).status).toBe(400);
    // Encoding round-trips through the same keys.
    const enc = await post('/encode', root, { payloads: [wire(defaultPayloadConverter.toPayload({ a: 1 })!)] });
    const [again] = (await enc.json() as { payloads: ReturnType<typeof wire>[] }).payloads;
    expect(Buffer.from(again!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
  });

  it('answers CORS preflights for the Web UI origin only', async () => {
    const allowed = await fetch(`${stack.url}/api/admin/codec/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await fetch(`${stack.url}/api/admin/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

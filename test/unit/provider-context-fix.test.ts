// The installed oidc-provider still has the per-request `ctx.oidc` getter the fix replaces, and
// with the fix (installed by test/setup-provider-context-fix.ts, as bin/tessera.js does) every
// request's context gets the same getter function, made lazily, with the property as before.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import Provider from 'oidc-provider';
import { fixProviderContext } from '../../server/protocols/oidc/provider-context-fix.ts';

let server: Server;
let base: string;
const seen: { getter: unknown; enumerable?: boolean; configurable?: boolean; oidcCtx: unknown; sameCtx: boolean }[] = [];

beforeAll(async () => {
  const provider = new Provider('http://127.0.0.1', { clients: [] });
  provider.use(async (ctx, next) => {
    await next();
    const property = Object.getOwnPropertyDescriptor(ctx, 'oidc');
    if (!property) return;
    const oidc = ctx.oidc;
    seen.push({ getter: property.get, enumerable: property.enumerable, configurable: property.configurable, oidcCtx: oidc, sameCtx: oidc.ctx === ctx && ctx.oidc === oidc });
  });
  server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('finds the code it replaces in the installed oidc-provider', () => {
  const main = createRequire(import.meta.url).resolve('oidc-provider');
  const file = join(dirname(main), 'helpers', 'initialize_app.js');
  expect(fixProviderContext(readFileSync(file, 'utf8')), 'oidc-provider changed: review server/protocols/oidc/provider-context-fix.ts').toBeDefined();
});

it('gives every request the same ctx.oidc getter, one OIDCContext per request, non-enumerable and non-configurable', async () => {
  for (let i = 0; i < 3; i++) expect((await fetch(`${base}/.well-known/openid-configuration`)).status).toBe(200);
  expect(seen).toHaveLength(3);
  expect(typeof seen[0]!.getter).toBe('function');
  expect(seen[1]!.getter).toBe(seen[0]!.getter);
  expect(seen[2]!.getter).toBe(seen[0]!.getter);
  expect(new Set(seen.map((s) => s.oidcCtx)).size).toBe(3);
  for (const s of seen) expect(s).toMatchObject({ enumerable: false, configurable: false, sameCtx: true });
});

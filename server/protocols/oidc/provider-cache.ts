// One oidc-provider per tenant, built on first use and rebuilt when the tenant's published keys
// change (checked at most every 2 s per tenant, and at once after a rotation made by this process,
// e.g. through the admin API), so `tessera keys rotate` takes effect on every replica without a
// restart. Requests keep using the current provider while a check or a rebuild runs; a build that
// fails is forgotten, so the next request tries again.
import Provider from 'oidc-provider';
import { clientSigningAlgs } from '../../../core/oidc/oidc-clients.ts';
import { DEFAULT_SIGNING_ALGS, ensureSigningKeys, keysGeneration, keysVersion } from '../../../core/oidc/signing-keys.ts';
import type { OidcDeps } from './deps.ts';
import { providerSetup } from './provider-config.ts';
import type { ProviderFor } from './provider-types.ts';
import { advertiseAllSigningAlgs } from './advertised-signing-algs.ts';
import { includeSidForFrontchannel } from './frontchannel-logout.ts';
import { allowPlainTokenResponse } from './plain-token-response.ts';
import { handleJwtAccessTokens } from './jwt-token-endpoints.ts';
import { registerPasswordGrant } from './password-grant.ts';
import { registerTokenExchange } from './token-exchange.ts';
import { countGrants } from './grant-metrics.ts';
import { logger } from '../../../core/infra/logger.ts';

const CHECK_EVERY_MS = 2000;
const MAX_TENANTS = 1000;

interface Entry { provider: Promise<Provider>; version: string; checkedAt: number; generation: number; checking?: Promise<void> }

async function build(deps: OidcDeps, tenant: string): Promise<{ provider: Provider; version: string }> {
  // The default keys, and those of algorithms clients saved before ask for.
  await ensureSigningKeys(deps.db, tenant, [...DEFAULT_SIGNING_ALGS, ...await clientSigningAlgs(deps.db, tenant)]);
  const version = await keysVersion(deps.db, tenant);
  const { issuer, configuration } = await providerSetup(deps, tenant);
  const provider = new Provider(issuer, configuration);
  allowPlainTokenResponse(provider);
  advertiseAllSigningAlgs(provider);
  provider.proxy = !!deps.config.trustProxy;
  // Koa would print whole errors (stacks, and database errors may quote query values).
  provider.silent = true;
  provider.on('server_error', (_ctx: unknown, err: Error & { code?: string; name?: string }) => {
    const what = err?.name === 'PostgresError' ? `database error ${err.code ?? '?'}` : `${err?.name ?? 'Error'}: ${err?.message}`;
    logger.error(`[oidc] ${tenant}: ${what}`);
  });
  // RFC 9207: `iss` in every authorization response. oidc-provider leaves it out when the
  // response has an ID token (whose iss claim says the same); this event runs before the
  // response is written, so the parameter is added there too.
  provider.on('authorization.success', (_ctx, out) => {
    if (out) out.iss ??= issuer;
  });
  registerTokenExchange(provider, deps, tenant);
  handleJwtAccessTokens(provider, deps, tenant);
  registerPasswordGrant(provider, deps, tenant);
  countGrants(provider, tenant);
  includeSidForFrontchannel(provider);
  return { provider, version };
}

export function createProviderCache(deps: OidcDeps): ProviderFor {
  const entries = new Map<string, Entry>();

  function start(tenant: string): Entry {
    const built = build(deps, tenant);
    const entry: Entry = { provider: built.then((b) => b.provider), version: '', checkedAt: Date.now(), generation: keysGeneration() };
    built.then((b) => { entry.version = b.version; }, () => {
      if (entries.get(tenant) === entry) entries.delete(tenant);
    });
    if (entries.size >= MAX_TENANTS) entries.delete(entries.keys().next().value!);
    entries.set(tenant, entry);
    return entry;
  }

  async function check(tenant: string, entry: Entry): Promise<void> {
    const version = await keysVersion(deps.db, tenant);
    if (version === entry.version || entries.get(tenant) !== entry) return;
    // Swap only once the new provider is ready: requests meanwhile use the current one.
    const next = await build(deps, tenant);
    if (entries.get(tenant) !== entry) return;
    entries.set(tenant, { provider: Promise.resolve(next.provider), version: next.version, checkedAt: Date.now(), generation: entry.generation });
  }

  return async (tenant: string) => {
    const entry = entries.get(tenant) ?? start(tenant);
    const rotatedHere = entry.generation !== keysGeneration();
    if (entry.version && !entry.checking && (rotatedHere || Date.now() - entry.checkedAt >= CHECK_EVERY_MS)) {
      entry.checkedAt = Date.now();
      entry.generation = keysGeneration();
      entry.checking = check(tenant, entry)
        .catch((err: Error) => logger.error(`[oidc] ${tenant}: reloading keys failed (${err.message})`))
        .finally(() => { entry.checking = undefined; });
      // Wait for it (usually one cheap query) so that a rotation is visible to the very next request.
      await entry.checking;
      return (entries.get(tenant) ?? entry).provider;
    }
    return entry.provider;
  };
}

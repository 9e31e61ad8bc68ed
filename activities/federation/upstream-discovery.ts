// openid-client Configurations for upstream IdPs, cached per issuer and client for a bounded time
// (default 1 hour, at most MAX_ENTRIES), so discovery and JWKS are not fetched on every login.
// Rules: OpenID Connect upstreams are discovered from `{issuer}/.well-known/openid-configuration`
// (openid-client checks the document's `issuer`) and the config's explicit endpoints override the
// discovered ones; OAuth 2-only presets (GitHub) are built from their endpoints alone. Plain http
// is allowed only toward loopback hosts (or with the explicit `allowInsecure` dep), and that is
// checked again on the discovered endpoints. Client authentication: client_secret_basic, or
// client_secret_post when the server advertises only that, or none for a public client. ID token
// signatures are verified against the upstream's JWKS (openid-client's non-repudiation checks).
import { createHash } from 'node:crypto';
import {
  allowInsecureRequests, ClientSecretBasic, ClientSecretPost, Configuration, customFetch, discovery,
  enableNonRepudiationChecks, None, type ClientAuth, type ServerMetadata,
} from 'openid-client';
import type { OidcUpstreamConfig } from '../../core/federation/federation-types.ts';
import { isOAuth2Only } from './social-presets.ts';
import { upstreamError, upstreamFailure } from './upstream-errors.ts';
import { boundedFetch, needsInsecure, transportAllowed } from './upstream-http.ts';

const MAX_ENTRIES = 200;
const WELL_KNOWN = '/.well-known/openid-configuration';

export interface DiscoveryOptions {
  now: () => Date;
  ttlMs: number;
  timeoutSeconds: number;
  maxResponseBytes: number;
  allowInsecure: boolean;
  /** Replaces the global fetch (unit tests). */
  fetch?: typeof fetch;
}

export interface Configurations {
  /** @throws UpstreamError (invalid_config, discovery_error, upstream_unreachable, …). */
  get(config: OidcUpstreamConfig): Promise<Configuration>;
}

/** Chooses basic or post per the server's advertised methods, at each request. */
function clientAuth(secret: string | undefined): ClientAuth {
  if (!secret) return None();
  const basic = ClientSecretBasic(secret);
  const post = ClientSecretPost(secret);
  return (as, client, body, headers) => {
    const supported = as.token_endpoint_auth_methods_supported;
    const postOnly = Array.isArray(supported) && !supported.includes('client_secret_basic') && supported.includes('client_secret_post');
    (postOnly ? post : basic)(as, client, body, headers);
  };
}

function overrides(config: OidcUpstreamConfig): Record<string, string> {
  const given: Record<string, string | undefined> = {
    authorization_endpoint: config.authorizationEndpoint,
    token_endpoint: config.tokenEndpoint,
    userinfo_endpoint: config.userinfoEndpoint,
  };
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function endpoints(metadata: Partial<ServerMetadata>): (string | undefined)[] {
  return [metadata.issuer, metadata.authorization_endpoint, metadata.token_endpoint, metadata.userinfo_endpoint, metadata.jwks_uri];
}

export function createConfigurations(options: DiscoveryOptions): Configurations {
  const cache = new Map<string, { expires: number; value: Promise<Configuration> }>();

  async function make(config: OidcUpstreamConfig): Promise<Configuration> {
    const patch = overrides(config);
    const declared = [config.issuer, ...Object.values(patch)];
    if (!transportAllowed(declared, options.allowInsecure)) throw upstreamError('invalid_config');
    const insecure = needsInsecure(declared);
    const fetcher = boundedFetch({
      limit: options.maxResponseBytes, fetch: options.fetch,
      patch: Object.keys(patch).length ? (url, json) => (url.endsWith(WELL_KNOWN) ? { ...json, ...patch } : undefined) : undefined,
    });
    const metadata = { client_id: config.clientId, ...(config.clientSecret ? { client_secret: config.clientSecret } : { token_endpoint_auth_method: 'none' }) };
    let configuration: Configuration;
    if (isOAuth2Only(config)) {
      if (!config.authorizationEndpoint || !config.tokenEndpoint || !config.userinfoEndpoint) throw upstreamError('invalid_config');
      const server: ServerMetadata = {
        issuer: config.issuer, ...patch,
        // GitHub takes the secret in the form body only.
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      };
      try {
        configuration = new Configuration(server, config.clientId, metadata, clientAuth(config.clientSecret));
      } catch {
        throw upstreamError('invalid_config');
      }
      configuration[customFetch] = fetcher;
      configuration.timeout = options.timeoutSeconds;
      if (insecure) allowInsecureRequests(configuration);
    } else {
      try {
        configuration = await discovery(new URL(config.issuer), config.clientId, metadata, clientAuth(config.clientSecret), {
          [customFetch]: fetcher, timeout: options.timeoutSeconds, execute: insecure ? [allowInsecureRequests] : [],
        });
      } catch (err) {
        throw upstreamFailure('discovery', err);
      }
      const discovered = configuration.serverMetadata();
      if (!discovered.authorization_endpoint || !discovered.token_endpoint) throw upstreamError('discovery_error');
      if (insecure && !transportAllowed(endpoints(discovered), options.allowInsecure)) throw upstreamError('invalid_config');
      enableNonRepudiationChecks(configuration);
    }
    return configuration;
  }

  function key(config: OidcUpstreamConfig): string {
    const secret = config.clientSecret ? createHash('sha256').update(config.clientSecret).digest('base64url') : '';
    return JSON.stringify([config.issuer, config.clientId, secret, config.preset ?? '', overrides(config)]);
  }

  return {
    get(config) {
      const now = options.now().getTime();
      for (const [k, entry] of cache) if (entry.expires <= now) cache.delete(k);
      const k = key(config);
      const hit = cache.get(k);
      if (hit) return hit.value;
      const value = make(config);
      cache.set(k, { expires: now + options.ttlMs, value });
      // A failed discovery is not remembered: the next login tries again.
      value.catch(() => { if (cache.get(k)?.value === value) cache.delete(k); });
      while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      return value;
    },
  };
}

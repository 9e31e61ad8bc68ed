// Social presets of the OIDC adapter: Google and Microsoft (OpenID Connect, by discovery) and
// GitHub (OAuth 2 only: fixed endpoints, the user read from its REST API). `presetDefaults` fills
// in a preset for the CLI; `resolveOidcConfig` does the same at run time for a stored config, so
// a config saved before a default changed still works. Every field the tenant set wins, endpoints
// included (tests point GitHub's at a local fake).
// Microsoft: the issuer is https://login.microsoftonline.com/{tenant}/v2.0. For the multi-tenant
// values (common, organizations, consumers) discovery publishes the template
// `.../{tenantid}/v2.0` and openid-client then requires the ID token's `iss` to be that template
// filled with the token's own `tid`; `checkMicrosoftTenant` adds what the tenant value promises
// (consumers: personal accounts only; organizations: work accounts only).
import type { OidcUpstreamConfig, SocialPreset } from '../../core/federation/federation-types.ts';

export const SOCIAL_PRESETS: readonly SocialPreset[] = ['google', 'microsoft', 'github'];

export const GITHUB = {
  issuer: 'https://github.com',
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  userinfoEndpoint: 'https://api.github.com/user',
  scopes: ['read:user', 'user:email'],
} as const;

/** The tenant id Microsoft gives every personal (MSA) account. */
export const MICROSOFT_CONSUMERS_TID = '9188040d-6c67-4c5b-b112-36a304b66dad';
const MICROSOFT_TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/;

export type PresetOverrides = Partial<OidcUpstreamConfig> & {
  /** Microsoft only: a tenant id or domain, or common (default), organizations, consumers. */
  tenant?: string;
};

export type PresetConfig = Partial<OidcUpstreamConfig> & Pick<OidcUpstreamConfig, 'issuer' | 'scopes' | 'preset'>;

export function microsoftIssuer(tenant = 'common'): string {
  if (!MICROSOFT_TENANT.test(tenant)) throw new Error('the Microsoft tenant must be a tenant id, a domain, common, organizations or consumers');
  return `https://login.microsoftonline.com/${tenant}/v2.0`;
}

/**
 * A preset's configuration with `overrides` (client id and secret, scopes, endpoints, Microsoft
 * tenant) over its defaults. @throws Error for an unknown preset or a malformed Microsoft tenant.
 */
export function presetDefaults(preset: SocialPreset, overrides: PresetOverrides = {}): PresetConfig {
  const { tenant, ...given } = overrides;
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<OidcUpstreamConfig>;
  switch (preset) {
    case 'google':
      return { issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'], ...defined, preset };
    case 'microsoft':
      return { scopes: ['openid', 'email', 'profile'], ...defined, issuer: defined.issuer ?? microsoftIssuer(tenant), preset };
    case 'github':
      return { ...GITHUB, scopes: [...GITHUB.scopes], ...defined, preset };
    default:
      throw new Error(`unknown preset "${String(preset)}"`);
  }
}

/** A stored config with its preset's defaults under it (no preset: unchanged). */
export function resolveOidcConfig(config: OidcUpstreamConfig): OidcUpstreamConfig {
  if (!config.preset) return config;
  return { clientId: config.clientId, ...presetDefaults(config.preset, config) };
}

/** An OAuth 2-only upstream: no ID token, the identity comes from an API. */
export function isOAuth2Only(config: OidcUpstreamConfig): boolean {
  return config.preset === 'github';
}

/**
 * For a multi-tenant Microsoft issuer, whether the ID token's `tid` is one the configured tenant
 * value admits. Other issuers: always true (openid-client has already matched `iss`).
 */
export function checkMicrosoftTenant(issuer: string, claims: Record<string, unknown>): boolean {
  const match = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/.exec(issuer);
  if (!match) return true;
  const tid = claims.tid;
  const segment = match[1]!.toLowerCase();
  if (!['common', 'organizations', 'consumers'].includes(segment)) return true;
  if (typeof tid !== 'string' || !tid) return false;
  if (segment === 'consumers') return tid === MICROSOFT_CONSUMERS_TID;
  if (segment === 'organizations') return tid !== MICROSOFT_CONSUMERS_TID;
  return true;
}

// Upstream identity providers (issue 6): what a tenant configures per IdP, and what the protocol
// adapters (activities/federation/oidc-upstream.ts, saml-upstream.ts) take and give back. Types
// and schemas only; the stored rows live in core/federation/identity-providers.ts.
import type { ClaimRule } from '../oidc/claim-rules.ts';

export type UpstreamKind = 'oidc' | 'saml';
/** Social presets: an OIDC-kind IdP whose endpoints and claim shapes are known (GitHub: OAuth 2 only). */
export type SocialPreset = 'google' | 'microsoft' | 'github';

export interface OidcUpstreamConfig {
  /** The upstream issuer; discovery is read from `{issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only). Stored server-side, never in history or logs. */
  clientSecret?: string;
  scopes: string[];
  preset?: SocialPreset;
  /** Overrides (and, for OAuth 2-only presets such as GitHub, the only source) of endpoints. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
}

export type NameIdFormat = 'email' | 'persistent' | 'transient' | 'unspecified';

export interface SamlUpstreamConfig {
  /** The upstream IdP's metadata XML (entity id, SSO URL + binding, signing certificate(s)). */
  metadata: string;
  /** Sign our AuthnRequests (the IdP's metadata may demand it: WantAuthnRequestsSigned). */
  signAuthnRequests: boolean;
  /** Refuse responses whose assertion is not signed (a signed Response alone is not enough when true). */
  wantAssertionsSigned: boolean;
  nameIdFormat: NameIdFormat;
  /** The IdP vouches for the email it sends (then `email_verified: true`); default false. */
  trustEmail?: boolean;
}

/** What happens to an upstream user who has no account here and is not linked to one. */
export interface Provisioning {
  /** Create the account just in time (active, linked). */
  jit: boolean;
  /** When jit is off: refuse, or send to registration (a pending account awaiting moderation). */
  onUnknown: 'refuse' | 'register';
  /** Offer to link to an existing account with the same (upstream-verified) email, after proof. */
  linkByEmail: boolean;
}

/** Upstream group names → local group names; unmapped upstream groups are dropped. */
export interface GroupMapping { claim: string; map: Record<string, string> }

export interface IdentityProvider {
  tenant: string;
  /** URL-safe name, unique per tenant: in callback URLs and tree configs (`{"idp": "corp"}`). */
  alias: string;
  kind: UpstreamKind;
  displayName: string;
  enabled: boolean;
  /** Listed on the tenant's login page. */
  showOnLogin: boolean;
  oidc?: OidcUpstreamConfig;
  saml?: SamlUpstreamConfig;
  provisioning: Provisioning;
  /** Applied to the upstream claims before anything reads them (core/oidc/claim-rules.ts). */
  claimRules: ClaimRule[];
  groups?: GroupMapping;
}

/** The URLs this side of a federation uses for one IdP (core/federation/federation-urls.ts builds them). */
export interface UpstreamUrls {
  /** OIDC/OAuth 2 redirect_uri. */
  callback: string;
  /** SAML Assertion Consumer Service (HTTP-POST). */
  acs: string;
  /** SAML SP entity id (= the SP metadata URL). */
  spEntityId: string;
  spMetadata: string;
  /** SAML SP single logout (HTTP-Redirect): where the IdP answers our LogoutRequest. */
  slo?: string;
}

export interface BeginInput {
  idp: IdentityProvider;
  urls: UpstreamUrls;
  /** Opaque, ≥ 256-bit random: OIDC `state` / SAML `RelayState`. */
  state: string;
  loginHint?: string;
}

/** Where to send the browser, and what the server keeps (DB only, never history) until the callback. */
export interface Begun { url: string; kept: Record<string, string> }

export interface FinishInput {
  idp: IdentityProvider;
  urls: UpstreamUrls;
  /** The callback's parameters as received (OIDC query: code, state, iss, error…; SAML: SAMLResponse, RelayState). */
  params: Record<string, string>;
  /** What `begin` kept. */
  kept: Record<string, string>;
}

/** The upstream's answer, checked: its stable subject and its claims (before claim rules). */
export interface UpstreamIdentity {
  subject: string;
  claims: Record<string, unknown>;
  /**
   * What logging out at the upstream needs (server/upstream-logout.ts): for SAML the NameID and
   * SessionIndex of a later LogoutRequest; for OIDC the ID token (id_token_hint) and the
   * end_session_endpoint. Stored server-side only, never in a journey's history or a log.
   */
  session?: { nameId?: string; nameIdFormat?: string; sessionIndex?: string; idToken?: string; endSessionEndpoint?: string };
}

/** Every refusal of an upstream answer: a code for the audit log and a message safe to show. */
export class UpstreamError extends Error {
  readonly code: string;
  /** For the operator's log only (never shown to the user): what exactly was refused, without secrets or document text. */
  readonly detail?: string;
  constructor(code: string, message: string, detail?: string) {
    super(message);
    this.name = 'UpstreamError';
    this.code = code;
    if (detail) this.detail = detail;
  }
}

export interface UpstreamProtocol {
  begin(input: BeginInput): Promise<Begun>;
  /** @throws UpstreamError for anything but a fully checked answer. */
  finish(input: FinishInput): Promise<UpstreamIdentity>;
}

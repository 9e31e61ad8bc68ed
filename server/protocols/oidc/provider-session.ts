// oidc-provider's own browser session, seen from Express. The core SSO session is the source of
// truth; these helpers bring the provider's session in line with it: end it (its grants revoked,
// as the provider's own logout does, except those meant to outlive logout, e.g. offline_access),
// or sign it in as the core session's user.
import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { Session as CoreSession } from '../../../core/accounts/sessions.ts';

export type ProviderSession = InstanceType<Provider['Session']>;

/** The browser's provider session (a new, empty one when it has none). */
export function loadProviderSession(provider: Provider, req: Request, res: Response): Promise<ProviderSession> {
  return provider.Session.get({ req, res, secure: req.secure } as never);
}

/** The (signature-checked) id in the browser's provider session cookie, if any. */
export function providerSessionCookie(provider: Provider, req: Request, res: Response): string | undefined {
  return provider.createContext(req, res).cookies.get(provider.cookieName('session')) ?? undefined;
}

/** Revokes a grant and every token issued under it. */
export async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode, provider.DeviceCode]
    .map((model) => model.revokeByGrantId(grantId)));
  const grant = await provider.Grant.find(grantId);
  await grant?.destroy();
}

/** Ends a provider session: its grants (but those that persist logout) are revoked, the row goes. */
export async function endProviderSession(provider: Provider, session: ProviderSession): Promise<void> {
  for (const { grantId, persistsLogout } of Object.values(session.authorizations ?? {}) as { grantId?: string; persistsLogout?: boolean }[]) {
    if (grantId && !persistsLogout) await revokeGrant(provider, grantId);
  }
  await session.destroy();
}

const loginTsOf = (core: CoreSession) => Math.floor(core.authTime.getTime() / 1000);

function signInAs(session: ProviderSession, core: CoreSession): void {
  session.loginAccount({ accountId: core.userId, acr: core.acr ?? undefined, amr: core.amr, loginTs: loginTsOf(core) });
}

/** Whether the provider session holds the core session's sign-in (same time and ACR). */
export function mirrors(session: ProviderSession, core: CoreSession): boolean {
  return session.loginTs === loginTsOf(core) && (session.acr ?? null) === core.acr;
}

/**
 * Signs the provider session in as the core session's user, saved under `cookieId` (the id the
 * browser already presents) so the provider finds it in this very request.
 */
export async function mirrorCoreSession(session: ProviderSession, core: CoreSession, cookieId: string): Promise<void> {
  session.jti = cookieId;
  signInAs(session, core);
  await session.save(Math.max(60, Math.floor((core.expiresAt.getTime() - Date.now()) / 1000)));
}

/** Brings a provider session of the same user up to the core session's latest sign-in. */
export async function refreshFromCore(session: ProviderSession, core: CoreSession): Promise<void> {
  signInAs(session, core);
  await session.persist();
}

/**
 * For the core logout of other entry points (server/api/session/routes.ts `onLogout`): ends the
 * browser's provider session of the tenant, if it has one.
 */
export function endOidcBrowserSession(providerFor: (tenant: string) => Promise<Provider>) {
  return async (req: Request, res: Response, tenant: string): Promise<void> => {
    const provider = await providerFor(tenant);
    if (!providerSessionCookie(provider, req, res)) return;
    await endProviderSession(provider, await loadProviderSession(provider, req, res));
  };
}

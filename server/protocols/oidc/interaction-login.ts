// The login part of an interaction: answer it from the core SSO session, or run a journey and
// answer it from the session the journey creates. Rules:
// - the core session answers when decideLogin says so (auth-request.ts); with prompt=none
//   nothing else may happen: the request ends with login_required;
// - otherwise a `login` journey runs in the login UI, on the tree that achieves the first
//   achievable of the wanted ACRs (else `login`); a session of the same user with too weak an
//   ACR runs it as a step-up (request.stepUp), so only what is missing is asked — only a step-up
//   may run an internal tree (acr-trees.ts, server/api/journeys/start-policy.ts);
// - the journey returns the browser to /<uid>/login, which checks that the session now meets the
//   request (a fresh sign-in after prompt=login or max_age, the wanted ACR) before finishing;
// - when another user signs in than the one the provider session holds, that provider session
//   ends (its grants revoked) and the previous user's relying parties get back-channel logouts.
import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { Session } from '../../../core/accounts/sessions.ts';
import { findUserByLogin } from '../../../core/accounts/users.ts';
import { ensureBinding } from '../../api/journeys/browser-binding.ts';
import { newJourneyId } from '../../api/journeys/journey-client.ts';
import { checkJourneyStart } from '../../api/journeys/start-policy.ts';
import { ensureDevice } from '../../device-cookie.ts';
import { completeLogin } from '../../sso-session.ts';
import { startBackchannelLogout } from '../../sso-logout.ts';
import { sharedAcrTrees } from './acr-trees.ts';
import { decideLogin, parseAuthRequest, sessionAnswers, type ParsedAuthRequest } from './auth-request.ts';
import type { OidcDeps } from './deps.ts';
import { interactionPath } from './provider-hooks.ts';
import { endProviderSession } from './provider-session.ts';
import { journeyStartRefused } from '../../middleware/journey-start-limits.ts';
import { journeyLocation } from '../../tenant-ui.ts';
import { tenantLoginTree } from '../../../core/tenants/login-tree.ts';

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface LoginContext {
  deps: OidcDeps;
  provider: Provider;
  interaction: Interaction;
  tenant: string;
  req: Request;
  res: Response;
}

/** The interaction's authorization request, with the client's display name. */
export async function authRequestOf(provider: Provider, interaction: Interaction): Promise<ParsedAuthRequest> {
  const client = await provider.Client.find(String(interaction.params.client_id)).catch(() => undefined);
  return parseAuthRequest(interaction.params, client?.clientName);
}

export const wantsAccountChoice = (request: ParsedAuthRequest) => request.prompt?.includes('select_account') === true;

/** Ends the interaction with an OAuth error sent to the client. */
export async function finishWithError(c: LoginContext, error: string, description: string): Promise<void> {
  await c.provider.interactionFinished(c.req, c.res, { error, error_description: description } as InteractionResults, { mergeWithLastSubmission: false });
}

/** Ends the interaction signed in as the core session's user. */
export async function finishLogin(c: LoginContext, session: Session, request: ParsedAuthRequest): Promise<void> {
  const previous = c.interaction.session;
  if (previous?.accountId && previous.accountId !== session.userId) {
    const stale = previous.uid ? await c.provider.Session.findByUid(previous.uid) : undefined;
    if (stale) await endProviderSession(c.provider, stale);
    delete c.interaction.session;
    await c.interaction.persist();
    await startBackchannelLogout(c.deps.temporal, c.deps.config.taskQueue, { tenant: c.tenant, ssoId: session.ssoId, userId: previous.accountId });
  }
  await c.provider.interactionFinished(c.req, c.res, {
    login: {
      accountId: session.userId, ts: Math.floor(session.authTime.getTime() / 1000), remember: true,
      ...(session.acr ? { acr: session.acr } : {}), amr: session.amr,
    },
    ...(wantsAccountChoice(request) ? { select_account: {} } : {}),
  }, { mergeWithLastSubmission: false });
}

/** Starts the journey for this interaction and sends the browser to the login UI. */
export async function startJourney(c: LoginContext, request: ParsedAuthRequest, session: Session | undefined, stepUp: boolean): Promise<void> {
  const { deps, tenant, req, res } = c;
  if (await journeyStartRefused(deps.db, req, res)) return;
  const raising = stepUp && session !== undefined;
  const acr = await sharedAcrTrees(deps.db).treeFor(tenant, request.wantedAcrs, { stepUp: raising });
  const tree = acr?.tree ?? await tenantLoginTree(deps.db, tenant);
  const bundle = await checkJourneyStart(deps.db, tenant, 'login', tree, { stepUp: raising });
  const returnTo = `${interactionPath(tenant, c.interaction.uid)}/login`;
  const { wantedAcrs: _wanted, hintedSubject: _subject, ...authRequest } = request;
  const snapshot = await deps.journeys.start({
    id: newJourneyId(), tenant, kind: 'login', tree, binding: ensureBinding(req, res, tenant, deps.cookies),
    idleTimeoutMs: deps.idleTimeoutMs, bundle,
    request: {
      ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 300), returnTo, authRequest,
      ...(session ? { ssoId: session.ssoId } : {}), deviceId: ensureDevice(req, res, tenant, deps.cookies),
      ...(stepUp && session ? { stepUp: { userId: session.userId, amr: session.amr, ...(session.acr ? { acr: session.acr } : {}) } } : {}),
    },
  });
  // A step-up whose every node the session had already proved is done at once.
  if (snapshot.view.status === 'succeeded') {
    await completeLogin(deps.db, req, res, snapshot, deps.cookies);
    return void res.redirect(303, returnTo);
  }
  res.redirect(303, await journeyLocation(deps.db, tenant, snapshot.view.id));
}

/** What the core session allows for this interaction's login prompt. */
export async function loginDecision(c: LoginContext, request: ParsedAuthRequest, session: Session | undefined) {
  const acr = await sharedAcrTrees(c.deps.db).treeFor(c.tenant, request.wantedAcrs, { stepUp: session !== undefined });
  const hintedUser = request.loginHint ? (await findUserByLogin(c.deps.db, c.tenant, request.loginHint))?.id ?? null : undefined;
  const decision = decideLogin(request, session, { hintedUser, acrTree: acr?.tree, now: Date.now() });
  // An essential acr claim the session lacks and no tree achieves: the provider would ask again.
  const essential = c.interaction.prompt.reasons.some((r) => r.startsWith('essential_acr'));
  const unmet = essential && !acr && !request.wantedAcrs.includes(session?.acr ?? '');
  return { decision, unmet };
}

/** After the journey: does the session it created answer this interaction? */
export async function sessionFits(c: LoginContext, request: ParsedAuthRequest, session: Session): Promise<boolean> {
  const acr = await sharedAcrTrees(c.deps.db).treeFor(c.tenant, request.wantedAcrs, { stepUp: true });
  return sessionAnswers(request, session, { acrTree: acr?.tree, now: Date.now() }, (c.interaction as { iat?: number }).iat ?? 0);
}

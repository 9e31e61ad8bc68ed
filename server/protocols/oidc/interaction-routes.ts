// /t/:tenant/oidc/interaction/... — where the provider sends the browser when it needs the user.
// - GET  /:uid          the provider's prompt: login (core session or journey, see
//                       interaction-login.ts), select_account (a choice page), consent (a page);
// - GET  /:uid/login    where a journey returns: finishes the login from the new core session;
// - POST /:uid/account  the account choice; POST /:uid/consent  allow or deny;
// - POST /logout        RP-initiated logout confirmed (the provider's logout page posts here);
// - GET  /logout        RP-initiated logout with an id_token_hint of this session (logout-source.ts).
// Rules: the interaction comes from the provider's interaction cookie and must be the one in the
// URL; an unknown or expired one gets a page saying so (never a redirect); forms carry a CSRF
// token (double submit; logout: the provider's xsrf) and are small urlencoded bodies; pages whose
// form ends in a redirect to the client allow its redirect URI in the CSP form-action; consent
// given or refused is audited (oidc.consent_granted / oidc.consent_denied).
import express, { Router, type Request, type Response } from 'express';
import { errors } from 'oidc-provider';
import { recordAudit } from '../../../core/infra/audit.ts';
import { getUser } from '../../../core/accounts/users.ts';
import { currentSession } from '../../sso-session.ts';
import { accountPageHtml } from './account-page.ts';
import { rememberConsent } from './consent-store.ts';
import { consentPageHtml } from './consent-page.ts';
import type { OidcDeps } from './deps.ts';
import { csrfToken, csrfValid } from './form-csrf.ts';
import {
  authRequestOf, finishLogin, finishWithError, loginDecision, sessionFits, startJourney, wantsAccountChoice, type LoginContext,
} from './interaction-login.ts';
import { messagePageHtml, sendPage as page } from './page.ts';
import { interactionPath } from './provider-hooks.ts';
import { confirmLogout, hintedLogout } from './logout-route.ts';
import type { ProviderFor } from './provider-types.ts';

const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

function expired(req: Request, res: Response): void {
  page(res, 400, messagePageHtml(req.tenant!.id, 'This sign-in request has expired',
    'Go back to the application you came from and try again.'));
}

export function interactionRoutes(deps: OidcDeps, providerFor: ProviderFor): Router {
  const router = Router({ mergeParams: true });

  /** The interaction of this browser named by the URL, or undefined (a page has been sent). */
  async function load(req: Request, res: Response): Promise<LoginContext | undefined> {
    const tenant = req.tenant!.id;
    const provider = await providerFor(tenant);
    let interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (err) {
      if (err instanceof errors.SessionNotFound) return void expired(req, res);
      throw err;
    }
    if (interaction.uid !== req.params.uid) return void expired(req, res);
    return { deps, provider, interaction, tenant, req, res };
  }

  function csrfRefused(c: LoginContext): boolean {
    if (csrfValid(c.req, c.req.body?.csrf, deps.cookies)) return false;
    page(c.res, 403, messagePageHtml(c.tenant, 'This page has expired', 'Reload the page and try again.', {
      href: interactionPath(c.tenant, c.interaction.uid), label: 'Reload',
    }));
    return true;
  }

  async function showAccountChoice(c: LoginContext, userId: string): Promise<void> {
    const [request, user] = await Promise.all([authRequestOf(c.provider, c.interaction), getUser(deps.db, c.tenant, userId)]);
    page(c.res, 200, accountPageHtml({
      tenant: c.tenant, clientName: request.clientName ?? request.clientId, account: user?.email ?? user?.username ?? 'your account',
      action: `${interactionPath(c.tenant, c.interaction.uid)}/account`, csrf: csrfToken(c.req, c.res, c.tenant, deps.cookies),
    }), [c.interaction.params.redirect_uri]);
  }

  async function promptLogin(c: LoginContext): Promise<void> {
    const request = await authRequestOf(c.provider, c.interaction);
    const session = await currentSession(deps.db, c.req, c.tenant, deps.cookies);
    const { decision, unmet } = await loginDecision(c, request, session);
    if (unmet) return finishWithError(c, 'unmet_authentication_requirements', 'the requested authentication context could not be obtained');
    if (decision === 'reuse' && session) {
      return wantsAccountChoice(request) ? showAccountChoice(c, session.userId) : finishLogin(c, session, request);
    }
    if (request.prompt?.includes('none')) return finishWithError(c, 'login_required', 'End-User authentication is required');
    return startJourney(c, request, session, decision === 'step-up');
  }

  // RP-initiated logout with an id_token_hint of this session: no confirmation (logout-source.ts).
  router.get('/logout', hintedLogout(deps, providerFor));

  router.get('/:uid', async (req, res) => {
    const c = await load(req, res);
    if (!c) return;
    switch (c.interaction.prompt.name) {
      case 'login':
        return promptLogin(c);
      case 'select_account':
        return showAccountChoice(c, c.interaction.session!.accountId);
      case 'consent': {
        const { details } = c.interaction.prompt;
        const request = await authRequestOf(c.provider, c.interaction);
        return page(res, 200, consentPageHtml({
          tenant: c.tenant, clientName: request.clientName ?? request.clientId,
          asked: {
            scopes: (details.missingOIDCScope as string[] | undefined) ?? [],
            claims: (details.missingOIDCClaims as string[] | undefined) ?? [],
            resources: (details.missingResourceScopes as Record<string, string[]> | undefined) ?? {},
          },
          action: `${interactionPath(c.tenant, c.interaction.uid)}/consent`, csrf: csrfToken(req, res, c.tenant, deps.cookies),
        }), [c.interaction.params.redirect_uri]);
      }
      default:
        return finishWithError(c, 'interaction_required', 'this interaction cannot be completed');
    }
  });

  router.get('/:uid/login', async (req, res) => {
    const c = await load(req, res);
    if (!c) return;
    const session = await currentSession(deps.db, req, c.tenant, deps.cookies);
    const request = await authRequestOf(c.provider, c.interaction);
    const waiting = ['login', 'select_account'].includes(c.interaction.prompt.name);
    if (!waiting || !session || !(await sessionFits(c, request, session))) {
      return page(res, 400, messagePageHtml(c.tenant, 'Sign-in did not finish', 'The sign-in does not meet what the application asked for.', {
        href: interactionPath(c.tenant, c.interaction.uid), label: 'Sign in again',
      }));
    }
    return finishLogin(c, session, request);
  });

  router.post('/:uid/account', form, async (req, res) => {
    const c = await load(req, res);
    if (!c || csrfRefused(c)) return;
    const request = await authRequestOf(c.provider, c.interaction);
    const session = await currentSession(deps.db, req, c.tenant, deps.cookies);
    if (req.body?.account === 'current' && session) {
      if (c.interaction.prompt.name === 'login') return finishLogin(c, session, request);
      await c.provider.interactionFinished(req, res, { select_account: {} }, { mergeWithLastSubmission: true });
      return;
    }
    // Another account: a fresh sign-in, remembering nothing of the current one but its family.
    return startJourney(c, { ...request, loginHint: undefined }, session, false);
  });

  router.post('/:uid/consent', form, async (req, res) => {
    const c = await load(req, res);
    if (!c || csrfRefused(c)) return;
    const { prompt, params, session, grantId } = c.interaction;
    if (prompt.name !== 'consent' || !session) return expired(req, res);
    const clientId = String(params.client_id);
    if (req.body?.decision !== 'allow') {
      await recordAudit(deps.db, { tenant: c.tenant, type: 'oidc.consent_denied', subject: session.accountId, data: { client: clientId } });
      return finishWithError(c, 'access_denied', 'the user denied the request');
    }
    const grant = (grantId ? await c.provider.Grant.find(grantId) : undefined)
      ?? new c.provider.Grant({ accountId: session.accountId, clientId });
    const scopes = (prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    const claims = (prompt.details.missingOIDCClaims as string[] | undefined) ?? [];
    const resources = (prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    if (claims.length) grant.addOIDCClaims(claims);
    for (const [indicator, list] of Object.entries(resources)) grant.addResourceScope(indicator, list.join(' '));
    const saved = await grant.save();
    await rememberConsent(deps.db, c.tenant, session.accountId, clientId, { scopes, claims, resources });
    await recordAudit(deps.db, {
      tenant: c.tenant, type: 'oidc.consent_granted', subject: session.accountId, data: { client: clientId, scopes, claims, resources },
    });
    await c.provider.interactionFinished(req, res, { consent: { grantId: saved } }, { mergeWithLastSubmission: true });
  });

  // RP-initiated logout, confirmed on the provider's logout page (provider-pages.ts).
  router.post('/logout', form, confirmLogout(deps, providerFor));

  return router;
}

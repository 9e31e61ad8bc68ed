// Sign in at an upstream identity provider: `oidc-idp` (OpenID Connect, and the social presets),
// `saml-idp` (Tessera as a SAML SP), and `idp` (whichever kind the IdP is). The IdP is the node's
// `config.idp`, or the one the user picked on the username step (ctx.federated.idp); in an
// `account` journey, the one the account console's user chose to link (request.link) first.
// The round trip: prepare keeps what the protocol needs at the callback, and the upstream URL, in
// PostgreSQL under the sha256 of a fresh random state and shows a `redirect` step (to our `go`
// route, which sends the journey's browser on upstream) whose link is that hash (answered only
// from the browser the journey belongs to); the callback route records the upstream's
// answer and follows the link; verify takes the answer (once), has the adapter check it, applies
// the IdP's claim rules and finds the account (activities/federation/upstream-account.ts).
// Outcomes: ok (signed in), link (an existing account to link after a proof), pending (sent to
// moderation; the journey ends with a notice), failed (refused: audited, with a message).
// In an `account` journey the node only links: the upstream account goes to the journey's
// (session's) user once proven, or is refused; ok then means linked (activities/federation/upstream-link.ts).
// Nothing secret reaches history: the state, PKCE verifier, nonce, codes and tokens stay in the
// database or in this activity.
import { z } from 'zod';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { saveFederationState, takeFederationState } from '../../core/federation/federation-states.ts';
import { UpstreamError, type IdentityProvider, type UpstreamKind } from '../../core/federation/federation-types.ts';
import { getIdp } from '../../core/federation/identity-providers.ts';
import type { ContextPatch, JourneyContext, VerifyResult } from '../../core/journeys/journey-context.ts';
import { newSecretToken, sha256 } from '../../core/infra/secret-token.ts';
import { resolveUpstreamAccount } from '../federation/upstream-account.ts';
import { linkingUser, linkUpstreamAccount } from '../federation/upstream-link.ts';
import { upstreamPerson } from '../federation/upstream-claims.ts';
import { upstreamProtocol } from '../federation/upstream-protocols.ts';
import { defineModule, type AuthModule, type ModuleDeps } from './module.ts';
import { saveUpstreamSession } from '../../core/federation/upstream-sessions.ts';

/** How long the upstream may take (the user signing in there). */
const ROUND_TRIP_MS = 15 * 60_000;

const Config = z.object({ idp: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).optional() }).strict();
type Config = z.infer<typeof Config>;

const UNAVAILABLE = { code: 'idp_unavailable', message: 'This way of signing in is not available. Please start again.' };
const NOT_PROVEN = { code: 'not_proven', message: 'We could not confirm who you are. Please start again.' };
const REFUSED = { code: 'federation_failed', message: 'The sign-in at your identity provider could not be completed. Please start again.' };

async function idpFor(ctx: JourneyContext, config: Config, kind: UpstreamKind | undefined, deps: ModuleDeps): Promise<IdentityProvider | undefined> {
  const alias = (ctx.kind === 'account' ? ctx.request.link?.idp : undefined) ?? config.idp ?? ctx.federated?.idp;
  const idp = alias ? await getIdp(deps.db, ctx.tenant, alias) : undefined;
  return idp?.enabled && (!kind || idp.kind === kind) ? idp : undefined;
}

async function refuse(deps: ModuleDeps, ctx: JourneyContext, idp: string | undefined, code: string, error = REFUSED): Promise<VerifyResult> {
  await deps.audit({ tenant: ctx.tenant, type: 'federation.refused', journeyId: ctx.journeyId, data: { idp: idp ?? null, code, ip: ctx.request.ip ?? null } });
  return { outcome: 'failed', patch: { error } };
}

function upstreamModule(type: string, kind: UpstreamKind | undefined): AuthModule<Config> {
  return defineModule({
    type,
    config: Config,
    outcomes: ['ok', 'link', 'pending', 'failed'],
    optionalOutcomes: ['link', 'pending', 'failed'],
    proves: [],
    rememberOutcomes: [],
    async prepare({ ctx, config }, deps) {
      const idp = await idpFor(ctx, config, kind, deps);
      if (!idp) return { kind: 'outcome', outcome: 'failed', patch: { error: UNAVAILABLE } };
      const linking = ctx.kind === 'account';
      if (linking && !linkingUser(ctx)) return { kind: 'outcome', outcome: 'failed', patch: { error: NOT_PROVEN } };
      const state = newSecretToken();
      const hash = sha256(state);
      const expiresAt = deps.now().getTime() + ROUND_TRIP_MS;
      // Linking: the local login is none of the upstream's business.
      const loginHint = linking ? undefined : ctx.login ?? ctx.request.authRequest?.loginHint;
      const begun = await upstreamProtocol(deps.db, idp.kind, deps.now).begin({
        idp, urls: upstreamUrls(deps.config.publicUrl, ctx.tenant, idp.alias), state, ...(loginHint ? { loginHint } : {}),
      });
      await saveFederationState(deps.db, {
        tenant: ctx.tenant, hash, journeyId: ctx.journeyId, idp: idp.alias, kept: begun.kept, url: begun.url, expiresAt: new Date(expiresAt),
      });
      // The upstream URL carries the state (and nonce): the step names our own route, which
      // looks it up for the journey's browser, so neither reaches the journey's history.
      const go = `${upstreamUrls(deps.config.publicUrl, ctx.tenant, idp.alias).base}/go?journey=${encodeURIComponent(ctx.journeyId)}`;
      return {
        kind: 'step',
        step: { type: 'redirect', title: `Continue with ${idp.displayName}`, options: { url: go } },
        link: { hash, expiresAt, sameBrowser: true },
        waitMs: ROUND_TRIP_MS,
        patch: { federated: { idp: idp.alias } },
      };
    },
    async verify({ ctx, config }, values, deps) {
      const hash = values['#link'];
      const round = hash ? await takeFederationState(deps.db, ctx.tenant, hash) : undefined;
      const idp = await idpFor(ctx, config, kind, deps);
      if (!round || !idp || round.idp !== idp.alias || round.journeyId !== ctx.journeyId) return refuse(deps, ctx, idp?.alias, 'unknown_state');
      let person;
      try {
        const identity = await upstreamProtocol(deps.db, idp.kind, deps.now).finish({
          idp, urls: upstreamUrls(deps.config.publicUrl, ctx.tenant, idp.alias), params: round.params ?? {}, kept: round.kept,
        });
        person = upstreamPerson(idp, identity);
        // For a later logout at the upstream (server/upstream-logout.ts): stored, never in the journey.
        if (identity.session) await saveUpstreamSession(deps.db, ctx.tenant, ctx.journeyId, idp.alias, identity.session, deps.now());
      } catch (err) {
        if (err instanceof UpstreamError) return refuse(deps, ctx, idp.alias, err.code, { code: 'federation_failed', message: err.message });
        throw err;
      }
      const federated = { idp: idp.alias, subject: person.subject, ...(person.email ? { email: person.email } : {}), claims: person.claims };
      if (ctx.kind === 'account') {
        const linked = await linkUpstreamAccount(deps, ctx, idp, person);
        if (linked.kind === 'refused') return refuse(deps, ctx, idp.alias, linked.code, { code: linked.code, message: linked.message });
        return { outcome: 'ok', patch: { federated: { ...federated, linked: true } } };
      }
      const decision = await resolveUpstreamAccount(deps, idp, person, ctx.journeyId);
      const audit = (how: string, subject?: string) => deps.audit({
        tenant: ctx.tenant, type: 'federation.login', subject, journeyId: ctx.journeyId, dedupeKey: `federation-login:${ctx.journeyId}:${hash}`,
        data: { idp: idp.alias, how },
      });
      switch (decision.kind) {
        case 'signed-in': {
          await audit(decision.created ? 'created' : 'linked', decision.user.id);
          const user = { id: decision.user.id, username: decision.user.username, status: decision.user.status };
          return { outcome: 'ok', patch: { resetAmr: true, amr: ['fed'], user, login: decision.user.email ?? decision.user.username, federated: { ...federated, linked: true } } };
        }
        case 'link': {
          await audit('link-offered', decision.candidate.id);
          const c = decision.candidate;
          const patch: ContextPatch = {
            resetAmr: true, user: { id: c.id, username: c.username, status: c.status }, login: c.email ?? c.username,
            federated: { ...federated, linkTo: c.id },
          };
          return { outcome: 'link', patch };
        }
        case 'pending':
          await audit('pending', decision.userId);
          return {
            outcome: 'pending',
            patch: { federated: { ...federated, linked: true }, notice: { code: 'awaiting_approval', message: `Thank you. An administrator will review your account; we will write to ${decision.email} when it is ready.` } },
          };
        case 'refused':
          return refuse(deps, ctx, idp.alias, decision.code, { code: decision.code, message: decision.message });
      }
    },
  });
}

export const idpModule = upstreamModule('idp', undefined);
export const oidcIdpModule = upstreamModule('oidc-idp', 'oidc');
export const samlIdpModule = upstreamModule('saml-idp', 'saml');

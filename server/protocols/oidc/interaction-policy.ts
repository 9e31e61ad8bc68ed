// When the provider asks for an interaction: oidc-provider's default policy (login, then
// consent), plus what Tessera's AuthRequest promises relying parties:
// - login: also when the session's ACR is not one of acr_values and a tenant tree achieves one
//   of them (acr_values is voluntary: with no such tree, the session is kept), and when
//   login_hint names someone other than the signed-in user (a hint with control characters is
//   ignored);
// - select_account (requestable with prompt=select_account): between login and consent, so the
//   user confirms or changes the account before anything is shared;
// - consent: never for first-party clients (metadata first_party), not even with prompt=consent
//   (which OIDC has relying parties send with offline_access) or for native apps; whatever else
//   consent needs, their grant already covers (existing-grant.ts).
// These checks ignore a login that this very interaction just produced (as max_age does), so a
// request that cannot be satisfied never loops.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { findUserByLogin } from '../../../core/accounts/users.ts';
import { isCleanText } from '../../../core/infra/clean-text.ts';
import type { OidcDeps } from './deps.ts';
import { sharedAcrTrees } from './acr-trees.ts';

const { Check, Prompt, base } = interactionPolicy;

const isFirstParty = (ctx: KoaContextWithOIDC) => (ctx.oidc.client as unknown as { first_party?: boolean } | undefined)?.first_party === true;
const words = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

export function interactionPolicyFor(deps: OidcDeps, tenant: string): interactionPolicy.Prompt[] {
  const trees = sharedAcrTrees(deps.db);
  const signedIn = (ctx: KoaContextWithOIDC) => ctx.oidc.session?.accountId !== undefined && !ctx.oidc.result?.login;

  const policy = base();
  const login = policy.get('login')!;
  login.checks.add(new Check('acr_values', 'requested ACR could not be obtained', 'login_required', async (ctx) => {
    const wanted = words(ctx.oidc.params?.acr_values);
    if (!signedIn(ctx) || wanted.length === 0 || wanted.includes(ctx.oidc.session!.acr ?? '')) return Check.NO_NEED_TO_PROMPT;
    return (await trees.treeFor(tenant, wanted, { stepUp: true })) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  }));
  login.checks.add(new Check('login_hint', 'login_hint names another user', 'login_required', async (ctx) => {
    const hint = ctx.oidc.params?.login_hint;
    // An unusable hint (control characters) is ignored, as parseAuthRequest ignores it.
    if (!signedIn(ctx) || typeof hint !== 'string' || hint.length === 0 || hint.length > 254 || !isCleanText(hint)) return Check.NO_NEED_TO_PROMPT;
    const user = await findUserByLogin(deps.db, tenant, hint.trim());
    return user?.id === ctx.oidc.session!.accountId ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }));
  policy.add(new Prompt({ name: 'select_account', requestable: true }), policy.indexOf(login) + 1);
  const consent = policy.get('consent')!;
  for (const reason of ['consent_prompt', 'native_client_prompt']) {
    const check = consent.checks.get(reason)!;
    const asks = check.check;
    check.check = (ctx) => (isFirstParty(ctx) ? Check.NO_NEED_TO_PROMPT : asks(ctx));
  }
  return policy;
}

// The pages oidc-provider renders through its hooks (RP-initiated logout, device code entry,
// confirmation and success), in Tessera's look. Rules: the provider's own form markup (inline
// event handlers, which the CSP refuses) is not used; our forms carry the provider's xsrf token
// from its session; the logout form posts to the interaction routes (/oidc/interaction/logout),
// which end the core SSO session with the provider's; a form whose answer redirects to a relying
// party names it in the page's CSP form-action.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, hidden, pageHtml, withFormAction } from './page.ts';

function send(ctx: KoaContextWithOIDC, html: string, formTargets: string[] = []): void {
  const csp = ctx.response.get('Content-Security-Policy');
  if (csp && formTargets.length) ctx.set('Content-Security-Policy', withFormAction(csp, formTargets));
  ctx.type = 'html';
  ctx.body = html;
}

const xsrf = (ctx: KoaContextWithOIDC) => String((ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '');
const clientName = (client: KoaContextWithOIDC['oidc']['client']) => client?.clientName ?? client?.clientId;

export function logoutSource(tenant: string) {
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    const name = clientName(ctx.oidc.client);
    const back = ctx.oidc.params?.post_logout_redirect_uri;
    send(ctx, pageHtml({
      tenant, title: 'Sign out?',
      description: name ? `${name} asks to sign you out. You will be signed out of every application that uses this account here.`
        : 'You will be signed out of every application that uses this account here.',
      body: `<form class="form" method="post" action="/t/${escapeHtml(tenant)}/oidc/interaction/logout">
          ${hidden('xsrf', xsrf(ctx))}
          <button class="button button-primary" type="submit" name="logout" value="yes">Sign out</button>
        </form>
        <p class="status-text">If you did not ask to sign out, close this page.</p>`,
    }), typeof back === 'string' ? [back] : []);
  };
}

export function postLogoutSuccessSource(tenant: string) {
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    send(ctx, pageHtml({ tenant, title: 'You are signed out', body: '<p class="status-text">You can close this page.</p>' }));
  };
}

function codeError(err: (Error & { userCode?: string }) | undefined): string | undefined {
  if (!err) return undefined;
  if (err.userCode || err.name === 'NoCodeError' || err.name === 'NotFoundError') return 'That code is not valid. Check it and try again.';
  if (err.name === 'ExpiredError') return 'That code has expired. Start again on your device.';
  if (err.name === 'AlreadyUsedError') return 'That code has already been used.';
  if (err.name === 'AbortedError') return 'The sign-in on your device was cancelled.';
  return 'Something went wrong. Please try again.';
}

/** The code entry page; `onWrongCode` hears of every code that matched no device (device-code-throttle.ts). */
export function userCodeInputSource(tenant: string, onWrongCode: (ctx: KoaContextWithOIDC) => Promise<void> = async () => {}) {
  return async (ctx: KoaContextWithOIDC, _form: string, _out?: unknown, err?: Error & { userCode?: string }): Promise<void> => {
    if (err?.name === 'NotFoundError') await onWrongCode(ctx);
    const problem = codeError(err);
    send(ctx, pageHtml({
      tenant, title: 'Connect a device', description: 'Enter the code shown on your device.',
      body: `${problem ? `<div class="alert" role="alert"><p>${escapeHtml(problem)}</p></div>` : ''}
        <form class="form" method="post" action="${escapeHtml(ctx.oidc.urlFor('code_verification'))}">
          ${hidden('xsrf', xsrf(ctx))}
          <div class="field">
            <label for="user_code">Code</label>
            <input class="input" id="user_code" name="user_code" type="text" required autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" autofocus${err?.userCode ? ` value="${escapeHtml(String(err.userCode).slice(0, 64))}"` : ''}>
          </div>
          <button class="button button-primary" type="submit">Continue</button>
        </form>`,
    }));
  };
}

export function userCodeConfirmSource(tenant: string) {
  return async (ctx: KoaContextWithOIDC, _form: string, client: { clientName?: string; clientId: string }, _info: unknown, userCode: string): Promise<void> => {
    send(ctx, pageHtml({
      tenant, title: `Sign in on ${client.clientName ?? client.clientId}?`,
      description: `Continue only if your device shows this code: ${userCode}`,
      body: `<form class="form" method="post" action="${escapeHtml(ctx.oidc.urlFor('code_verification'))}">
          ${hidden('xsrf', xsrf(ctx))}
          ${hidden('user_code', userCode)}
          <button class="button button-primary" type="submit" name="confirm" value="yes">Continue</button>
          <button class="button button-secondary" type="submit" name="abort" value="yes">Cancel</button>
        </form>`,
    }));
  };
}

export function deviceSuccessSource(tenant: string) {
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    const name = clientName(ctx.oidc.client);
    send(ctx, pageHtml({
      tenant, title: 'Your device is connected',
      body: `<p class="status-text">${name ? `${escapeHtml(name)} is now signed in. ` : ''}You can close this page and go back to your device.</p>`,
    }));
  };
}

// The provider's `renderError`: what a browser sees when an authorization (or other browser-facing)
// request cannot be answered at the client's redirect_uri — unknown client, redirect_uri not
// registered, a broken request. Rules: never a redirect (the status the provider chose, 400 for
// these); only the OAuth error code and its description, HTML-escaped, never a stack; no inline
// script or style (the site's CSP), the login UI's stylesheet.
import type { Configuration } from 'oidc-provider';
import { escapeHtml, pageHtml } from '../../html-page.ts';

export { escapeHtml };

export function errorPageHtml(error: string, description: string | undefined): string {
  return pageHtml({
    title: 'This sign-in request cannot continue',
    body: `<div class="status status-danger">
        <p class="status-text">The application that sent you here made a request we cannot answer. Nothing was shared with it.</p>
        <div class="alert" role="alert">
          <p><strong>${escapeHtml(error)}</strong></p>
          ${description ? `<p>${escapeHtml(description)}</p>` : ''}
        </div>
      </div>`,
  });
}

export const renderError: NonNullable<Configuration['renderError']> = async (ctx, out) => {
  const error = typeof out.error === 'string' ? out.error : 'server_error';
  const description = typeof out.error_description === 'string' ? out.error_description : undefined;
  ctx.remove('Location');
  ctx.type = 'html';
  ctx.body = errorPageHtml(error, description);
};

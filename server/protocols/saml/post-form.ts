// The HTTP-POST binding's delivery: a page whose form posts the message to the SP and submits
// itself. Rules: the only script is this page's one line, allowed by a per-response CSP nonce
// (the site's CSP forbids inline script otherwise); form-action allows 'self' and the target's
// origin only; without JavaScript the user presses the button; every value HTML-escaped.
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { escapeHtml, pageHtml } from '../../html-page.ts';
import { withFormAction } from '../oidc/page.ts';

export interface PostMessage { action: string; field: 'SAMLResponse' | 'SAMLRequest'; value: string; relayState?: string; title?: string }

const hidden = (name: string, value: string) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

export function sendPostForm(res: Response, tenant: string, m: PostMessage): void {
  const nonce = randomBytes(16).toString('base64');
  const form = `<form class="form" method="post" action="${escapeHtml(m.action)}">
        ${hidden(m.field, m.value)}${m.relayState !== undefined ? hidden('RelayState', m.relayState) : ''}
        <noscript><p class="status-text">JavaScript is off: press the button to continue.</p></noscript>
        <button class="button button-primary" type="submit">Continue</button>
      </form>
      <script nonce="${nonce}">document.forms[0].submit();</script>`;
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') {
    const withNonce = csp.replace(/script-src ([^;]*)/, (_m, sources: string) => `script-src ${sources} 'nonce-${nonce}'`);
    res.setHeader('Content-Security-Policy', withFormAction(withNonce, [m.action]));
  }
  res.status(200).type('html').send(pageHtml({ tenant, title: m.title ?? 'Signing you in…', description: 'Taking you back to the application.', body: form }));
}

// The HTML pages the OIDC side shows itself (consent, account choice, logout, device code, and
// messages), and how they are sent, in the server's page layout (server/html-page.ts). Forms post to this origin; when a form's answer ends in a
// redirect to a relying party, the page's CSP `form-action` names that party's origin too
// (browsers apply form-action to the redirects that follow a form submission).
import type { Response } from 'express';
import { escapeHtml, pageHtml } from '../../html-page.ts';

export { escapeHtml, pageHtml };

/** A message instead of a form: an interaction that expired, or one that cannot go on. */
export function messagePageHtml(tenant: string, title: string, text: string, link?: { href: string; label: string }): string {
  return pageHtml({
    tenant, title,
    body: `<div class="status status-neutral"><p class="status-text">${escapeHtml(text)}</p>${link
      ? `<p class="status-link"><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : ''}</div>`,
  });
}

/** A hidden form field. */
export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/**
 * A CSP source for where a form's answer may lead: the origin, or the private-use scheme of a
 * native app (reverse domain name, RFC 8252: it has a dot, so never javascript: or data:).
 */
export function formSource(uri: string): string | undefined {
  const url = URL.parse(uri);
  if (!url) return undefined;
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  return /^[a-z][a-z0-9+-]*\.[a-z0-9.+-]+:$/.test(url.protocol) ? url.protocol : undefined;
}

/**
 * `csp` with its form-action directive allowing 'self' and the given URIs' origins (deduplicated;
 * URIs that are not absolute are left out). Without a form-action directive, `csp` is unchanged.
 */
export function withFormAction(csp: string, uris: readonly string[]): string {
  const sources = [...new Set(uris.map(formSource).filter((s): s is string => s !== undefined))];
  if (sources.length === 0) return csp;
  return csp.split(';').map((directive) => {
    const [name] = directive.trim().split(/\s+/);
    return name === 'form-action' ? ` form-action 'self' ${sources.join(' ')}` : directive;
  }).join(';').trim();
}

/** Sends a page; `formTargets`: where its forms' answers may redirect (non-strings are ignored). */
export function sendPage(res: Response, status: number, html: string, formTargets: unknown[] = []): void {
  const csp = res.getHeader('Content-Security-Policy');
  const targets = formTargets.filter((t): t is string => typeof t === 'string');
  if (typeof csp === 'string' && targets.length) res.setHeader('Content-Security-Policy', withFormAction(csp, targets));
  res.status(status).type('html').send(html);
}

// OIDC Front-Channel Logout 1.0 for clients that register a `frontchannel_logout_uri`. Rules:
// - the targets are read from the session family's clients (session_clients) before the session
//   ends; each gets its registered URI with `iss` and its own `sid` (query parameters added to
//   the registered URI, which may carry its own);
// - the signed-out page loads each target in a hidden iframe and then moves on to where the
//   logout was going (a registered post_logout_redirect_uri, or the signed-out page) by a meta
//   refresh: no script; its CSP allows exactly the targets' origins in `frame-src`, nothing else;
// - ID tokens of such clients carry `sid`, so the client can match the one it is told about.
import type { Response } from 'express';
import type Provider from 'oidc-provider';
import type { Db } from '../../../core/infra/db.ts';
import { getOidcClient } from '../../../core/oidc/oidc-clients.ts';
import { listSessionClients } from '../../../core/oidc/session-clients.ts';
import { escapeHtml, pageHtml } from './page.ts';

export interface FrontchannelTarget { clientId: string; name: string; url: string }

/** How long the page waits for the iframes before moving on, in seconds. */
const CONTINUE_AFTER_S = 2;

/** Makes the provider put `sid` into ID tokens of front-channel clients too (it does so for back-channel ones). */
export function includeSidForFrontchannel(provider: Provider): void {
  const prototype = provider.Client.prototype as unknown as { includeSid(): boolean; frontchannel_logout_uri?: string };
  const own = prototype.includeSid;
  prototype.includeSid = function includeSid(this: typeof prototype) {
    return own.call(this) || typeof this.frontchannel_logout_uri === 'string';
  };
}

/** The front-channel logout URLs of the session family's clients, with iss and sid. */
export async function frontchannelTargets(db: Db, tenant: string, issuer: string, ssoId: string): Promise<FrontchannelTarget[]> {
  const targets: FrontchannelTarget[] = [];
  for (const row of await listSessionClients(db, tenant, ssoId)) {
    const client = await getOidcClient(db, tenant, row.clientId);
    const uri = client?.metadata.frontchannel_logout_uri;
    const url = typeof uri === 'string' ? URL.parse(uri) : null;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) continue;
    url.searchParams.set('iss', issuer);
    url.searchParams.set('sid', row.sid);
    const name = typeof client!.metadata.client_name === 'string' ? client!.metadata.client_name : row.clientId;
    targets.push({ clientId: row.clientId, name, url: url.href });
  }
  return targets;
}

/** `csp` with `frame-src` allowing exactly these origins (added, or replacing one there). */
export function withFrameSources(csp: string, urls: readonly string[]): string {
  const origins = [...new Set(urls.map((u) => new URL(u).origin))];
  const directives = csp.split(';').map((d) => d.trim()).filter((d) => d && !d.startsWith('frame-src'));
  return [...directives, `frame-src ${origins.join(' ')}`].join('; ');
}

/** The signed-out page that loads every target, then goes on to `next`. */
export function sendFrontchannelPage(res: Response, tenant: string, targets: FrontchannelTarget[], next: string): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') res.setHeader('Content-Security-Policy', withFrameSources(csp, targets.map((t) => t.url)));
  res.status(200).type('html').send(pageHtml({
    tenant, title: 'Signing you out…',
    description: 'You are being signed out of every application that uses this account here.',
    body: `<meta http-equiv="refresh" content="${CONTINUE_AFTER_S};url=${escapeHtml(next)}">
      ${targets.map((t) => `<iframe class="frontchannel-logout" hidden src="${escapeHtml(t.url)}" title="${escapeHtml(`Signing out of ${t.name}`)}"></iframe>`).join('\n      ')}
      <p class="status-link"><a href="${escapeHtml(next)}">Continue</a></p>`,
  }));
}

// A tenant's own login UI (DESIGN.md §5, "decoupled UI"): tenants.settings.ui.loginUrl. When set,
// every protocol entry that needs the user sends the browser to `<loginUrl>?journey={id}` instead
// of /t/{tenant}/ui/journey/{id}, and the Journey API answers CORS for that URL's origin only.
// Rules: https only (http for localhost, 127.0.0.1 and [::1]); no user info, no fragment; at
// most 2000 characters; a stored value that no longer parses is ignored (the default UI is used).
// - Same site as PUBLIC_URL, as Ory Kratos requires of its UI: the journey binding cookie is
//   SameSite=Lax, so a browser sends it with the UI's credentialed Journey API calls only when
//   the UI's page is on the server's site (same scheme and registrable domain, any port). A URL on
//   another site is refused when saved (setLoginUrl, the tenant settings), once the process knows
//   its PUBLIC_URL (servePublicUrl, called when the server starts and by the admin CLI). The registrable domain is
//   taken as the host's last two labels (the whole host for an IP address or a one-label host such
//   as localhost): under a two-label public suffix (co.uk) a foreign site can slip through, never
//   a same-site one be refused.
import { z } from 'zod';
import type { Db } from '../infra/db.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const IP = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

let publicUrl: string | undefined;

/** Tells this process the server's PUBLIC_URL: a login UI URL saved from now on must be on its site. */
export function servePublicUrl(url: string): void {
  publicUrl = url;
}

/** A URL's site (schemeful same-site): its scheme and registrable domain, taken as explained above. */
export function siteOf(url: URL): string {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  const domain = IP.test(host) || labels.length <= 2 ? host : labels.slice(-2).join('.');
  return `${url.protocol}//${domain}`;
}

/** Why `loginUrl` cannot serve as the login UI of a server at `serverUrl` (another site), or undefined. */
export function crossSiteProblem(loginUrl: string, serverUrl: string): string | undefined {
  const site = siteOf(new URL(serverUrl));
  if (siteOf(new URL(loginUrl)) === site) return undefined;
  return `must be on the same site as PUBLIC_URL (${site}): browsers send the journey cookie (SameSite=Lax) `
    + 'only to a login UI on that site; use the same scheme and a host of the same domain '
    + '(e.g. login.example.com next to auth.example.com; any port)';
}

export function loginUrlProblem(value: string): string | undefined {
  const url = URL.parse(value);
  // `https:///host` parses (as https://host/): only the plain form is taken.
  if (!url || !/^[a-z]+:\/\/[^/]/i.test(value)) return 'must be an absolute URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (value.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:') return url.hostname ? undefined : 'must name a host';
  if (url.protocol === 'http:') return LOOPBACK.has(url.hostname) ? undefined : 'may use http only for localhost';
  return 'must be an https URL (http only for localhost)';
}

export const LoginUrl = z.string().max(2000).superRefine((value, ctx) => {
  const problem = loginUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
export const UiSettings = z.object({ loginUrl: LoginUrl.optional() }).strict();
export type UiSettings = z.infer<typeof UiSettings>;

export class TenantUiError extends Error {}

/** The tenant's UI settings; {} when none or when the stored ones do not parse. */
export async function getUiSettings(db: Db, tenant: string): Promise<UiSettings> {
  const [row] = await db`SELECT settings -> 'ui' AS ui FROM tenants WHERE id = ${tenant}`;
  const parsed = UiSettings.safeParse(row?.ui ?? {});
  return parsed.success ? parsed.data : {};
}

/** Why `loginUrl` may not be saved: its shape (LoginUrl), or another site than this server's. */
export function savedLoginUrlProblem(loginUrl: string): string | undefined {
  const parsed = LoginUrl.safeParse(loginUrl);
  if (!parsed.success) return parsed.error.issues[0]!.message;
  return publicUrl ? crossSiteProblem(loginUrl, publicUrl) : undefined;
}

/** Sets (or, with null, removes) the tenant's login UI URL. @throws TenantUiError naming the problem. */
export async function setLoginUrl(db: Db, tenant: string, loginUrl: string | null): Promise<void> {
  const problem = loginUrl === null ? undefined : savedLoginUrlProblem(loginUrl);
  if (problem) throw new TenantUiError(`loginUrl ${problem}`);
  const ui = loginUrl === null ? {} : { loginUrl };
  await db`UPDATE tenants SET settings = jsonb_set(settings, '{ui}', ${db.json(ui as never)}) WHERE id = ${tenant}`;
}

/** Where the browser goes to take part in journey `journeyId`. */
export function journeyUiUrl(tenant: string, journeyId: string, ui: UiSettings): string {
  if (!ui.loginUrl) return `/t/${tenant}/ui/journey/${encodeURIComponent(journeyId)}`;
  const url = new URL(ui.loginUrl);
  url.searchParams.set('journey', journeyId);
  return url.href;
}

/** The origin the Journey API answers CORS for, if any. */
export function uiOrigin(ui: UiSettings): string | undefined {
  return ui.loginUrl ? new URL(ui.loginUrl).origin : undefined;
}

// A tenant's own login UI (DESIGN.md §5, "decoupled UI"): tenants.settings.ui.loginUrl. When set,
// every protocol entry that needs the user sends the browser to `<loginUrl>?journey={id}` instead
// of /t/{tenant}/ui/journey/{id}, and the Journey API answers CORS for that URL's origin only.
// Rules: https only (http for localhost, 127.0.0.1 and [::1]); no user info, no fragment; at
// most 2000 characters; a stored value that no longer parses is ignored (the default UI is used).
import { z } from 'zod';
import type { Db } from '../infra/db.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

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

/** Sets (or, with null, removes) the tenant's login UI URL. @throws TenantUiError naming the problem. */
export async function setLoginUrl(db: Db, tenant: string, loginUrl: string | null): Promise<void> {
  if (loginUrl !== null) {
    const parsed = LoginUrl.safeParse(loginUrl);
    if (!parsed.success) throw new TenantUiError(`loginUrl ${parsed.error.issues[0]!.message}`);
  }
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

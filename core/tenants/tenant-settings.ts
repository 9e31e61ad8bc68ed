// A tenant's settings as one typed object (tenants.settings): branding, the login tree, registration and
// moderation (with the password policy), required profile attributes, the legacy login protocol,
// rate limits, and its own SMTP server. Each section keeps its own schema and checks (registration-settings.ts,
// profile.ts, legacy-settings.ts, mail.ts); this file reads them together and applies a partial
// update to several at once.
// Rules: an update is checked whole before anything is written, then written in one statement
// (all or nothing); sections not named keep their stored value (mail template overrides
// included); the SMTP URL may hold a password, so what is shown is `{ configured, host, from }`,
// and it is stored sealed (core/infra/tenant-smtp-secret.ts).
import { z } from 'zod';
import { ProfileSettings, attributeKeysProblem, getRequiredAttributes } from '../accounts/profile.ts';
import type { Db } from '../infra/db.ts';
import { MailFrom, SmtpUrl, TenantSmtp, smtpSummary } from '../infra/mail.ts';
import { DEFAULT_RATE_LIMITS, RateLimitSettings, RateLimitsPatch, patchedRateLimits } from '../infra/rate-limit-settings.ts';
import { openTenantSmtp, sealTenantSmtp } from '../infra/tenant-smtp-secret.ts';
import { isPlainObject, mergeOneLevel, patchOf, type SettingsPatch } from '../infra/settings-patch.ts';
import { LegacyPatch, LegacySettings, LegacySettingsError, mergeLegacySettings } from '../legacy/legacy-settings.ts';
import { RegistrationPatch, RegistrationSettings, SettingsInputError, mergeRegistrationSettings } from '../registration/registration-settings.ts';
import { TENANT_NAME_MAX, type Tenant } from './tenants.ts';
import { LoginUrl, savedLoginUrlProblem, UiSettings } from './tenant-ui.ts';

const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written #rrggbb');

/** https:// (no user name) or a path on this server (not `//host`, which leaves it). */
function isLogoUrl(text: string): boolean {
  if (/^\/(?![/\\])[^\s\\]*$/.test(text)) return true;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && !url.username && !url.password && !/\s/.test(text);
  } catch {
    return false;
  }
}

export const Branding = z.object({
  logoUrl: z.string().max(2000).refine(isLogoUrl, 'must be an https:// URL or a path starting with /').nullable().default(null)
    .describe('Shown above the login card instead of the monogram.'),
  colors: z.object({
    primary: Color.nullable().default(null).describe('Buttons and links.'),
    background: Color.nullable().default(null).describe('Page background.'),
    text: Color.nullable().default(null).describe('Text.'),
  }).strict().default({ primary: null, background: null, text: null }),
}).strict();
export type Branding = z.infer<typeof Branding>;
export const BrandingPatch = patchOf<SettingsPatch<Branding>>(Branding);

export const LoginSettings = z.object({
  tree: z.enum(['login', 'login-one-page']).default('login')
    .describe('The tree a sign-in starts on: "login" asks the username first (passkeys, IdP routing), "login-one-page" username and password on one page.'),
}).strict();
export type LoginSettings = z.infer<typeof LoginSettings>;

export const SmtpView = z.object({
  configured: z.boolean(),
  host: z.string().nullable().describe('host[:port] of the tenant\'s SMTP server; the URL itself is never shown.'),
  from: z.string().nullable(),
});

export const TenantSettingsView = z.object({
  branding: Branding,
  login: LoginSettings,
  registration: RegistrationSettings.describe('Who may sign up, moderation, email patterns, password policy, invitations.'),
  profile: ProfileSettings,
  legacy: LegacySettings,
  smtp: SmtpView.describe('The tenant\'s own mail server; without one, mail goes through the server-wide SMTP_URL.'),
  rateLimits: RateLimitSettings.describe('Journey starts, signups, mails and device-code failures allowed per window, with defaults filled in.'),
  ui: z.object({ loginUrl: z.string().nullable() }).describe('The tenant\'s own login UI (decoupled UI): browsers go to `<loginUrl>?journey={id}`.'),
});
export type TenantSettingsView = z.infer<typeof TenantSettingsView>;

const SmtpPatch = z.object({
  url: SmtpUrl.optional().describe('smtp[s]://[user:password@]host[:port]. Write-only.'),
  from: MailFrom.nullable().optional(),
}).strict();

export const TenantSettingsPatch = z.object({
  branding: BrandingPatch.optional(),
  login: LoginSettings.partial().optional(),
  registration: RegistrationPatch.optional(),
  profile: ProfileSettings.optional(),
  legacy: LegacyPatch.optional(),
  smtp: SmtpPatch.nullable().optional().describe('null: no own SMTP server any more.'),
  rateLimits: RateLimitsPatch.nullable().optional().describe('Each limit named is set ({limit, window}); null for a limit, or for all, goes back to the defaults.'),
  ui: z.object({ loginUrl: LoginUrl.nullable().describe('https (http on localhost), on the site of PUBLIC_URL; null: the built-in login UI.') }).strict().optional(),
}).strict();
export type TenantSettingsPatch = z.infer<typeof TenantSettingsPatch>;

export const TenantName = z.string().trim().min(1).max(TENANT_NAME_MAX).regex(/^[^\r\n\0]*$/, 'must be one line')
  .describe('The display name, shown on the login page.');

export class TenantSettingsError extends Error {}

function parsedOr<T>(schema: z.ZodType<T>, value: unknown, fallback: T): T {
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : fallback;
}

/** The stored settings, each section with its defaults; hand-edited sections that do not parse read as defaults. */
function sections(stored: Record<string, unknown>) {
  return {
    branding: parsedOr(Branding, stored.branding, Branding.parse({})),
    login: parsedOr(LoginSettings, stored.login, LoginSettings.parse({})),
    registration: parsedOr(RegistrationSettings, stored.registration, RegistrationSettings.parse({})),
    legacy: parsedOr(LegacySettings, stored.legacy, LegacySettings.parse({})),
    smtp: TenantSmtp.safeParse(stored.smtp).data,
    rateLimits: parsedOr(RateLimitSettings, stored.rateLimits, DEFAULT_RATE_LIMITS),
  };
}

function view(stored: Record<string, unknown>, required: string[]): TenantSettingsView {
  const s = sections(stored);
  return {
    branding: s.branding, login: s.login, registration: s.registration, profile: { required }, legacy: s.legacy,
    smtp: s.smtp ? smtpSummary(s.smtp) : { configured: false, host: null, from: null },
    rateLimits: s.rateLimits,
    ui: { loginUrl: UiSettings.safeParse(stored.ui ?? {}).data?.loginUrl ?? null },
  };
}

export async function getTenantSettings(db: Db, tenant: string): Promise<TenantSettingsView | undefined> {
  const [row] = await db`SELECT settings FROM tenants WHERE id = ${tenant}`;
  if (!row) return undefined;
  const stored = row.settings ?? {};
  return view({ ...stored, smtp: openTenantSmtp(tenant, stored.smtp) }, await getRequiredAttributes(db, tenant));
}

/** Only the branding (what the login page shows, for every visitor). */
export async function getBranding(db: Db, tenant: string): Promise<Branding> {
  const [row] = await db`SELECT settings->'branding' AS b FROM tenants WHERE id = ${tenant}`;
  return parsedOr(Branding, row?.b, Branding.parse({}));
}

/** The sections a patch gives, merged over the stored ones and checked. @throws TenantSettingsError naming the field. */
function mergedSections(stored: Record<string, unknown>, patch: TenantSettingsPatch): Record<string, unknown> {
  const current = sections(stored);
  const out: Record<string, unknown> = {};
  const fail = (section: string, message: string) => new TenantSettingsError(`settings.${section}.${message}`);
  if (patch.branding) {
    const parsed = Branding.safeParse(mergeOneLevel(current.branding, patch.branding));
    if (!parsed.success) throw fail('branding', `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    out.branding = parsed.data;
  }
  if (patch.login) {
    const parsed = LoginSettings.safeParse({ ...current.login, ...patch.login });
    if (!parsed.success) throw fail('login', `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    out.login = parsed.data;
  }
  try {
    if (patch.registration) out.registration = mergeRegistrationSettings(current.registration, patch.registration);
    if (patch.legacy) out.legacy = mergeLegacySettings(current.legacy, patch.legacy);
  } catch (err) {
    if (err instanceof SettingsInputError) throw fail('registration', err.message);
    if (err instanceof LegacySettingsError) throw fail('legacy', err.message);
    throw err;
  }
  if (patch.profile) {
    const problem = attributeKeysProblem(patch.profile.required);
    if (problem) throw fail('profile', `required: ${problem}`);
    out.profile = { ...(isPlainObject(stored.profile) ? stored.profile : {}), required: patch.profile.required };
  }
  if (patch.ui) {
    const problem = patch.ui.loginUrl === null ? undefined : savedLoginUrlProblem(patch.ui.loginUrl);
    if (problem) throw fail('ui', `loginUrl: ${problem}`);
    out.ui = patch.ui.loginUrl === null ? {} : { loginUrl: patch.ui.loginUrl };
  }
  if (patch.rateLimits !== undefined) out.rateLimits = patch.rateLimits === null ? {} : patchedRateLimits(stored.rateLimits, patch.rateLimits);
  if (patch.smtp) {
    const url = patch.smtp.url ?? current.smtp?.url;
    if (!url) throw fail('smtp', 'url: required to set up an SMTP server');
    const from = patch.smtp.from === undefined ? current.smtp?.from : patch.smtp.from ?? undefined;
    out.smtp = TenantSmtp.parse({ url, ...(from ? { from } : {}) });
  }
  return out;
}

export interface TenantUpdate { name?: string; settings?: TenantSettingsPatch }

/**
 * Applies a partial update (name, settings sections) in one statement after checking all of it.
 * @returns undefined when there is no such tenant.
 * @throws TenantSettingsError naming the first bad field; nothing is written then.
 */
export async function updateTenant(db: Db, id: string, update: TenantUpdate): Promise<Tenant | undefined> {
  return db.begin(async (tx) => {
    const [row] = await tx`SELECT settings FROM tenants WHERE id = ${id} FOR UPDATE`;
    if (!row) return undefined;
    const stored: Record<string, unknown> = { ...row.settings, smtp: openTenantSmtp(id, row.settings?.smtp) };
    const changed = update.settings ? mergedSections(stored, update.settings) : {};
    if (changed.smtp) changed.smtp = sealTenantSmtp(id, changed.smtp);
    const dropSmtp = update.settings?.smtp === null;
    const [saved] = await tx`UPDATE tenants SET
        name = coalesce(${update.name ?? null}, name),
        settings = (settings ${dropSmtp ? tx`- 'smtp'` : tx``}) || ${tx.json(changed as never)}
      WHERE id = ${id} RETURNING id, name, created_at`;
    return { id: saved!.id, name: saved!.name, createdAt: saved!.created_at };
  });
}

/** Checks a patch against the defaults, as for a new tenant. @throws TenantSettingsError naming the field. */
export function checkSettingsPatch(patch: TenantSettingsPatch): void {
  mergedSections({}, patch);
}

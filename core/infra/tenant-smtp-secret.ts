// A tenant's own SMTP server (tenants.settings.smtp): its URL may hold a password, so it is sealed at
// rest (core/infra/secret-columns.ts), bound to the tenant. Read and written only through these two.
import { openSecret, sealSecret, SECRET_COLUMNS } from './secret-columns.ts';

type StoredSmtp = { url?: unknown } & Record<string, unknown>;

const isSmtp = (value: unknown): value is StoredSmtp & { url: string } =>
  typeof value === 'object' && value !== null && typeof (value as StoredSmtp).url === 'string';

/** settings.smtp as stored, with the URL opened (anything else is returned as is). @throws SealedValueError. */
export function openTenantSmtp(tenant: string, stored: unknown): unknown {
  return isSmtp(stored) ? { ...stored, url: openSecret(SECRET_COLUMNS.tenantSmtpUrl, [tenant], stored.url) } : stored;
}

/** settings.smtp as it is to be stored, with the URL sealed. */
export function sealTenantSmtp<T>(tenant: string, smtp: T): T {
  return isSmtp(smtp) ? { ...smtp, url: sealSecret(SECRET_COLUMNS.tenantSmtpUrl, [tenant], smtp.url) } : smtp;
}

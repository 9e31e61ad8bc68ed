// Argument parsing shared by every command: `tessera <noun> <verb> [positionals] [--flags]`.
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const OPTIONS = {
  tenant: { type: 'string' },
  json: { type: 'boolean' },
  email: { type: 'string' },
  username: { type: 'string' },
  name: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  status: { type: 'string' },
  id: { type: 'string' },
  file: { type: 'string' },
  version: { type: 'string' },
  url: { type: 'string' },
  title: { type: 'string' },
  required: { type: 'string' },
  reason: { type: 'string' },
  ttl: { type: 'string' },
  set: { type: 'string' },
  'client-id': { type: 'string' },
  secret: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'grant-type': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  public: { type: 'boolean' },
  'first-party': { type: 'boolean' },
  scope: { type: 'string' },
  grace: { type: 'string' },
  allow: { type: 'string', multiple: true },
  alias: { type: 'string' },
  kind: { type: 'string' },
  preset: { type: 'string' },
  issuer: { type: 'string' },
  metadata: { type: 'string' },
  'display-name': { type: 'string' },
  'name-id-format': { type: 'string' },
  sign: { type: 'string' },
  encrypt: { type: 'boolean' },
  attribute: { type: 'string', multiple: true },
  'entity-id': { type: 'string' },
  'no-idp-initiated': { type: 'boolean' },
  'require-signed-requests': { type: 'boolean' },
  role: { type: 'string' },
  limit: { type: 'string' },
  type: { type: 'string' },
  subject: { type: 'string' },
  group: { type: 'string' },
  user: { type: 'string' },
  'new-email': { type: 'string' },
  description: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  event: { type: 'string', multiple: true },
  'dead-letter': { type: 'string' },
  actor: { type: 'string' },
  client: { type: 'string' },
  journey: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Flags = {
  tenant?: string; json?: boolean; email?: string; username?: string; name?: string; password?: string;
  'password-stdin'?: boolean; status?: string; id?: string; file?: string; version?: string; help?: boolean;
  url?: string; title?: string; required?: string; reason?: string; ttl?: string; set?: string;
  'client-id'?: string; secret?: string; 'redirect-uri'?: string[]; 'grant-type'?: string[];
  'post-logout-redirect-uri'?: string[]; 'backchannel-logout-uri'?: string; public?: boolean; 'first-party'?: boolean;
  scope?: string; grace?: string; allow?: string[];
  alias?: string; kind?: string; preset?: string; issuer?: string; metadata?: string; 'display-name'?: string;
  'name-id-format'?: string; sign?: string; encrypt?: boolean; attribute?: string[]; 'entity-id'?: string;
  'no-idp-initiated'?: boolean; 'require-signed-requests'?: boolean;
  role?: string; limit?: string; type?: string; subject?: string;
  group?: string; user?: string; 'new-email'?: string; description?: string; from?: string; to?: string;
  event?: string[]; 'dead-letter'?: string; actor?: string; client?: string; journey?: string;
};

export function parse(argv: string[]): { positionals: string[]; flags: Flags } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { positionals, flags: values as Flags };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required<K extends keyof Flags>(flags: Flags, key: K): NonNullable<Flags[K]> {
  const value = flags[key];
  if (value === undefined || value === '') throw new UsageError(`--${key} is required`);
  return value as NonNullable<Flags[K]>;
}

// tessera clients create|update|show|list|delete|rotate-secret --tenant T — OIDC relying parties,
// through the management API's operations (server/api/admin/resources/clients.ts).
// `initial-token [--ttl 24h]` prints a one-use initial access token for dynamic client registration
// (RFC 7591, POST /t/T/oidc/reg; operation clients.initial-token): shown once, kept as sha256.
// `create` and `rotate-secret` print the secret of a confidential client: shown once here (it is
// kept for the provider, but never listed). Short grant names are accepted: device_code,
// token_exchange. `--set JSON` is merged into the settings (flags given win over it), checked like
// any other input. Every change is an audit event (actor cli:<os user>).
import { isDuration } from '../../core/infra/duration.ts';
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';
import { allPages } from './users.ts';

const GRANT_ALIASES: Record<string, string> = {
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
  token_exchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  'token-exchange': 'urn:ietf:params:oauth:grant-type:token-exchange',
};

type ClientJson = Record<string, unknown> & { client_id: string; grant_types: string[]; redirect_uris: string[] };

const row = (c: ClientJson) => ({
  client_id: c.client_id,
  name: c.client_name ?? '',
  type: c.public ? 'public' : 'confidential',
  first_party: c.first_party === true,
  grant_types: c.grant_types.join(' '),
  redirect_uris: c.redirect_uris.join(' '),
  created: c.created_at,
});

/** The settings the flags name (absent flags name nothing). */
function settingsFrom(flags: Flags): Record<string, unknown> {
  const scope = flags.scope?.trim().split(/\s+/).filter(Boolean).join(' ');
  const given: Record<string, unknown> = {
    client_secret: flags.secret,
    client_name: flags.name,
    public: flags.public || undefined,
    first_party: flags['first-party'] || undefined,
    redirect_uris: flags['redirect-uri'],
    post_logout_redirect_uris: flags['post-logout-redirect-uri'],
    grant_types: flags['grant-type']?.map((g) => GRANT_ALIASES[g] ?? g),
    backchannel_logout_uri: flags['backchannel-logout-uri'],
    scope: scope || undefined,
  };
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
}

function setJson(flags: Flags): Record<string, unknown> {
  if (flags.set === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(flags.set);
  } catch {
    throw new UsageError('--set: not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError('--set: must be a JSON object of client settings');
  return value as Record<string, unknown>;
}

function clientIdOf(flags: Flags, args: string[], verb: string): string {
  const clientId = flags['client-id'] ?? args[0];
  if (!clientId) throw new UsageError(`usage: tessera clients ${verb} --tenant T --client-id ID`);
  return clientId;
}

function printClient(client: ClientJson, json: boolean | undefined): void {
  printOne(json ? client : row(client), json);
}

function printWithSecret(client: ClientJson & { client_secret?: string }, json: boolean | undefined): void {
  const secret = client.client_secret;
  printOne(json ? client : { ...row(client), ...(secret ? { client_secret: secret } : {}) }, json);
  if (secret && !json) console.log('(the client secret is shown once: store it now)');
}

export async function clientsCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'create': {
      const body = { ...setJson(flags), ...settingsFrom(flags), ...(flags['client-id'] ? { client_id: flags['client-id'] } : {}) };
      printWithSecret(await runOperation(db, 'clients.create', { tenant, body }), flags.json);
      return;
    }
    case 'update': {
      const clientId = clientIdOf(flags, args, 'update');
      const { client_secret: secret, ...settings } = settingsFrom(flags);
      if (secret !== undefined) throw new UsageError('--secret: a secret is changed with "clients rotate-secret"');
      const client = await runOperation<ClientJson>(db, 'clients.update', { tenant, params: { id: clientId }, body: { ...setJson(flags), ...settings } });
      printClient(client, flags.json);
      return;
    }
    case 'show':
      printOne(await runOperation(db, 'clients.get', { tenant, params: { id: clientIdOf(flags, args, 'show') } }), flags.json);
      return;
    case 'rotate-secret': {
      const rotated = await runOperation<{ client_id: string; client_secret: string }>(db, 'clients.rotate-secret', { tenant, params: { id: clientIdOf(flags, args, 'rotate-secret') } });
      printOne({ client_id: rotated.client_id, client_secret: rotated.client_secret }, flags.json);
      if (!flags.json) console.log('(the client secret is shown once: store it now; the old one no longer works)');
      return;
    }
    case 'list':
      printRows((await allPages<ClientJson>(db, 'clients.list', tenant)).map((c) => (flags.json ? c : row(c))), flags.json);
      return;
    case 'delete': {
      const clientId = clientIdOf(flags, args, 'delete');
      await runOperation(db, 'clients.delete', { tenant, params: { id: clientId } });
      printOne({ client_id: clientId, status: 'deleted' }, flags.json);
      return;
    }
    case 'initial-token': {
      if (flags.ttl !== undefined && !isDuration(flags.ttl)) throw new UsageError('--ttl: a duration such as 30m, 24h or 7d');
      const made = await runOperation(db, 'clients.initial-token', { tenant, body: flags.ttl ? { ttl: flags.ttl } : {} });
      printOne(made, flags.json);
      if (!flags.json) console.log('(the token is shown once: give it to whoever registers the client)');
      return;
    }
    default:
      throw new UsageError(`unknown command "clients ${verb}" (create, update, show, list, delete, rotate-secret, initial-token)`);
  }
}

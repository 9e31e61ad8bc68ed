// tessera clients create|list|delete --tenant T — OIDC relying parties.
// `create` prints the client_id and, for a confidential client, its secret: shown once here (it
// is kept for the provider, but never listed). Short grant names are accepted: device_code,
// token_exchange. Creating and deleting are audit events.
import { recordAudit } from '../../core/infra/audit.ts';
import type { Db } from '../../core/infra/db.ts';
import {
  createOidcClient, deleteOidcClient, listOidcClients, OidcClientInputError, sanitizedClient, type OidcClient,
} from '../../core/oidc/oidc-clients.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const GRANT_ALIASES: Record<string, string> = {
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
  token_exchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  'token-exchange': 'urn:ietf:params:oauth:grant-type:token-exchange',
};

const row = (c: OidcClient) => ({
  client_id: c.clientId,
  name: c.metadata.client_name ?? '',
  type: c.metadata.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
  first_party: c.metadata.first_party === true,
  grant_types: (c.metadata.grant_types as string[]).join(' '),
  redirect_uris: (c.metadata.redirect_uris as string[]).join(' '),
  created: c.createdAt,
});

function inputFrom(flags: Flags): Record<string, unknown> {
  const scope = flags.scope?.trim().split(/\s+/).filter(Boolean).join(' ');
  return {
    client_id: flags['client-id'],
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
}

export async function clientsCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'create': {
      let client: OidcClient;
      try {
        client = await createOidcClient(db, tenant, inputFrom(flags));
      } catch (err) {
        if (err instanceof OidcClientInputError) throw new UsageError(err.message);
        throw err;
      }
      await recordAudit(db, { tenant, type: 'oidc_client.created', actor: 'cli', data: { clientId: client.clientId } });
      const secret = client.metadata.client_secret;
      if (flags.json) {
        printOne({ ...sanitizedClient(client), ...(secret ? { client_secret: secret } : {}) }, true);
        return;
      }
      printOne({ ...row(client), ...(secret ? { client_secret: secret } : {}) }, false);
      if (secret) console.log('(the client secret is shown once: store it now)');
      return;
    }
    case 'list':
      printRows((await listOidcClients(db, tenant)).map((c) => (flags.json ? sanitizedClient(c) : row(c))), flags.json);
      return;
    case 'delete': {
      const clientId = flags['client-id'] ?? args[0];
      if (!clientId) throw new UsageError('usage: tessera clients delete --tenant T --client-id ID');
      if (!(await deleteOidcClient(db, tenant, clientId))) throw new Error(`no client "${clientId}" in tenant "${tenant}"`);
      await recordAudit(db, { tenant, type: 'oidc_client.deleted', actor: 'cli', data: { clientId } });
      printOne({ client_id: clientId, status: 'deleted' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "clients ${verb}" (create, list, delete)`);
  }
}

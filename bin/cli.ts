// `tessera` entry point: process commands (start, server, worker) and admin commands that work
// with the same environment as the server, whether or not it is running.
import { loadConfig, type Config } from '../core/infra/config.ts';
import { openDatabase } from './runtime/database.ts';
import { startAll, startServer, startWorker, type Running } from './runtime/processes.ts';
import { parse, UsageError, type Flags } from './cli-args.ts';
import { tenantsCommand } from './commands/tenants.ts';
import { usersCommand } from './commands/users.ts';
import { treesCommand } from './commands/trees.ts';
import { termsCommand } from './commands/terms.ts';
import { settingsCommand } from './commands/settings.ts';
import { invitationsCommand } from './commands/invitations.ts';
import { adminTokensCommand } from './commands/admin-tokens.ts';
import { scimTokensCommand } from './commands/scim-tokens.ts';
import { clientsCommand } from './commands/clients.ts';
import { keysCommand } from './commands/keys.ts';
import { servicesCommand } from './commands/services.ts';
import { samlSpsCommand } from './commands/saml-sps.ts';
import { idpsCommand } from './commands/idps.ts';
import { rolesCommand } from './commands/roles.ts';
import { auditCommand } from './commands/audit.ts';
import { groupsCommand } from './commands/groups.ts';
import { mailTemplatesCommand } from './commands/mail-templates.ts';
import { webhooksCommand } from './commands/webhooks.ts';
import { dataKeysCommand } from './commands/data-keys.ts';
import type { Db } from '../core/infra/db.ts';

const HELP = `Usage: tessera <command> [options]

Run:
  start                      everything in one process tree (embedded Temporal + PGlite unless configured)
  server                     the HTTP server only (needs a running Temporal and database)
  worker                     the Temporal worker only

Admin (add --json for machine-readable output):
  tenants create <id> [--name N]
  tenants list
  tenants show|delete <id>
  tenants update <id> [--name N] [--set JSON]   (settings patch: branding, registration, profile, legacy, smtp, rateLimits, ui)
  users create --tenant T --email E [--password P | --password-stdin] [--username U] [--name N] [--status S]
  users list|show|activate|deactivate --tenant T [--email E | --id ID | <login>]
  users approve|reject --tenant T (--email E | --id ID) [--reason R]   (needs Temporal: TEMPORAL_ADDRESS or a running start)
  users update --tenant T (--email E | --id ID) [--new-email E] [--name N] [--status S] [--set '{"attr":"value"}']
  users delete|reset-password|sessions|end-sessions --tenant T (--email E | --id ID)   (reset-password mails a link)
  users set-password --tenant T (--email E | --id ID) --password-stdin   (ends the user's sessions)
  groups create --tenant T --name N [--description D]
  groups list --tenant T
  groups show|update|delete|members --tenant T --group G [--name N] [--description D]   (G: id or name)
  groups add-member|remove-member --tenant T --group G --user U   (U: id, username or email)
  trees import <file|-> --tenant T
  trees export <name> --tenant T [--version V]
  trees list --tenant T
  trees versions <name> --tenant T
  trees diff <name> --tenant T [--from V1] [--to V2]
  terms add --tenant T --url URL [--title T]
  terms list --tenant T
  settings profile --tenant T [--required name,phone]
  settings registration --tenant T [--set JSON]   (moderation, autoVerify, password, invitations, …)
  mail-templates list --tenant T
  mail-templates show|reset <name> --tenant T
  mail-templates set <name> --tenant T --file override.json   ({ "subject", "text", "html" }, each optional)
  settings legacy --tenant T [--allow URL-prefix]... [--ttl 30d]   (where legacy /login may return; user token lifetime)
  settings rate-limits --tenant T [--set JSON]   ({"journeyStartsPerAddress":{"limit":100,"window":"1m"}, …}; null: the default)
  invitations create --tenant T --email E [--ttl 7d]   (needs Temporal: TEMPORAL_ADDRESS or a running start)
  invitations list --tenant T
  invitations revoke --tenant T --id ID
  admin-tokens create|revoke --tenant T --name N [--role R]   (create prints the token once; R: tenant-admin (default), approver, auditor, super-admin)
  roles grant|revoke --tenant T (--email E | --id ID) --role R   (super-admin, tenant-admin, approver, auditor)
  roles list --tenant T [--role R]
  audit list --tenant T [--type T | --type prefix.*] [--subject S] [--actor A] [--client C] [--journey ID] [--from ISO] [--to ISO] [--limit N]
  admin-tokens list --tenant T
  scim-tokens create|list|revoke --tenant T [--name N]   (bearer tokens of /t/T/scim/v2; create prints the token once)
  clients create --tenant T [--client-id ID] [--secret S] [--name N] [--redirect-uri U]... [--grant-type G]...
          [--public] [--first-party] [--post-logout-redirect-uri U]... [--backchannel-logout-uri U] [--scope "openid profile"]
          [--set JSON]       (OIDC relying parties; create prints the secret once; --set e.g. '{"permissions":["GET::/api/.*"]}')
  clients update --tenant T --client-id ID [the flags of create but --secret] [--set JSON]   (null in --set removes a setting)
  clients show|delete|rotate-secret --tenant T --client-id ID   (rotate-secret prints the new secret once)
  clients list --tenant T
  keys rotate --tenant T [--grace 24h]   (new signing keys; the old ones stay published for the grace period)
  keys list --tenant T
  data-keys status|rotate [--tenant T]   (secrets at rest: counts per data key; rotate re-seals under the first key)
  services register|unregister --tenant T --name N   (legacy login services; register prints the token once)
  services list --tenant T
  saml-sps add --tenant T --metadata sp.xml [--name-id-format email|persistent|transient] [--sign response|assertion|both]
          [--encrypt] [--attribute samlName=claim]... [--no-idp-initiated] [--require-signed-requests]
                             (SAML service providers of the tenant's IdP, from their metadata)
  saml-sps list --tenant T
  saml-sps delete --tenant T --entity-id ID
  idps add|update --tenant T --alias A (--kind oidc --issuer URL --client-id ID [--secret S] [--scope S]
          | --preset google|microsoft|github --client-id ID --secret S | --kind saml --metadata idp.xml)
          [--display-name N] [--file idp.json] [--set JSON]   (upstream IdPs; --set e.g. '{"provisioning":{"jit":false}}')
  idps list --tenant T
  idps show|enable|disable|delete --tenant T --alias A
  webhooks create --tenant T --url U --event E [--event E2]... [--dead-letter 24h] [--description D]   (prints the signing secret once)
  webhooks list --tenant T · webhooks delete|deliveries --tenant T --id ID [--status pending|delivered|dead-lettered]
  webhooks rotate-secret --tenant T --id ID [--grace 24h]   (prints the new secret once; the old one signs too for the grace)

Environment: PORT, PUBLIC_URL, DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE,
DATA_DIR, SMTP_URL, MAIL_FROM, TESSERA_SEED, JOURNEY_IDLE_TIMEOUT, JOURNEY_ANSWER_TIMEOUT, TESSERA_CODEC_KEYS, TESSERA_DATA_KEYS, TEMPORAL_CLI_PATH, TESSERA_WEBHOOK_RETRY_BASE`;

type Admin = (db: Db, verb: string, args: string[], flags: Flags) => Promise<void>;
const ADMIN: Record<string, Admin> = {
  tenants: tenantsCommand, users: usersCommand, trees: treesCommand, terms: termsCommand, settings: settingsCommand,
  invitations: invitationsCommand,
  'admin-tokens': adminTokensCommand,
  'scim-tokens': scimTokensCommand,
  clients: clientsCommand, keys: keysCommand,
  services: servicesCommand,
  'saml-sps': samlSpsCommand,
  idps: idpsCommand,
  roles: rolesCommand,
  audit: auditCommand,
  groups: groupsCommand,
  'mail-templates': mailTemplatesCommand,
  webhooks: webhooksCommand,
  'data-keys': dataKeysCommand,
};
const RUN: Record<string, (config: Config) => Promise<Running>> = { start: startAll, server: startServer, worker: startWorker };

async function runProcess(starter: (config: Config) => Promise<Running>, config: Config): Promise<number> {
  const running = await starter(config);
  running.lifecycle.onSignals();
  for (const message of running.messages) console.log(message);
  await new Promise(() => {});
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { positionals, flags } = parse(argv);
    const [noun, verb, ...rest] = positionals;
    if (!noun || flags.help || noun === 'help') {
      console.log(HELP);
      return 0;
    }
    const config = loadConfig();
    const starter = RUN[noun];
    if (starter) return await runProcess(starter, config);
    const admin = ADMIN[noun];
    if (!admin) throw new UsageError(`unknown command "${noun}"; see tessera --help`);
    if (!verb) throw new UsageError(`"${noun}" needs a verb; see tessera --help`);
    const database = await openDatabase(config, 'any');
    try {
      await admin(database.db, verb, rest, flags);
    } finally {
      await database.close();
    }
    return 0;
  } catch (err) {
    console.error(`tessera: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

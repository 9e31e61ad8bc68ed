// tessera invitations create|list|revoke --tenant T — clients of the management operations
// (invitations.create|list|revoke). create and revoke go through the invitation workflow, so they
// need Temporal: TEMPORAL_ADDRESS, or the embedded server of a `tessera start` on this DATA_DIR.
// The mailed code is never printed.
import { loadConfig, type Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { isDuration } from '../../core/infra/duration.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

interface InvitationJson { id: string; email: string; status: string; expiresAt: string; inviter: string; createdAt: string }

const row = (i: InvitationJson) => ({ id: i.id, email: i.email, status: i.status, expires: i.expiresAt, inviter: i.inviter, created: i.createdAt });

function mailNote(config: Config): string {
  if (config.smtpUrl) return 'the invitation mail is on its way (SMTP)';
  return config.devMail ? `read the invitation mail at ${config.publicUrl}/dev/mail` : 'the invitation mail goes to the dev mailbox (no SMTP_URL; /dev/mail with TESSERA_DEV_MAIL=1)';
}

export async function invitationsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  switch (verb) {
    case 'create': {
      const email = required(flags, 'email');
      if (flags.ttl !== undefined && !isDuration(flags.ttl)) throw new UsageError('--ttl must be a duration such as 12h or 7d');
      const invitation = await runOperation<InvitationJson>(db, 'invitations.create', { tenant, body: { email, ...(flags.ttl ? { ttl: flags.ttl } : {}) } });
      printOne(row(invitation), flags.json);
      if (!flags.json) console.log(mailNote(loadConfig()));
      return;
    }
    case 'list': {
      const { items } = await runOperation<{ items: InvitationJson[] }>(db, 'invitations.list', { tenant, query: { limit: '200' } });
      printRows(items.map(row), flags.json);
      return;
    }
    case 'revoke': {
      const id = required(flags, 'id');
      printOne(row(await runOperation<InvitationJson>(db, 'invitations.revoke', { tenant, params: { id } })), flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "invitations ${verb}" (create, list, revoke)`);
  }
}

// tessera invitations create|list|revoke --tenant T
// create and revoke go through the invitation workflow, so they need Temporal: TEMPORAL_ADDRESS,
// or the embedded server of a `tessera start` on this DATA_DIR. The mailed code is never printed.
import { loadConfig, type Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { isDuration, parseDuration } from '../../core/infra/duration.ts';
import { createInvitation, InvitationError, revokeInvitation } from '../../core/registration/invitation-lifecycle.ts';
import { listInvitations, type Invitation } from '../../core/registration/invitations.ts';
import { getRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { withCliTemporal } from '../runtime/cli-temporal.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const row = (i: Invitation) => ({ id: i.id, email: i.email, status: i.status, expires: i.expiresAt, inviter: i.inviter, created: i.createdAt });

function mailNote(config: Config): string {
  if (config.smtpUrl) return 'the invitation mail is on its way (SMTP)';
  return config.devMail ? `read the invitation mail at ${config.publicUrl}/dev/mail` : 'the invitation mail goes to the dev mailbox (no SMTP_URL; /dev/mail with TESSERA_DEV_MAIL=1)';
}

export async function invitationsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'create': {
      const email = required(flags, 'email');
      if (flags.ttl !== undefined && !isDuration(flags.ttl)) throw new UsageError('--ttl must be a duration such as 12h or 7d');
      const ttlMs = parseDuration(flags.ttl ?? (await getRegistrationSettings(db, tenant)).invitations.ttl);
      const config = loadConfig();
      try {
        const invitation = await withCliTemporal(config, (temporal) => createInvitation(db, temporal, config, { tenant, email, inviter: 'cli', ttlMs }));
        printOne(row(invitation), flags.json);
      } catch (err) {
        if (err instanceof InvitationError && err.code !== 'already_registered') throw new UsageError(err.message);
        throw err;
      }
      if (!flags.json) console.log(mailNote(config));
      return;
    }
    case 'list':
      printRows((await listInvitations(db, tenant)).map(row), flags.json);
      return;
    case 'revoke': {
      const id = required(flags, 'id');
      const config = loadConfig();
      const result = await withCliTemporal(config, (temporal) => revokeInvitation(db, temporal, tenant, id, 'cli'));
      if (!result.ok && result.reason === 'unknown') throw new Error(`no invitation "${id}" in tenant "${tenant}"`);
      if (!result.ok) throw new Error(`invitation "${id}" has already ended (accepted, revoked or expired)`);
      printOne(row(result.invitation), flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "invitations ${verb}" (create, list, revoke)`);
  }
}

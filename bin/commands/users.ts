// tessera users create|list|show|activate|deactivate|approve|reject --tenant T
// approve and reject go through the account's registration workflow (which alone decides), so
// they need Temporal: TEMPORAL_ADDRESS, or a `tessera start` running on this DATA_DIR.
import { findApprovalForUser } from '../../core/registration/approvals.ts';
import { loadConfig } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { createUser, findUserByLogin, getUser, listUsers, setUserStatus, type User, type UserStatus } from '../../core/accounts/users.ts';
import { getTotpSecret } from '../../core/accounts/totp.ts';
import { decideApproval } from '../../server/api/admin/decide-approval.ts';
import { withCliTemporal } from '../runtime/cli-temporal.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const row = (u: User) => ({ id: u.id, username: u.username, email: u.email, name: u.name, status: u.status, created: u.createdAt });

const MAX_REASON = 500;

/** Hands the decision to the registration workflow; prints the account's new status. */
async function decide(db: Db, tenant: string, user: User, kind: 'approve' | 'reject', flags: Flags): Promise<void> {
  const reason = flags.reason?.trim();
  if (reason !== undefined && (reason.length === 0 || reason.length > MAX_REASON)) throw new UsageError(`--reason must be 1-${MAX_REASON} characters`);
  const approval = await findApprovalForUser(db, tenant, user.id);
  if (!approval) throw new Error(`no approval is pending for this user in tenant "${tenant}"`);
  if (approval.status !== 'pending') throw new Error(`already decided (${approval.status})`);
  const result = await withCliTemporal(loadConfig(), (temporal) => decideApproval(temporal, approval, kind, { by: 'cli', ...(reason ? { reason } : {}) }));
  if (!result.ok) throw new Error('already decided');
  const updated = (await getUser(db, tenant, user.id)) ?? user;
  printOne({ ...row(updated), approval: result.status }, flags.json);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function findOne(db: Db, tenant: string, args: string[], flags: Flags): Promise<User> {
  const login = flags.email ?? flags.username ?? args[0];
  const user = flags.id ? await getUser(db, tenant, flags.id) : login ? await findUserByLogin(db, tenant, login) : undefined;
  if (!flags.id && !login) throw new UsageError('name the user: --email, --username, --id or a positional login');
  if (!user) throw new Error(`no such user in tenant "${tenant}"`);
  return user;
}

export async function usersCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'create': {
      if (!flags.email && !flags.username) throw new UsageError('--email or --username is required');
      const status = (flags.status ?? 'active') as UserStatus;
      if (!['active', 'pending', 'disabled'].includes(status)) throw new UsageError('--status is active, pending or disabled');
      const password = flags['password-stdin'] ? await readStdin() : flags.password;
      printOne(row(await createUser(db, tenant, { email: flags.email, username: flags.username, name: flags.name, password, status })), flags.json);
      return;
    }
    case 'list':
      printRows((await listUsers(db, tenant)).map(row), flags.json);
      return;
    case 'show': {
      const user = await findOne(db, tenant, args, flags);
      printOne({ ...row(user), totp: (await getTotpSecret(db, tenant, user.id)) ? 'enrolled' : 'none' }, flags.json);
      return;
    }
    case 'activate':
    case 'deactivate': {
      const user = await findOne(db, tenant, args, flags);
      const updated = await setUserStatus(db, tenant, user.id, verb === 'activate' ? 'active' : 'disabled');
      printOne(row(updated!), flags.json);
      return;
    }
    case 'approve':
    case 'reject':
      await decide(db, tenant, await findOne(db, tenant, args, flags), verb, flags);
      return;
    default:
      throw new UsageError(`unknown command "users ${verb}" (create, list, show, activate, deactivate, approve, reject)`);
  }
}

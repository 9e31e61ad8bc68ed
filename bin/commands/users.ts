// tessera users create|list|show|update|activate|deactivate|delete|set-password|reset-password|
//   sessions|end-sessions|approve|reject --tenant T
// Every verb runs the management API's operation (bin/admin-operations.ts): the same checks, the
// same code and an audit event naming `cli:<os user>`; approve and reject find the user's approval
// and run approvals.approve|reject. Ending sessions (and disabling, deleting or a new password for
// a user who has some) starts back-channel logouts, and reset-password runs the recovery journey:
// those need Temporal, as approve and reject always do (TEMPORAL_ADDRESS, or a `tessera start`
// running on this DATA_DIR).
import { findApprovalForUser } from '../../core/registration/approvals.ts';
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { findUserByLogin, getUser, type User } from '../../core/accounts/users.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';
import { runOperation } from '../admin-operations.ts';

interface UserLike { id: string; username: string; email: string | null; name: string | null; status: string; createdAt: Date | string }

const row = (u: UserLike) => ({ id: u.id, username: u.username, email: u.email, name: u.name, status: u.status, created: u.createdAt });

const MAX_REASON = 500;

/** Hands the decision to the registration workflow; prints the account's new status. */
async function decide(db: Db, tenant: string, user: User, kind: 'approve' | 'reject', flags: Flags): Promise<void> {
  const reason = flags.reason?.trim();
  if (reason !== undefined && (reason.length === 0 || reason.length > MAX_REASON)) throw new UsageError(`--reason must be 1-${MAX_REASON} characters`);
  const approval = await findApprovalForUser(db, tenant, user.id);
  if (!approval) throw new Error(`no approval is pending for this user in tenant "${tenant}"`);
  if (approval.status !== 'pending') throw new Error(`already decided (${approval.status})`);
  const result = await runOperation<{ status: string }>(db, `approvals.${kind}`, { tenant, params: { id: approval.id }, body: reason ? { reason } : {} })
    .catch((err: Error) => { throw /already been decided/i.test(err.message) ? new Error('already decided') : err; });
  const updated = (await getUser(db, tenant, user.id)) ?? user;
  printOne({ ...row(updated), approval: result.status }, flags.json);
}

export async function readStdin(): Promise<string> {
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

/** Every page of a list operation. */
export async function allPages<T>(db: Db, id: string, tenant: string, params: Record<string, string> = {}, query: Record<string, string> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const res: { items: T[]; next: string | null } = await runOperation(db, id, { tenant, params, query: { ...query, limit: '200', ...(cursor ? { cursor } : {}) } });
    items.push(...res.items);
    cursor = res.next;
  } while (cursor);
  return items;
}

/** The JSON object of --set. @throws UsageError when it is not one. */
function attributesOf(flags: Flags): Record<string, unknown> | undefined {
  if (flags.set === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(flags.set);
  } catch {
    throw new UsageError('--set must be a JSON object of attributes, e.g. \'{"department":"ops"}\'');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--set must be a JSON object of attributes');
  return value as Record<string, unknown>;
}

async function passwordOf(flags: Flags): Promise<string | undefined> {
  return flags['password-stdin'] ? readStdin() : flags.password;
}

const VERBS = 'create, list, show, update, activate, deactivate, delete, set-password, reset-password, sessions, end-sessions, approve, reject';

export async function usersCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  const run = <T = any>(id: string, raw: { params?: unknown; body?: unknown; query?: unknown }) => runOperation<T>(db, id, { tenant, ...raw });
  switch (verb) {
    case 'create': {
      if (!flags.email && !flags.username) throw new UsageError('--email or --username is required');
      const password = await passwordOf(flags);
      const body = { email: flags.email, username: flags.username, name: flags.name, password, status: flags.status ?? 'active' };
      printOne(row(await run('users.create', { body })), flags.json);
      return;
    }
    case 'list':
      printRows((await allPages<UserLike>(db, 'users.list', tenant)).map(row), flags.json);
      return;
    case 'show': {
      const user = await findOne(db, tenant, args, flags);
      const credentials = await run<{ totp: { enrolled: boolean } }>('users.credentials', { params: { id: user.id } });
      printOne({ ...row(await run('users.get', { params: { id: user.id } })), totp: credentials.totp.enrolled ? 'enrolled' : 'none' }, flags.json);
      return;
    }
    case 'update': {
      const user = await findOne(db, tenant, args, flags);
      const attributes = attributesOf(flags);
      const body = {
        ...(flags['new-email'] !== undefined ? { email: flags['new-email'] } : {}), ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(flags.status !== undefined ? { status: flags.status } : {}), ...(attributes ? { attributes } : {}),
      };
      if (Object.keys(body).length === 0) throw new UsageError('say what changes: --new-email, --name, --status or --set');
      const updated = await run('users.update', { params: { id: user.id }, body });
      printOne({ ...row(updated), attributes: updated.attributes }, flags.json);
      return;
    }
    case 'activate':
    case 'deactivate': {
      const user = await findOne(db, tenant, args, flags);
      printOne(row(await run('users.update', { params: { id: user.id }, body: { status: verb === 'activate' ? 'active' : 'disabled' } })), flags.json);
      return;
    }
    case 'delete': {
      const user = await findOne(db, tenant, args, flags);
      await run('users.delete', { params: { id: user.id } });
      printOne({ id: user.id, username: user.username, deleted: true }, flags.json);
      return;
    }
    case 'set-password': {
      const user = await findOne(db, tenant, args, flags);
      const password = await passwordOf(flags);
      if (password === undefined) throw new UsageError('--password-stdin (or --password) is required');
      await run('users.set-password', { params: { id: user.id }, body: { password } });
      printOne({ id: user.id, password: 'set', sessions: 'ended' }, flags.json);
      return;
    }
    case 'reset-password': {
      const user = await findOne(db, tenant, args, flags);
      const sent = await run<{ email: string }>('users.reset-password', { params: { id: user.id } });
      printOne({ id: user.id, email: sent.email, link: 'sent' }, flags.json);
      return;
    }
    case 'sessions': {
      const user = await findOne(db, tenant, args, flags);
      printRows(await allPages<Record<string, unknown>>(db, 'users.list-sessions', tenant, { id: user.id }), flags.json);
      return;
    }
    case 'end-sessions': {
      const user = await findOne(db, tenant, args, flags);
      await run('users.end-sessions', { params: { id: user.id } });
      printOne({ id: user.id, sessions: 'ended' }, flags.json);
      return;
    }
    case 'approve':
    case 'reject':
      await decide(db, tenant, await findOne(db, tenant, args, flags), verb, flags);
      return;
    default:
      throw new UsageError(`unknown command "users ${verb}" (${VERBS})`);
  }
}

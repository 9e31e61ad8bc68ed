// tessera groups create|list|show|update|delete|members|add-member|remove-member --tenant T
// Every verb runs the management API's operation (bin/admin-operations.ts): the same checks, the
// same code and an audit event naming `cli:<os user>`. A group is named by --group (its id or
// name) or --id; a member by --user (id, username or email) or --email.
import { findGroupByName, getGroup, type Group } from '../../core/accounts/groups.ts';
import type { Db } from '../../core/infra/db.ts';
import { findUserByLogin, getUser, type User } from '../../core/accounts/users.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';
import { allPages } from './users.ts';

interface GroupLike { id: string; name: string; description: string; role: string | null; members: number; createdAt: Date | string }

const row = (g: GroupLike) => ({ id: g.id, name: g.name, description: g.description, role: g.role, members: g.members, created: g.createdAt });

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

async function findGroup(db: Db, tenant: string, flags: Flags): Promise<Group> {
  const key = flags.group ?? flags.id;
  if (!key) throw new UsageError('name the group: --group (id or name) or --id');
  const group = (isUuid(key) ? await getGroup(db, tenant, key) : undefined) ?? (await findGroupByName(db, tenant, key));
  if (!group) throw new Error(`no such group in tenant "${tenant}"`);
  return group;
}

async function findMember(db: Db, tenant: string, flags: Flags): Promise<User> {
  const key = flags.user ?? flags.email;
  if (!key) throw new UsageError('name the user: --user (id, username or email) or --email');
  const user = (isUuid(key) ? await getUser(db, tenant, key) : undefined) ?? (await findUserByLogin(db, tenant, key));
  if (!user) throw new Error(`no such user in tenant "${tenant}"`);
  return user;
}

const VERBS = 'create, list, show, update, delete, members, add-member, remove-member';

export async function groupsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  const run = <T = any>(id: string, raw: { params?: unknown; body?: unknown }) => runOperation<T>(db, id, { tenant, ...raw });
  switch (verb) {
    case 'create': {
      const body = { name: required(flags, 'name'), ...(flags.description !== undefined ? { description: flags.description } : {}) };
      printOne(row(await run('groups.create', { body })), flags.json);
      return;
    }
    case 'list':
      printRows((await allPages<GroupLike>(db, 'groups.list', tenant)).map(row), flags.json);
      return;
    case 'show':
      printOne(row(await run('groups.get', { params: { id: (await findGroup(db, tenant, flags)).id } })), flags.json);
      return;
    case 'update': {
      const group = await findGroup(db, tenant, flags);
      const body = { ...(flags.name !== undefined ? { name: flags.name } : {}), ...(flags.description !== undefined ? { description: flags.description } : {}) };
      if (Object.keys(body).length === 0) throw new UsageError('say what changes: --name or --description');
      printOne(row(await run('groups.update', { params: { id: group.id }, body })), flags.json);
      return;
    }
    case 'delete': {
      const group = await findGroup(db, tenant, flags);
      await run('groups.delete', { params: { id: group.id } });
      printOne({ id: group.id, name: group.name, deleted: true }, flags.json);
      return;
    }
    case 'members': {
      const group = await findGroup(db, tenant, flags);
      const members = await allPages<{ id: string; username: string; email: string | null; name: string | null; status: string }>(
        db, 'groups.list-members', tenant, { id: group.id });
      printRows(members.map((u) => ({ id: u.id, username: u.username, email: u.email, name: u.name, status: u.status })), flags.json);
      return;
    }
    case 'add-member':
    case 'remove-member': {
      const group = await findGroup(db, tenant, flags);
      const user = await findMember(db, tenant, flags);
      await run(verb === 'add-member' ? 'groups.add-member' : 'groups.remove-member', { params: { id: group.id, userId: user.id } });
      printOne({ group: group.name, user: user.username, member: verb === 'add-member' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "groups ${verb}" (${VERBS})`);
  }
}

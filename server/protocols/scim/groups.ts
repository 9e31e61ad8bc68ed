// /Groups: Tessera groups as SCIM Groups (core/scim/group-mapper.ts); every change goes through the
// management operations groups.create, groups.update, groups.add-member, groups.remove-member and
// groups.delete. Rules: every member must be a user of the tenant, checked before anything
// changes (400 invalidValue naming it); role groups are not SCIM's (404, scim-store.ts).
import { getUser } from '../../../core/accounts/users.ts';
import { groupFields, groupResource, type GroupFields, type GroupView } from '../../../core/scim/group-mapper.ts';
import { invalidValue } from '../../../core/scim/scim-error.ts';
import { loadGroupView, scanGroups, setExternalId } from '../../../core/scim/scim-store.ts';
import { GROUP_SCHEMA, RESOURCE_ATTRIBUTES } from '../../../core/scim/schemas.ts';
import { requiredEquality } from '../../../core/scim/filter-narrowing.ts';
import { callAdmin, saveExternalId, type ScimCaller, type ScimDeps } from './admin-calls.ts';
import { resourceRoutes } from './resource-routes.ts';

async function checkMembers(caller: ScimCaller, ids: string[]): Promise<void> {
  for (const id of ids) {
    if (!(await getUser(caller.deps.db, caller.tenant, id))) throw invalidValue(`members: there is no user "${id.slice(0, 64)}"`);
  }
}

async function applyMembers(caller: ScimCaller, groupId: string, add: string[], remove: string[]): Promise<void> {
  for (const userId of add) await callAdmin(caller, 'groups.add-member', { params: { id: groupId, userId } });
  for (const userId of remove) await callAdmin(caller, 'groups.remove-member', { params: { id: groupId, userId } });
}

async function create(caller: ScimCaller, f: GroupFields): Promise<string> {
  await checkMembers(caller, f.members);
  const group = await callAdmin<{ id: string }>(caller, 'groups.create', { body: { name: f.name } });
  await applyMembers(caller, group.id, f.members, []);
  if (f.externalId) await saveExternalId(caller, 'Group', group.id, f.externalId);
  return group.id;
}

async function update(caller: ScimCaller, view: GroupView, f: GroupFields): Promise<void> {
  const had = new Set(view.members.map((m) => m.id));
  const add = f.members.filter((id) => !had.has(id));
  const remove = [...had].filter((id) => !f.members.includes(id));
  await checkMembers(caller, add);
  if (f.name !== view.group.name) await callAdmin(caller, 'groups.update', { params: { id: view.group.id }, body: { name: f.name } });
  await applyMembers(caller, view.group.id, add, remove);
  if ((view.externalId ?? null) !== f.externalId) await saveExternalId(caller, 'Group', view.group.id, f.externalId);
}

export const groupRoutes = (deps: ScimDeps) => resourceRoutes<GroupView>(deps, {
  name: 'Group',
  schema: GROUP_SCHEMA,
  attributes: RESOURCE_ATTRIBUTES.Group,
  load: (caller, id) => loadGroupView(caller.deps.db, caller.tenant, id),
  scan: (caller, filter) => scanGroups(caller.deps.db, caller.tenant, {
    name: requiredEquality(filter, 'displayName', GROUP_SCHEMA), externalId: requiredEquality(filter, 'externalId', GROUP_SCHEMA),
  }),
  represent: groupResource,
  create: (caller, body) => create(caller, groupFields(body)),
  update: (caller, view, body) => update(caller, view, groupFields(body)),
  async remove(caller, view) {
    await callAdmin(caller, 'groups.delete', { params: { id: view.group.id } });
    await setExternalId(caller.deps.db, caller.tenant, 'Group', view.group.id, null);
  },
  idOf: (view) => view.group.id,
});

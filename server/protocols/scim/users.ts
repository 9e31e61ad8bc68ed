// /Users: Tessera users as SCIM Users (core/scim/user-mapper.ts); every change goes through the
// management operations users.create, users.update, users.set-password and users.delete.
import { loadUserView, scanUsers, setExternalId } from '../../../core/scim/scim-store.ts';
import { RESOURCE_ATTRIBUTES, USER_SCHEMA } from '../../../core/scim/schemas.ts';
import { userFields, userResource, type UserView } from '../../../core/scim/user-mapper.ts';
import { requiredEquality } from '../../../core/scim/filter-narrowing.ts';
import { callAdmin, type ScimDeps } from './admin-calls.ts';
import { resourceRoutes } from './resource-routes.ts';
import { checkNotSuperAdmin, createUserFrom, updateUserFrom } from './user-writes.ts';

export const userRoutes = (deps: ScimDeps) => resourceRoutes<UserView>(deps, {
  name: 'User',
  schema: USER_SCHEMA,
  attributes: RESOURCE_ATTRIBUTES.User,
  load: (caller, id) => loadUserView(caller.deps.db, caller.tenant, id),
  scan: (caller, filter) => scanUsers(caller.deps.db, caller.tenant, {
    name: requiredEquality(filter, 'userName', USER_SCHEMA), externalId: requiredEquality(filter, 'externalId', USER_SCHEMA),
  }),
  represent: userResource,
  create: (caller, body) => createUserFrom(caller, userFields(body)),
  update: (caller, view, body, before) => updateUserFrom(caller, view.user, userFields(body, before), view.externalId),
  async remove(caller, view) {
    await checkNotSuperAdmin(caller, view.user);
    await callAdmin(caller, 'users.delete', { params: { id: view.user.id } });
    await setExternalId(caller.deps.db, caller.tenant, 'User', view.user.id, null);
  },
  idOf: (view) => view.user.id,
});

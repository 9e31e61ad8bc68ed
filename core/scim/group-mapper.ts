// A Tessera group as a SCIM Group (RFC 7643 §4.2) and back: displayName ↔ name, members ↔ the
// users in the group (groups cannot be members of groups in Tessera: 400 invalidValue),
// externalId ↔ scim_external_ids.
import type { Group } from '../accounts/groups.ts';
import { GROUP_SCHEMA } from './schemas.ts';
import { invalidValue } from './scim-error.ts';
import { list, text } from './scim-values.ts';
import { withVersion } from './version.ts';

type Json = Record<string, unknown>;

export interface GroupView {
  group: Group;
  members: { id: string; username: string }[];
  externalId?: string;
}

export function groupResource(view: GroupView, base: string): Json {
  const { group } = view;
  return withVersion({
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(view.externalId ? { externalId: view.externalId } : {}),
    displayName: group.name,
    members: view.members.map((m) => ({ value: m.id, $ref: `${base}/Users/${m.id}`, display: m.username, type: 'User' })),
    meta: {
      resourceType: 'Group', created: group.createdAt.toISOString(), lastModified: group.updatedAt.toISOString(),
      location: `${base}/Groups/${group.id}`,
    },
  });
}

export interface GroupFields { name: string; externalId: string | null; members: string[] }

/** @throws ScimError 400 invalidValue for a missing displayName, a member without a value, or a group as a member. */
export function groupFields(resource: Json): GroupFields {
  const name = text(resource, 'displayName');
  if (!name) throw invalidValue('displayName is required');
  const members: string[] = [];
  for (const member of list(resource, 'members')) {
    const value = text(member, 'value', 'members.value');
    if (!value) throw invalidValue('every member needs a value (the user\'s id)');
    const type = text(member, 'type', 'members.type');
    if (type !== undefined && type.toLowerCase() !== 'user') throw invalidValue('members must be users: Tessera groups do not nest');
    if (!members.includes(value)) members.push(value);
  }
  return { name, externalId: text(resource, 'externalId') ?? null, members };
}

// Every management operation, in one list: the HTTP routes, the OpenAPI document and the CLI are
// all made from it. Within a resource, literal paths come before `{id}` paths.
import type { Operation } from './operation.ts';
import { operations as adminTokens } from './resources/admin-tokens.ts';
import { operations as approvals } from './resources/approvals.ts';
import { operations as auditEvents } from './resources/audit-events.ts';
import { operations as clients } from './resources/clients.ts';
import { operations as groups } from './resources/groups.ts';
import { operations as idps } from './resources/idps.ts';
import { operations as invitations } from './resources/invitations.ts';
import { operations as journeys } from './resources/journeys.ts';
import { operations as keys } from './resources/keys.ts';
import { operations as mailTemplates } from './resources/mail-templates.ts';
import { operations as me } from './resources/me.ts';
import { operations as permissions } from './resources/permissions.ts';
import { operations as roles } from './resources/roles.ts';
import { operations as samlSps } from './resources/saml-sps.ts';
import { operations as scimTokens } from './resources/scim-tokens.ts';
import { operations as services } from './resources/services.ts';
import { operations as tenants } from './resources/tenants.ts';
import { operations as terms } from './resources/terms.ts';
import { operations as trees } from './resources/trees.ts';
import { operations as users } from './resources/users.ts';
import { operations as webhooks } from './resources/webhooks.ts';

export const OPERATIONS: Operation[] = [
  ...me, ...tenants, ...users, ...groups, ...permissions, ...roles, ...clients, ...keys, ...trees, ...idps, ...samlSps, ...terms,
  ...invitations, ...approvals, ...services, ...mailTemplates, ...adminTokens, ...scimTokens, ...auditEvents, ...journeys,
  ...webhooks,
];

export const CATALOGUE: ReadonlyMap<string, Operation> = new Map(OPERATIONS.map((op) => [op.id, op]));
if (CATALOGUE.size !== OPERATIONS.length) throw new Error('two management operations share an id');

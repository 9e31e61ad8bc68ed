// The user row read together with a token (token-lookup.ts), handed to the findAccount of the same
// request: the refresh grant, the code exchange and userinfo each find a token and then its
// account, and on the embedded database every statement counts. Rules:
// - scoped to one request: the row is kept on that request's context object (log-context.ts, one
//   per request, gone with it), so no other request ever sees it and nothing outlives the request;
// - taken once: a second findAccount of the same user in the request reads the database;
// - a request with no context (none in the server today) simply reads the database.
import { currentLogContext } from '../../../core/infra/log-context.ts';

const held = new WeakMap<object, Map<string, Record<string, unknown>>>();

function key(tenant: string, userId: string): string {
  return `${tenant}\0${userId}`;
}

/** Keeps `row` (a users row with its `groups`) for this request's next findAccount of `userId`. */
export function holdAccountRow(tenant: string, userId: string, row: Record<string, unknown>): void {
  const request = currentLogContext();
  if (!request) return;
  let rows = held.get(request);
  if (!rows) held.set(request, (rows = new Map()));
  rows.set(key(tenant, userId), row);
}

/** The row held in this request for `userId`, once; undefined when there is none. */
export function takeAccountRow(tenant: string, userId: string): Record<string, unknown> | undefined {
  const rows = held.get(currentLogContext() ?? {});
  if (!rows) return undefined;
  const k = key(tenant, userId);
  const row = rows.get(k);
  rows.delete(k);
  return row;
}

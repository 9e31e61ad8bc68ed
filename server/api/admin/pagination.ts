// Cursor pagination for every list: `?limit=&cursor=` in, `{ items, next }` out. A cursor is the
// sort key of the last item served, base64url JSON: opaque to callers, and a stale one never skips
// or repeats rows the way offsets do when rows are added in between.
import { z } from 'zod';
import { HttpError } from '../../http-error.ts';

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page (1-200, default 50).'),
  cursor: z.string().max(500).optional().describe('The `next` of the previous page.'),
});

export const listOf = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  next: z.string().nullable().describe('Cursor of the next page; null on the last page.'),
});

/** @throws HttpError 400 for a cursor this API did not hand out. */
export function decodeCursor<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch { /* answered below */ }
  throw new HttpError(400, 'invalid_request', 'cursor: not a cursor of this list.');
}

export const encodeCursor = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/**
 * One page from rows fetched with `limit + 1` (the extra row only says there is more).
 * `keyOf` gives the sort key the next page starts after.
 */
export function page<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => unknown, toItem: (row: Row) => Item): { items: Item[]; next: string | null } {
  const more = rows.length > limit;
  const served = more ? rows.slice(0, limit) : rows;
  return { items: served.map(toItem), next: more ? encodeCursor(keyOf(served[served.length - 1]!)) : null };
}

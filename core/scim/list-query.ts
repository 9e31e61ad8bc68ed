// SCIM list parameters (RFC 7644 §3.4.2): filter, sortBy/sortOrder, startIndex (1-based) and count,
// and the page they pick from the matching resources.
// Rules: startIndex below 1 counts as 1; count below 0 as 0 (only totalResults), above MAX_RESULTS
// as MAX_RESULTS (the limit /ServiceProviderConfig announces); a value that is not an integer is
// 400 invalidValue; sorting compares strings ignoring case, and resources without the attribute
// come last (ascending) whatever the order.
import { matchesFilter, type FilterTarget } from './filter-eval.ts';
import { parseFilter, parsePatchPath, type Filter } from './filter-parser.ts';
import { invalidValue } from './scim-error.ts';
import { getCI } from './schema-types.ts';

export const MAX_RESULTS = 200;
export const DEFAULT_COUNT = 100;

export interface ListQuery { filter?: Filter; sortBy?: { attr: string; sub?: string }; descending: boolean; startIndex: number; count: number }

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^-?\d{1,9}$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw invalidValue(`${name} must be an integer`);
  return n;
}

function string(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidValue(`${name} must be a string`);
  return value;
}

/** From query parameters or a SearchRequest body. @throws ScimError 400 invalidFilter / invalidValue / invalidPath. */
export function listQuery(input: Record<string, unknown>): ListQuery {
  const filterText = string(input.filter, 'filter');
  const sortText = string(input.sortBy, 'sortBy');
  const order = string(input.sortOrder, 'sortOrder')?.toLowerCase();
  if (order !== undefined && order !== 'ascending' && order !== 'descending') throw invalidValue('sortOrder must be ascending or descending');
  const sortPath = sortText ? parsePatchPath(sortText) : undefined;
  if (sortPath?.filter) throw invalidValue('sortBy takes an attribute, not a value filter');
  return {
    ...(filterText !== undefined && filterText.trim() !== '' ? { filter: parseFilter(filterText) } : {}),
    ...(sortPath ? { sortBy: { attr: sortPath.path.attr, ...(sortPath.path.sub ? { sub: sortPath.path.sub } : {}) } } : {}),
    descending: order === 'descending',
    startIndex: Math.max(1, integer(input.startIndex, 'startIndex') ?? 1),
    count: Math.min(MAX_RESULTS, Math.max(0, integer(input.count, 'count') ?? DEFAULT_COUNT)),
  };
}

function sortKey(resource: unknown, by: { attr: string; sub?: string }): string | number | boolean | undefined {
  let value = getCI(resource, by.attr);
  if (Array.isArray(value)) value = value.find((v) => getCI(v, 'primary') === true) ?? value[0];
  if (by.sub !== undefined) value = getCI(value, by.sub);
  else if (value && typeof value === 'object') value = getCI(value, 'value');
  if (typeof value === 'string') return value.toLowerCase();
  return typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

export interface Page<T> { totalResults: number; startIndex: number; itemsPerPage: number; Resources: T[] }

/** Filters `batches` (streamed), sorts when asked, and cuts the page. */
export async function pickPage<T extends Record<string, unknown>>(batches: AsyncIterable<T[]>, q: ListQuery, target: FilterTarget): Promise<Page<T>> {
  const matching: T[] = [];
  for await (const batch of batches) for (const r of batch) if (!q.filter || matchesFilter(q.filter, r, target)) matching.push(r);
  if (q.sortBy) {
    const by = q.sortBy;
    const keyed = matching.map((r) => ({ r, k: sortKey(r, by) }));
    keyed.sort((a, b) => {
      if (a.k === undefined || b.k === undefined) return a.k === b.k ? 0 : a.k === undefined ? 1 : -1;
      const order = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
      return q.descending ? -order : order;
    });
    matching.splice(0, matching.length, ...keyed.map((k) => k.r));
  }
  const Resources = matching.slice(q.startIndex - 1, q.startIndex - 1 + q.count);
  return { totalResults: matching.length, startIndex: q.startIndex, itemsPerPage: Resources.length, Resources };
}

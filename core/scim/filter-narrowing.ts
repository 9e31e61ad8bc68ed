// The equality a filter requires of every match, when it has one at its top (`userName eq "x"`,
// or such a term inside a chain of `and`s): provisioning clients look resources up this way
// before every change, so the store can fetch the few candidates by index instead of scanning the
// tenant. The full filter is still applied to the candidates, so this never changes the answer.
import type { Filter } from './filter-parser.ts';

/** The value `attr` (a top-level attribute, core schema or none) must equal, if the filter says so. */
export function requiredEquality(filter: Filter | undefined, attr: string, schema: string): string | undefined {
  if (!filter) return undefined;
  if (filter.op === 'and') return requiredEquality(filter.left, attr, schema) ?? requiredEquality(filter.right, attr, schema);
  if (filter.op !== 'eq' || typeof filter.value !== 'string' || filter.path.sub !== undefined) return undefined;
  if (filter.path.schema !== undefined && filter.path.schema.toLowerCase() !== schema.toLowerCase()) return undefined;
  return filter.path.attr.toLowerCase() === attr.toLowerCase() ? filter.value : undefined;
}

// Evaluates a parsed SCIM filter against a resource's SCIM representation (RFC 7644 §3.4.2.2).
// Rules: attribute names match in any case; a schema URI prefix must be the resource's core
// schema (any other names nothing, so nothing matches); strings compare ignoring case unless the
// attribute is caseExact (id, externalId, meta.version…); dateTime attributes compare as instants;
// a multi-valued attribute matches when any of its values does (a complex one by its `value`
// sub-attribute); an attribute that is absent or unknown matches nothing but `not (…)`;
// `co`/`sw`/`ew` need a string and `gt`/`ge`/`lt`/`le` refuse booleans (400 invalidFilter).
import type { AttrPath, CompareOp, Filter, Literal } from './filter-parser.ts';
import { invalidFilter } from './scim-error.ts';
import { findAttr, getCI, type AttrDef } from './schema-types.ts';

export interface FilterTarget {
  /** The resource's core schema URI (a prefix naming another schema matches nothing). */
  schema: string;
  attributes: readonly AttrDef[];
}

type Primitive = string | number | boolean;

interface Resolved { values: Primitive[]; def?: AttrDef }

function primitives(value: unknown): Primitive[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Primitive => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

function resolve(resource: unknown, path: AttrPath, defs: readonly AttrDef[], schema: string | undefined): Resolved {
  if (path.schema !== undefined && (schema === undefined || path.schema.toLowerCase() !== schema.toLowerCase())) return { values: [] };
  const def = findAttr(defs, path.attr);
  const value = getCI(resource, path.attr);
  if (path.sub !== undefined) {
    const subDef = findAttr(def?.subAttributes, path.sub);
    const holders = Array.isArray(value) ? value : [value];
    return { values: holders.flatMap((h) => primitives(getCI(h, path.sub!))), def: subDef };
  }
  if (def?.type === 'complex' || (Array.isArray(value) && value.some((v) => v && typeof v === 'object'))) {
    // A complex attribute without a sub-attribute compares by its `value` (RFC 7644 §3.4.2.2).
    const holders = Array.isArray(value) ? value : [value];
    return { values: holders.flatMap((h) => primitives(getCI(h, 'value'))), def: findAttr(def?.subAttributes, 'value') };
  }
  return { values: primitives(value), def };
}

function asInstant(value: Primitive): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function compare(op: CompareOp, actual: Primitive, expected: Literal, def: AttrDef | undefined): boolean {
  if (expected === null) return false;
  if (def?.type === 'dateTime' && typeof expected === 'string') {
    const [a, b] = [asInstant(actual), asInstant(expected)];
    if (a === undefined || b === undefined) return false;
    return ordered(op, a, b);
  }
  if (typeof actual !== typeof expected) return false;
  if (typeof actual === 'string') {
    const exact = def?.caseExact === true;
    const a = exact ? actual : actual.toLowerCase();
    const b = exact ? (expected as string) : (expected as string).toLowerCase();
    switch (op) {
      case 'co': return a.includes(b);
      case 'sw': return a.startsWith(b);
      case 'ew': return a.endsWith(b);
      default: return ordered(op, a, b);
    }
  }
  return ordered(op, actual as number | boolean, expected as number | boolean);
}

function ordered<T extends string | number | boolean>(op: CompareOp, a: T, b: T): boolean {
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    default: return false;
  }
}

function check(filter: Filter): void {
  if (filter.op === 'co' || filter.op === 'sw' || filter.op === 'ew') {
    if (typeof filter.value !== 'string') throw invalidFilter(`filter: "${filter.op}" compares with a string`);
  }
  if ((filter.op === 'gt' || filter.op === 'ge' || filter.op === 'lt' || filter.op === 'le') && (typeof filter.value === 'boolean' || filter.value === null)) {
    throw invalidFilter(`filter: "${filter.op}" cannot compare with ${String(filter.value)}`);
  }
}

/** Whether `resource` matches. @throws ScimError 400 invalidFilter for a comparison the operator cannot make. */
export function matchesFilter(filter: Filter, resource: unknown, target: FilterTarget): boolean {
  return evaluate(filter, resource, target.attributes, target.schema);
}

function evaluate(filter: Filter, resource: unknown, defs: readonly AttrDef[], schema: string | undefined): boolean {
  switch (filter.op) {
    case 'and': return evaluate(filter.left, resource, defs, schema) && evaluate(filter.right, resource, defs, schema);
    case 'or': return evaluate(filter.left, resource, defs, schema) || evaluate(filter.right, resource, defs, schema);
    case 'not': return !evaluate(filter.filter, resource, defs, schema);
    case 'has': {
      if (filter.path.schema !== undefined && (schema === undefined || filter.path.schema.toLowerCase() !== schema.toLowerCase())) return false;
      const value = getCI(resource, filter.path.attr);
      const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
      const subDefs = findAttr(defs, filter.path.attr)?.subAttributes ?? [];
      return items.some((item) => evaluate(filter.filter, item, subDefs, undefined));
    }
    case 'pr': {
      const { values } = resolve(resource, filter.path, defs, schema);
      if (values.some((v) => v !== '')) return true;
      // A complex attribute is present when it has any sub-attribute.
      const raw = filter.path.sub === undefined && (filter.path.schema === undefined || filter.path.schema.toLowerCase() === schema?.toLowerCase())
        ? getCI(resource, filter.path.attr) : undefined;
      return Array.isArray(raw) ? raw.length > 0 : !!raw && typeof raw === 'object' && Object.keys(raw).length > 0;
    }
    default: {
      check(filter);
      const { values, def } = resolve(resource, filter.path, defs, schema);
      if (filter.value === null) {
        // `eq null` asks for an unassigned attribute, `ne null` for an assigned one.
        return filter.op === 'eq' ? values.length === 0 : filter.op === 'ne' ? values.length > 0 : false;
      }
      if (filter.op === 'ne') return !values.some((v) => compare('eq', v, filter.value, def));
      return values.some((v) => compare(filter.op as CompareOp, v, filter.value, def));
    }
  }
}

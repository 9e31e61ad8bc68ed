// Applies a SCIM PATCH request (RFC 7644 §3.5.2) to a resource's SCIM representation and returns
// the patched copy; what the change means for Tessera is worked out afterwards (the mappers).
// Rules: the body is a PatchOp with 1-MAX_OPERATIONS operations; `op` is add, replace or remove in
// any case; attribute names match in any case and come out in their schema spelling; an unknown
// attribute is 400 invalidPath, a read-only one (id, meta, groups…) 400 mutability; `add` appends
// to multi-valued attributes (values already there are not repeated) and merges complex ones;
// `replace` with a value filter that matches nothing is 400 noTarget, `add` of a sub-attribute
// with a filter of equalities that matches nothing adds the value the filter describes; `remove` needs a path
// (400 noTarget), and `remove` of a multi-valued attribute with a value list removes those values
// (what Azure AD sends); "True"/"False" strings for booleans are taken as booleans (Azure AD too).
// Nothing is applied unless every operation is valid: the input is never modified.
import { matchesFilter } from './filter-eval.ts';
import { parsePatchPath, type Filter, type PatchPath } from './filter-parser.ts';
import { PATCH_SCHEMA } from './schemas.ts';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './scim-error.ts';
import { findAttr, keyOf, type AttrDef } from './schema-types.ts';

export const MAX_OPERATIONS = 1000;

export interface PatchTarget { schema: string; attributes: readonly AttrDef[] }

type Json = Record<string, unknown>;
interface Operation { op: 'add' | 'replace' | 'remove'; path?: string; value?: unknown }

/** The operations of a PatchOp body. @throws ScimError 400 invalidSyntax / invalidValue. */
export function patchOperations(body: unknown): Operation[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax('the body must be a PatchOp object');
  const schemas = (body as Json).schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`schemas must list ${PATCH_SCHEMA}`);
  }
  const ops = (body as Json)[keyOf(body as Json, 'Operations') ?? 'Operations'];
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax('Operations must be a non-empty array');
  if (ops.length > MAX_OPERATIONS) throw invalidValue(`at most ${MAX_OPERATIONS} operations in one request`);
  return ops.map((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalidSyntax(`Operations[${i}] must be an object`);
    const op = String((raw as Json)[keyOf(raw as Json, 'op') ?? 'op'] ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalidSyntax(`Operations[${i}].op must be add, replace or remove`);
    const path = (raw as Json)[keyOf(raw as Json, 'path') ?? 'path'];
    if (path !== undefined && typeof path !== 'string') throw invalidPath(`Operations[${i}].path must be a string`);
    const value = (raw as Json)[keyOf(raw as Json, 'value') ?? 'value'];
    if (op !== 'remove' && value === undefined) throw invalidValue(`Operations[${i}]: "${op}" needs a value`);
    return { op, ...(path !== undefined && path.trim() !== '' ? { path } : {}), ...(value !== undefined ? { value } : {}) };
  });
}

const clone = <T>(value: T): T => structuredClone(value);
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function coerce(def: AttrDef, value: unknown): unknown {
  if (def.type === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return value;
}

/** `value` with its keys in schema spelling. @throws ScimError 400 invalidPath for an unknown one. */
function canonical(def: AttrDef, value: unknown, where: string): unknown {
  if (def.type !== 'complex') return coerce(def, value);
  const one = (item: unknown): unknown => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw invalidValue(`${where} takes an object`);
    const out: Json = {};
    for (const [key, inner] of Object.entries(item)) {
      const sub = findAttr(def.subAttributes, key);
      if (!sub) throw invalidPath(`${where}.${key.slice(0, 64)} is not an attribute`);
      out[sub.name] = coerce(sub, inner);
    }
    return out;
  };
  if (def.multiValued) return (Array.isArray(value) ? value : [value]).map(one);
  return one(value);
}

/** The value a filter of `eq`s joined by `and` describes (`type eq "work"` → { type: 'work' }), or undefined for any other filter. */
function madeFrom(filter: Filter, def: AttrDef): Json | undefined {
  if (filter.op === 'and') {
    const [left, right] = [madeFrom(filter.left, def), madeFrom(filter.right, def)];
    return left && right ? { ...left, ...right } : undefined;
  }
  if (filter.op !== 'eq' || filter.path.sub !== undefined || filter.path.schema !== undefined || filter.value === null) return undefined;
  const sub = findAttr(def.subAttributes, filter.path.attr);
  return sub ? { [sub.name]: filter.value } : undefined;
}

class Patcher {
  private readonly resource: Json;
  private readonly target: PatchTarget;
  constructor(resource: Json, target: PatchTarget) {
    this.resource = resource;
    this.target = target;
  }

  private attribute(path: PatchPath, op: string): AttrDef {
    if (path.path.schema !== undefined && path.path.schema.toLowerCase() !== this.target.schema.toLowerCase()) {
      throw invalidPath(`${path.path.schema.slice(0, 100)} is not a schema of this resource`);
    }
    const def = findAttr(this.target.attributes, path.path.attr);
    if (!def) throw invalidPath(`"${path.path.attr.slice(0, 64)}" is not an attribute`);
    const subName = path.path.sub ?? path.sub;
    const sub = subName === undefined ? undefined : findAttr(def.subAttributes, subName);
    if (subName !== undefined && !sub) throw invalidPath(`"${def.name}.${subName.slice(0, 64)}" is not an attribute`);
    if (def.mutability === 'readOnly' || sub?.mutability === 'readOnly') throw mutability(`${def.name}${sub ? `.${sub.name}` : ''} is read-only (${op})`);
    if (path.filter && !def.multiValued) throw invalidPath(`${def.name} is not multi-valued: it takes no value filter`);
    return def;
  }

  private key(def: AttrDef): string {
    const existing = keyOf(this.resource, def.name);
    if (existing !== undefined && existing !== def.name) {
      this.resource[def.name] = this.resource[existing];
      delete this.resource[existing];
    }
    return def.name;
  }

  private matching(def: AttrDef, path: PatchPath): Json[] {
    const list = this.resource[this.key(def)];
    if (!Array.isArray(list)) return [];
    return list.filter((item) => matchesFilter(path.filter!, item, { schema: this.target.schema, attributes: def.subAttributes ?? [] }));
  }

  apply(op: Operation): void {
    if (op.path === undefined) {
      if (op.op === 'remove') throw noTarget('remove needs a path');
      if (!op.value || typeof op.value !== 'object' || Array.isArray(op.value)) throw invalidValue(`"${op.op}" without a path takes an object of attributes`);
      for (const [name, value] of Object.entries(op.value as Json)) {
        if (name.toLowerCase() === 'schemas') continue;
        this.apply({ op: op.op, path: name, value });
      }
      return;
    }
    const path = parsePatchPath(op.path);
    const def = this.attribute(path, op.op);
    const key = this.key(def);
    const subName = path.path.sub ?? path.sub;
    const sub = subName === undefined ? undefined : findAttr(def.subAttributes, subName)!;
    if (op.op === 'remove') return this.remove(def, key, path, sub, op.value);
    if (path.filter) {
      const targets = this.matching(def, path);
      if (targets.length === 0 && op.op === 'add' && sub) {
        // `add emails[type eq "work"].value` with no work email yet (Azure AD's way): a new value
        // made of the filter's equalities and the sub-attribute.
        const made = madeFrom(path.filter, def);
        if (made) {
          made[sub.name] = coerce(sub, op.value);
          const list = Array.isArray(this.resource[key]) ? (this.resource[key] as Json[]) : [];
          this.resource[key] = [...list, made];
          return;
        }
      }
      if (targets.length === 0) throw noTarget(`${op.path.slice(0, 200)} matches no value`);
      for (const item of targets) {
        if (sub) item[sub.name] = coerce(sub, op.value);
        else {
          const replacement = canonical({ ...def, multiValued: false }, op.value, def.name) as Json;
          for (const k of Object.keys(item)) delete item[k];
          Object.assign(item, replacement);
        }
      }
      this.onePrimary(def, key);
      return;
    }
    if (sub) {
      if (def.multiValued) {
        const list = Array.isArray(this.resource[key]) ? (this.resource[key] as Json[]) : [];
        if (list.length === 0) throw noTarget(`${def.name} has no value to set ${sub.name} on`);
        for (const item of list) item[sub.name] = coerce(sub, op.value);
      } else {
        const holder = (this.resource[key] && typeof this.resource[key] === 'object' ? this.resource[key] : {}) as Json;
        holder[sub.name] = coerce(sub, op.value);
        this.resource[key] = holder;
      }
      return;
    }
    const value = canonical(def, op.value, def.name);
    if (def.multiValued) {
      const incoming = value as unknown[];
      const current = op.op === 'add' && Array.isArray(this.resource[key]) ? (this.resource[key] as unknown[]) : [];
      const merged = [...current];
      for (const item of incoming) if (!merged.some((m) => sameValue(m, item))) merged.push(item);
      this.resource[key] = merged;
      // A new primary value takes the mark from the old one (RFC 7643 §2.4).
      if (incoming.some((i) => (i as Json)?.primary === true)) {
        for (const m of merged) if (!incoming.includes(m) && (m as Json)?.primary === true) (m as Json).primary = false;
      }
      return;
    }
    if (def.type === 'complex') {
      const current = this.resource[key] && typeof this.resource[key] === 'object' ? (this.resource[key] as Json) : {};
      this.resource[key] = { ...current, ...(value as Json) };
      return;
    }
    this.resource[key] = value;
  }

  private remove(def: AttrDef, key: string, path: PatchPath, sub: AttrDef | undefined, value: unknown): void {
    if (def.required && !path.filter && !sub) throw mutability(`${def.name} is required: it can be replaced, not removed`);
    const current = this.resource[key];
    if (path.filter) {
      if (!Array.isArray(current)) return;
      const targets = new Set(this.matching(def, path));
      if (sub) for (const item of targets) delete item[sub.name];
      else this.resource[key] = current.filter((item) => !targets.has(item as Json));
    } else if (sub) {
      if (Array.isArray(current)) for (const item of current as Json[]) delete item[sub.name];
      else if (current && typeof current === 'object') delete (current as Json)[sub.name];
    } else if (def.multiValued && value !== undefined && Array.isArray(current)) {
      const gone = (canonical(def, value, def.name) as Json[]).map((v) => v.value);
      this.resource[key] = current.filter((item) => !gone.some((g) => g !== undefined && sameValue(g, (item as Json).value)));
    } else {
      delete this.resource[key];
    }
    if (Array.isArray(this.resource[key]) && (this.resource[key] as unknown[]).length === 0) delete this.resource[key];
  }

  private onePrimary(def: AttrDef, key: string): void {
    const list = this.resource[key];
    if (!def.multiValued || !Array.isArray(list)) return;
    const primaries = list.filter((i) => (i as Json)?.primary === true);
    for (const extra of primaries.slice(1)) (extra as Json).primary = false;
  }
}

/** The resource with every operation applied. @throws ScimError 400 (invalidSyntax, invalidPath, invalidValue, mutability, noTarget). */
export function applyPatch(resource: Json, body: unknown, target: PatchTarget): Json {
  const operations = patchOperations(body);
  const copy = clone(resource);
  const patcher = new Patcher(copy, target);
  for (const op of operations) patcher.apply(op);
  return copy;
}

// How Tessera describes a SCIM schema's attributes (RFC 7643 §7), once: the /Schemas endpoint
// answers with these, and the filter evaluator and the patch applier use them to find attributes
// by any case, to know which are multi-valued, read-only or case-exact, and which are dates.
export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex';

export interface AttrDef {
  name: string;
  type: AttrType;
  description: string;
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttrDef[];
}

export interface SchemaDef { id: string; name: string; description: string; attributes: AttrDef[] }

/** The attribute of `defs` named `name` in any case. */
export function findAttr(defs: readonly AttrDef[] | undefined, name: string): AttrDef | undefined {
  const lower = name.toLowerCase();
  return defs?.find((d) => d.name.toLowerCase() === lower);
}

/** The key of `object` equal to `name` in any case (attribute names are case-insensitive). */
export function keyOf(object: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

/** A value of `object` by case-insensitive name. */
export function getCI(object: unknown, name: string): unknown {
  if (!object || typeof object !== 'object' || Array.isArray(object)) return undefined;
  const key = keyOf(object as Record<string, unknown>, name);
  return key === undefined ? undefined : (object as Record<string, unknown>)[key];
}

/** The attribute as /Schemas shows it: every characteristic spelt out with RFC 7643's defaults. */
export function attrJson(d: AttrDef): Record<string, unknown> {
  return {
    name: d.name, type: d.type, multiValued: d.multiValued ?? false, description: d.description, required: d.required ?? false,
    ...(d.type === 'string' || d.type === 'reference' ? { caseExact: d.caseExact ?? false } : {}),
    ...(d.canonicalValues ? { canonicalValues: d.canonicalValues } : {}),
    ...(d.referenceTypes ? { referenceTypes: d.referenceTypes } : {}),
    mutability: d.mutability ?? 'readWrite', returned: d.returned ?? 'default', uniqueness: d.uniqueness ?? 'none',
    ...(d.subAttributes ? { subAttributes: d.subAttributes.map(attrJson) } : {}),
  };
}

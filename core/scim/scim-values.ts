// Reading values out of a client's SCIM JSON: the right type or a 400 invalidValue naming the
// attribute, and the one value Tessera keeps of a multi-valued attribute (the primary, else the
// first).
import { invalidValue } from './scim-error.ts';
import { getCI } from './schema-types.ts';

/** A string attribute: undefined when absent or null, trimmed. @throws ScimError invalidValue. */
export function text(holder: unknown, name: string, where = name): string | undefined {
  const value = getCI(holder, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidValue(`${where} must be a string`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A boolean attribute ("true"/"false" strings accepted). @throws ScimError invalidValue. */
export function flag(holder: unknown, name: string): boolean | undefined {
  const value = getCI(holder, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`${name} must be true or false`);
}

/** The values of a multi-valued attribute (a lone object counts as one). @throws ScimError invalidValue. */
export function list(holder: unknown, name: string): Record<string, unknown>[] {
  const value = getCI(holder, name);
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) if (!item || typeof item !== 'object' || Array.isArray(item)) throw invalidValue(`${name} must be a list of objects`);
  return items as Record<string, unknown>[];
}

/** The primary value of a multi-valued attribute, else its first. */
export function primary(holder: unknown, name: string): Record<string, unknown> | undefined {
  const items = list(holder, name);
  return items.find((i) => getCI(i, 'primary') === true) ?? items[0];
}

/** A complex single-valued attribute as an object ({} when absent). @throws ScimError invalidValue. */
export function complex(holder: unknown, name: string): Record<string, unknown> {
  const value = getCI(holder, name);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(`${name} must be an object`);
  return value as Record<string, unknown>;
}

// The patch form of a settings schema, for partial updates: every field optional and without its
// default (so what was not sent stays absent and the stored value is kept), nested objects the
// same one level down (they merge one level deep). The field checks are the settings schema's own.
import { z } from 'zod';

const withoutDefault = (schema: z.ZodType): z.ZodType => (schema instanceof z.ZodDefault ? withoutDefault(schema.unwrap() as z.ZodType) : schema);

function optionalFields(object: z.ZodObject, nested: boolean): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(object.shape)) {
    const inner = withoutDefault(field as z.ZodType);
    shape[key] = (nested && inner instanceof z.ZodObject ? optionalFields(inner, false) : inner).optional();
  }
  return z.object(shape).strict();
}

/** One level deep partial of `schema`, typed as the caller says. */
export function patchOf<T>(schema: z.ZodObject): z.ZodType<T> {
  return optionalFields(schema, true) as unknown as z.ZodType<T>;
}

export type SettingsPatch<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Partial<T[K]> : T[K] };

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `patch` over `current`: nested objects merge one level deep, anything else replaces. */
export function mergeOneLevel(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const before = current[key];
    merged[key] = isPlainObject(before) && isPlainObject(value) ? { ...before, ...value } : value;
  }
  return merged;
}

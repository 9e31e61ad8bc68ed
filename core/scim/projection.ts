// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes an answer
// carries. `id` and `schemas` are always returned; names match in any case; a sub-attribute
// (`name.givenName`, `emails.value`) keeps or drops that part only.
import { parsePatchPath } from './filter-parser.ts';
import { invalidValue } from './scim-error.ts';
import { keyOf } from './schema-types.ts';

type Json = Record<string, unknown>;
const ALWAYS = new Set(['id', 'schemas']);

function paths(list: string, schema: string): { attr: string; sub?: string }[] {
  if (list.length > 2000) throw invalidValue('the attribute list is too long');
  return list.split(',').map((p) => p.trim()).filter(Boolean).flatMap((p) => {
    const parsed = parsePatchPath(p);
    if (parsed.filter) throw invalidValue('attributes take attribute names, not value filters');
    if (parsed.path.schema && parsed.path.schema.toLowerCase() !== schema.toLowerCase()) return [];
    return [{ attr: parsed.path.attr, ...(parsed.path.sub ? { sub: parsed.path.sub } : {}) }];
  });
}

function pick(value: unknown, sub: string, keep: boolean): unknown {
  const one = (item: unknown) => {
    if (!item || typeof item !== 'object') return item;
    const key = keyOf(item as Json, sub);
    if (keep) return key === undefined ? {} : { [key]: (item as Json)[key] };
    const copy = { ...(item as Json) };
    if (key !== undefined) delete copy[key];
    return copy;
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** The resource trimmed as asked. @throws ScimError 400 for a malformed list. */
export function project(resource: Json, schema: string, attributes?: unknown, excluded?: unknown): Json {
  if ((attributes !== undefined && typeof attributes !== 'string') || (excluded !== undefined && typeof excluded !== 'string')) {
    throw invalidValue('attributes and excludedAttributes are comma-separated lists of attribute names');
  }
  if (attributes) {
    const out: Json = {};
    for (const key of Object.keys(resource)) if (ALWAYS.has(key)) out[key] = resource[key];
    for (const p of paths(attributes, schema)) {
      const key = keyOf(resource, p.attr);
      if (key === undefined || ALWAYS.has(key)) continue;
      if (p.sub === undefined) out[key] = resource[key];
      else {
        const part = pick(resource[key], p.sub, true);
        const prior = out[key];
        out[key] = prior === undefined || prior === resource[key] ? part
          : Array.isArray(part) ? (part as Json[]).map((v, i) => ({ ...((prior as Json[])[i] ?? {}), ...v })) : { ...(prior as Json), ...(part as Json) };
      }
    }
    return out;
  }
  if (excluded) {
    const out: Json = { ...resource };
    for (const p of paths(excluded, schema)) {
      const key = keyOf(out, p.attr);
      if (key === undefined || ALWAYS.has(key)) continue;
      if (p.sub === undefined) delete out[key];
      else out[key] = pick(out[key], p.sub, false);
    }
    return out;
  }
  return resource;
}

// Secret and personal fields out of a log line's object, at any of its first three levels. pino's
// own `redact` option did this with 78 path patterns (26 names × `k`, `*.k`, `*.*.k`) compiled by
// @pinojs/redact, which cost ~80–100 µs per line even when nothing matched — most of the cost of every
// access line (20× a plain pino line). This walk touches only the keys there are and copies only
// what it changes: the caller's objects are never modified.

/** `value` with every own enumerable key in `names` replaced by `censor`, down to `levels` levels. */
export function redactFields<T>(value: T, names: ReadonlySet<string>, censor: string, levels = 3): T {
  if (levels <= 0 || value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  let changes: Map<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const current = (value as Record<string, unknown>)[key];
    const next = names.has(key) ? (current === undefined ? current : censor) : redactFields(current, names, censor, levels - 1);
    if (next !== current) (changes ??= new Map()).set(key, next);
  }
  if (!changes) return value;
  if (Array.isArray(value)) {
    const copy = value.slice();
    for (const [key, next] of changes) copy[Number(key)] = next;
    return copy as T;
  }
  // A copy with the same prototype and properties, accessors read on the original (V8's `stack`
  // of an Error is one, and answers only on the error itself).
  const descriptors: Record<string, PropertyDescriptor> = Object.getOwnPropertyDescriptors(value);
  for (const [key, descriptor] of Object.entries(descriptors)) {
    if (descriptor.get) descriptors[key] = { value: (value as Record<string, unknown>)[key], enumerable: descriptor.enumerable, writable: true, configurable: true };
  }
  for (const [key, next] of changes) descriptors[key] = { value: next, enumerable: true, writable: true, configurable: true };
  return Object.create(Object.getPrototypeOf(value), descriptors) as T;
}

// The parameters an upstream sends back, as flat strings, bounded: at most a few dozen keys, each
// value at most `maxValue` characters (a SAMLResponse is the only big one). Anything else — a
// repeated key, an array, an object — is dropped, never coerced.
const MAX_KEYS = 30;

export function callbackParams(source: unknown, maxValue: number): Record<string, string> {
  const params: Record<string, string> = {};
  if (typeof source !== 'object' || source === null) return params;
  for (const [key, value] of Object.entries(source).slice(0, MAX_KEYS)) {
    if (typeof value === 'string' && key.length <= 64 && value.length <= maxValue) params[key] = value;
  }
  return params;
}

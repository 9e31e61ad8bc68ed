// Parses durations written as in trees and env vars: "500ms", "90s", "15m", "12h", "7d".
// Pure: used by the workflow sandbox as well as by Node code.
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+)(ms|s|m|h|d)$/;

export function isDuration(text: string): boolean {
  return PATTERN.test(text);
}

/** @throws Error when the text is not a duration. */
export function parseDuration(text: string): number {
  const match = PATTERN.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}" (expected e.g. 90s, 15m, 12h, 7d)`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** The largest unit that divides `ms` exactly: 86400000 → "1d", 90000 → "90s". Pure. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  }
  return `${ms}ms`;
}

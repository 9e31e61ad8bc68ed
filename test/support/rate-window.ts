// The rate limiter counts in fixed windows aligned to the clock (core/infra/rate-limit.ts): a
// test whose requests straddle a window's end sees its count start again halfway. Tests that
// count up to a per-minute limit wait here until they are well inside a minute.

/** Resolves once at least `marginMs` of the current `windowMs`-long window are left. */
export async function wellInsideWindow(windowMs = 60_000, marginMs = 15_000): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs - marginMs) await new Promise((resolve) => setTimeout(resolve, windowMs - into + 200));
}

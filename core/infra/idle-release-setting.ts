// TESSERA_IDLE_RELEASE_SECONDS: how long the HTTP server must go without traffic before it hands
// back the memory a burst grew (bin/runtime/idle-memory-release.ts). Read with the rest of the
// configuration so that a bad value stops the start before anything is opened.
const DEFAULT_SECONDS = 20;

/** Seconds of quiet, 20 when unset, 0 for never. @throws Error naming the variable otherwise. */
export function idleReleaseSeconds(value: string | undefined): number {
  const raw = value?.trim();
  if (raw === undefined || raw === '') return DEFAULT_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400) {
    throw new Error(`TESSERA_IDLE_RELEASE_SECONDS must be a whole number of seconds from 0 to 86400 (got "${raw}")`);
  }
  return seconds;
}

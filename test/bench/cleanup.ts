// Everything the benchmark starts registers how to stop it here; `cleanup()` stops it all in
// reverse order, once — at the end of the run, on an error, and on Ctrl-C / SIGTERM.
type Closer = () => Promise<unknown> | unknown;

const closers: { name: string; close: Closer }[] = [];
let running: Promise<void> | undefined;

export function onCleanup(name: string, close: Closer): void {
  closers.push({ name, close });
}

/** True once stopping began (a signal or the end): load loops stop starting new logins. */
export function stopping(): boolean {
  return running !== undefined;
}

export function cleanup(): Promise<void> {
  return (running ??= (async () => {
    for (const { name, close } of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        console.error(`[bench] stopping ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })());
}

export function cleanupOnSignals(): void {
  let signals = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    console.error(`\n[bench] ${signal}: stopping everything…`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

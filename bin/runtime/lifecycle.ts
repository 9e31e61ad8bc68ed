// Orderly shutdown on Ctrl-C / SIGTERM: run the registered closers in reverse order once; a
// second signal exits at once.
import { logger } from '../../core/infra/logger.ts';

type Closer = () => Promise<unknown> | unknown;

export class Lifecycle {
  readonly #closers: { name: string; close: Closer }[] = [];
  #stopping?: Promise<void>;

  add(name: string, close: Closer): void {
    this.#closers.push({ name, close });
  }

  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      for (const { name, close } of this.#closers.reverse()) {
        try {
          await close();
        } catch (err) {
          logger.error(`[tessera] stopping ${name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })());
  }

  onSignals(): void {
    let signals = 0;
    const handler = (signal: NodeJS.Signals) => {
      if (++signals > 1) process.exit(130);
      logger.info(`[tessera] ${signal}: shutting down…`);
      void this.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
}

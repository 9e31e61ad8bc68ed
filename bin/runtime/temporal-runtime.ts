// The SDK's process-wide runtime, installed once before any worker: warnings and errors only,
// so a running Tessera logs what needs attention rather than every state change. Its lines go
// through the process's JSON logger (core/infra/logger.ts).
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { logger } from '../../core/infra/logger.ts';

let installed = false;

function toLogger({ level, message, meta }: LogEntry): void {
  const method = level === 'ERROR' ? 'error' : level === 'WARN' ? 'warn' : level === 'INFO' ? 'info' : 'debug';
  logger[method]({ temporal: meta }, `[temporal] ${message}`);
}

export function installTemporalRuntime(): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new DefaultLogger('WARN', toLogger) });
}

// The process's one logger: JSON on stdout, one object a line (pino), at LOG_LEVEL (default info).
// Rules it enforces:
// - every line carries the tenant, journey, request and trace ids of the request or activity it
//   is written for (core/infra/log-context.ts; the trace id from the active OpenTelemetry span);
// - secret or personal fields (passwords, codes, tokens, secrets, emails, Authorization and Cookie
//   headers) are replaced by "[redacted]" at any of the first three levels of a logged object;
// - an email address inside a message text is replaced by "[email]", so that a line built with a
//   template string cannot leak one either.
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { currentLogContext } from './log-context.ts';
import { redactFields } from './redact-fields.ts';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Field names never written as they are, wherever they occur in the first levels of a line. */
export const SECRET_FIELDS = [
  'password', 'newPassword', 'currentPassword', 'passwordHash', 'code', 'otp', 'totp', 'token', 'accessToken',
  'access_token', 'refreshToken', 'refresh_token', 'idToken', 'id_token', 'secret', 'clientSecret', 'client_secret',
  'email', 'to', 'login', 'username', 'authorization', 'cookie', 'set-cookie', 'codecKeys', 'assertion',
];

const SECRET_NAMES: ReadonlySet<string> = new Set(SECRET_FIELDS);
const CENSOR = '[redacted]';

const EMAIL = /[^\s@<>"'(),;:=]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}/g;

/** `text` with every email address replaced by "[email]". */
export function scrubText(text: string): string {
  return text.replace(EMAIL, '[email]');
}

/** The level LOG_LEVEL names; "info" when it is unset or names none. */
export function logLevel(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const wanted = env.LOG_LEVEL?.trim().toLowerCase();
  return LOG_LEVELS.includes(wanted as LevelWithSilent) ? (wanted as LevelWithSilent) : 'info';
}

/** Context fields for the line being written: the request's or activity's, and the trace id. */
function contextFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const context = currentLogContext();
  if (context) for (const [key, value] of Object.entries(context)) if (value) fields[key] = value;
  const span = trace.getActiveSpan()?.spanContext();
  if (span && isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

/** A logger writing to `destination` (stdout by default); tests pass a stream to read the lines. */
export function createLogger(destination?: NodeJS.WritableStream, level: LevelWithSilent = logLevel()): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
      // Runs on the line's object (context fields merged in) before pino's serializers.
      log: (object: Record<string, unknown>) => redactFields(object, SECRET_NAMES, CENSOR),
    },
    mixin: contextFields,
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger: Logger = createLogger();

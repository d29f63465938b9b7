/**
 * Logging for the relay and the runner: pino, one JSON line per
 * event, `debug` and `info` on stdout and `warn` and `error` on stderr.
 *
 * Every line carries `event` (a dotted name such as `room.update_refused`), a
 * `level` label, an ISO time and the process (`relay` or `runner`); children add
 * what they are about (`req`, `conn`, `room`, `run`). An error passed as `err` or
 * `error` is written with its type, message and stack. Tokens, authorization
 * headers, environment values and the query strings of URLs never reach a line.
 */
import pino from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line also carries `bindings`. */
  child(bindings: Record<string, unknown>): Logger;
  /** Writes out what is buffered; call before the process exits. */
  flush(): Promise<void>;
}

export interface LoggerOptions {
  /** `relay` or `runner`, on every line. */
  name: string;
  /** Where lines go instead of stdout and stderr (tests). */
  destination?: pino.DestinationStream;
}

const REDACTED = '[redacted]';

/** Field paths whose values are secrets, at the top of a line or one level down. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'secret',
  '*.secret',
  'env',
  '*.env',
  'value',
  '*.value',
];

/** A URL without its query string (where tokens travel): `/r/abc?token=…` → `/r/abc?[redacted]`. */
export function withoutQuery(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?${REDACTED}`;
}

export function createLogger(level: LogLevel, options: LoggerOptions): Logger {
  const destination =
    options.destination ??
    pino.multistream(
      [
        { level: 'debug', stream: pino.destination({ fd: 1, sync: false }) },
        { level: 'warn', stream: pino.destination({ fd: 2, sync: false }) },
      ],
      { dedupe: true },
    );
  const root = pino(
    {
      level,
      messageKey: 'event',
      base: { name: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err, url: withoutQuery },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
  return wrap(root);
}

function wrap(target: pino.Logger): Logger {
  const at =
    (level: LogLevel) =>
    (event: string, fields?: Record<string, unknown>): void => {
      if (fields) target[level](fields, event);
      else target[level](event);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => wrap(target.child(bindings)),
    flush: () => new Promise((done) => target.flush(() => done())),
  };
}

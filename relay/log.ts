/** JSON-line logs on stdout (info and below) and stderr (warn, error). */
import type { LogLevel } from './config.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = Record<LogLevel, (event: string, fields?: Record<string, unknown>) => void>;

export function createLogger(level: LogLevel): Logger {
  const write =
    (at: LogLevel) =>
    (event: string, fields: Record<string, unknown> = {}): void => {
      if (RANK[at] < RANK[level]) return;
      const line = JSON.stringify({ t: new Date().toISOString(), level: at, event, ...fields });
      (RANK[at] >= RANK.warn ? process.stderr : process.stdout).write(`${line}\n`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

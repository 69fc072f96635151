/**
 * One-line JSON logs. Callers pass codes and ids, never credentials or secrets: the logger does
 * not try to scrub, so what is logged is decided where the call is written.
 */
import type { LogLevel } from './config/env';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function createLogger(
  level: LogLevel,
  sink: (line: string, level: LogLevel) => void = defaultSink,
): Logger {
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (event: string, fields: LogFields = {}) => {
      if (ORDER[lvl] < ORDER[level]) return;
      sink(JSON.stringify({ level: lvl, event, ...fields }), lvl);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function defaultSink(line: string, level: LogLevel): void {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

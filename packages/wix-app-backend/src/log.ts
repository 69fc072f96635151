/**
 * One-line JSON logs. Callers pass codes and ids, never credentials or secrets: the logger does
 * not try to scrub, so what is logged is decided where the call is written. Lines written while a
 * request is served carry its id (`withLogFields`, started by src/http/route.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogLevel } from './config/env';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Fields every line written inside `withLogFields` carries, awaited and scheduled work included. */
const scope = new AsyncLocalStorage<LogFields>();

/**
 * Runs `run` so that every log line written inside it — however deep, and in work it schedules,
 * such as a webhook's event handlers after the answer — carries `fields` (a request id). Fields
 * a call passes itself win.
 */
export function withLogFields<T>(fields: LogFields, run: () => T): T {
  return scope.run(fields, run);
}

export function createLogger(
  level: LogLevel,
  sink: (line: string, level: LogLevel) => void = defaultSink,
): Logger {
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (event: string, fields: LogFields = {}) => {
      if (ORDER[lvl] < ORDER[level]) return;
      sink(JSON.stringify({ level: lvl, event, ...scope.getStore(), ...fields }), lvl);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function defaultSink(line: string, level: LogLevel): void {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** Longest message text a log line carries for an error. */
const MAX_ERROR_MESSAGE = 300;

/**
 * What a log line may say about an unexpected error: its type, code and message, with anything
 * that could be request data taken out. Database errors quote the failed query's parameters
 * ("params: …") and values in their messages — a settings body, an email, a uid — so those are
 * dropped and quoted text is masked. The stack keeps its frames (where), not its first line.
 */
export function errorFields(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: typeof error, errorMessage: scrub(String(error)) };
  const fields: LogFields = {
    error: error.name,
    errorMessage: scrub(error.message),
    // Frames only: a message may span lines (a query's parameters on the second).
    errorAt:
      (error.stack ?? '')
        .split('\n')
        .filter((line) => /^\s+at /.test(line))
        .slice(0, 3)
        .map((line) => line.trim())
        .join(' | ') || undefined,
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') fields.errorCode = code;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    fields.cause = cause.name;
    fields.causeMessage = scrub(cause.message);
    const causeCode = (cause as { code?: unknown }).code;
    if (typeof causeCode === 'string') fields.causeCode = causeCode;
  }
  return fields;
}

function scrub(message: string): string {
  const withoutParams = message.split(/\n?\s*params:/i)[0] ?? '';
  return withoutParams
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '"…"')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_ERROR_MESSAGE);
}

/**
 * Errors only, to the console: for a failure met before the application context (and its
 * configured logger) exists — an invalid configuration.
 */
export const fallbackLog: Logger = createLogger('error');

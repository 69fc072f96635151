/**
 * `/_emulator/*`: how another process (a `next start` under test, a person with curl) drives the
 * emulator. They are unauthenticated on purpose — the server binds to loopback by default.
 */
import type { z } from 'zod';
import { parseJsonObject, wixError, type Reply } from './http-io';
import {
  describeIssues,
  FaultsSchema,
  InstanceSettingsSchema,
  WidgetTokenOptionsSchema,
} from './schemas';
import type { EmulatorStats, Faults, InstanceSettings, WidgetTokenOptions } from './types';

/** The emulator's programmatic API, which the control endpoints only translate to. */
export interface ControlTarget {
  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(faults: Faults): void;
  clearFaults(): void;
  issueWidgetToken(options: WidgetTokenOptions): string;
  setInstance(instanceId: string, settings: InstanceSettings): void;
}

export const CONTROL_PREFIX = '/_emulator/';

type Handler = (target: ControlTarget, body: string, param: string) => Reply;

const ok = (body: unknown): Reply => ({ status: 200, body });

/** Method → handler per control path; `:id` is the one path parameter. */
const ROUTES: Record<string, Record<string, Handler>> = {
  '/_emulator/stats': { GET: (t) => ok(t.stats()) },
  '/_emulator/reset': {
    POST: (t) => {
      t.resetStats();
      t.clearFaults();
      return ok({});
    },
  },
  '/_emulator/faults': {
    PUT: (t, body) =>
      withBody(FaultsSchema, body, (faults) => {
        t.setFaults(faults);
        return ok({ faults });
      }),
    DELETE: (t) => {
      t.clearFaults();
      return ok({});
    },
  },
  '/_emulator/widget-tokens': {
    POST: (t, body) =>
      withBody(WidgetTokenOptionsSchema, body, (options) =>
        ok({ token: t.issueWidgetToken(options) }),
      ),
  },
  '/_emulator/instances/:id': {
    PUT: (t, body, id) =>
      withBody(InstanceSettingsSchema, body, (settings) => {
        t.setInstance(id, settings);
        return ok({ instanceId: id, ...settings });
      }),
  },
};

/** Answers a control request; the caller has checked that `path` starts with CONTROL_PREFIX. */
export function handleControl(
  target: ControlTarget,
  method: string,
  path: string,
  body: string,
): Reply {
  const match = matchRoute(path);
  if (!match) return wixError(404, 'NOT_FOUND', `No emulator control endpoint at ${path}`);
  const handler = ownEntry(match.methods, method);
  if (!handler) return methodNotAllowed(Object.keys(match.methods));
  return handler(target, body, match.param);
}

/** `table[key]` for own keys only, so a key like `constructor` never reaches Object.prototype. */
export function ownEntry<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function methodNotAllowed(allowed: string[]): Reply {
  return wixError(405, 'METHOD_NOT_ALLOWED', `Use ${allowed.join(' or ')}`, {
    allow: allowed.join(', '),
  });
}

function matchRoute(path: string): { methods: Record<string, Handler>; param: string } | null {
  const exact = ownEntry(ROUTES, path);
  if (exact) return { methods: exact, param: '' };
  const prefix = `${CONTROL_PREFIX}instances/`;
  const rest = path.slice(prefix.length);
  if (!path.startsWith(prefix) || rest === '' || rest.includes('/')) return null;
  let id: string;
  try {
    id = decodeURIComponent(rest);
  } catch {
    return null;
  }
  return { methods: ROUTES['/_emulator/instances/:id']!, param: id };
}

function withBody<T>(schema: z.ZodType<T>, text: string, use: (value: T) => Reply): Reply {
  const json = parseJsonObject(text);
  if (!json) return wixError(400, 'INVALID_ARGUMENT', 'Request body must be a JSON object');
  const parsed = schema.safeParse(json);
  if (!parsed.success) return wixError(400, 'INVALID_ARGUMENT', describeIssues(parsed.error));
  return use(parsed.data);
}

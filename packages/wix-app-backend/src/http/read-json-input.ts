/**
 * A JSON body read and validated in one step: the route gets typed input or the client gets a
 * 4xx problem — `unsupported_media_type` (415), `payload_too_large` (413), `invalid_json` (400),
 * or `invalid_body` (400) listing every problem with its field.
 */
import type { z } from 'zod';
import { AppError } from '../errors/app-error';
import { readJsonBody } from './read-json-body';

export async function readJsonInput<S extends z.ZodType>(
  request: Request,
  schema: S,
  options: { maxBytes: number },
): Promise<z.output<S>> {
  return parseInput(schema, await readJsonBody(request, options.maxBytes));
}

/** Validates `input` with `schema`; `invalid_body` (400) lists each problem as `field: message`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new AppError('invalid_body', issues.join('; '));
}

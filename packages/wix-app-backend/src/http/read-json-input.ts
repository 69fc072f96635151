/**
 * A JSON body read and validated in one step: the route gets typed input or the client gets a
 * 4xx problem — `unsupported_media_type` (415), `payload_too_large` (413), `invalid_json` (400),
 * or `invalid_body` (400) listing every problem with its field.
 */
import type { z } from 'zod';
import { AppError } from '../errors/app-error';
import { describeIssues, safeParseWorded } from '../validation/describe-issues';
import { readJsonBody } from './read-json-body';

export async function readJsonInput<S extends z.ZodType>(
  request: Request,
  schema: S,
  options: { maxBytes: number },
): Promise<z.output<S>> {
  return parseInput(schema, await readJsonBody(request, options.maxBytes));
}

/**
 * Validates `input` with `schema`; `invalid_body` (400) lists each problem as `field: message`,
 * length and size bounds in words (src/validation/describe-issues.ts).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = safeParseWorded(schema, input);
  if (parsed.success) return parsed.data;
  throw new AppError('invalid_body', describeIssues(parsed.error).join('; '));
}

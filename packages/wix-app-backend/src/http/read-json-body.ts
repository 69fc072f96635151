/** Reads a JSON request body within a size limit (see read-body.ts). */
import { AppError } from '../errors/app-error';
import { readBodyText } from './read-body';

export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AppError('unsupported_media_type', 'Send Content-Type: application/json.');
  }
  const text = await readBodyText(request, maxBytes);
  if (text === null || text.trim() === '')
    throw new AppError(
      'invalid_json',
      text === null ? 'The body is not valid UTF-8 JSON.' : 'The body is empty.',
    );
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'The body is not valid UTF-8 JSON.');
  }
}

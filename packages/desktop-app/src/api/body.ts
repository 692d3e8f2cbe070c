/**
 * Reading a request's JSON body: application/json only, bounded in size (checked on the
 * declared length and on the bytes as they arrive), an object at the top. Its fields are then
 * checked by the operation's schema (operations/validate.ts) before the service sees them.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** The largest request body accepted, bytes: a 1M-code-unit entry body fits, escaped. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export async function readJson(
  req: IncomingMessage,
  limit = MAX_REQUEST_BYTES,
): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? 'NaN');
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported-media-type', 'send the body as application/json');
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'bad-request', `malformed JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'bad-request', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body-too-large', `the body exceeds ${limit} bytes`);
}

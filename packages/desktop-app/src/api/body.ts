/**
 * Reading a request's JSON body: application/json only, bounded in size (checked on the
 * declared length and on the bytes as they arrive), an object at the top. Its fields are then
 * checked by the operation's schema (operations/validate.ts) before the service sees them.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** The largest request body accepted, bytes: a 1M-code-unit entry body fits, escaped. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** Invalid UTF-8 is refused, not read as U+FFFD (a silently changed title or body). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

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
  // Read as what it is not, a compressed body or another charset is garbled, not refused.
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new HttpError(
      415,
      'unsupported-media-type',
      `send the body uncompressed (content-encoding ${encoding.slice(0, 40)} is not read)`,
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new HttpError(415, 'unsupported-media-type', 'send the body as UTF-8 JSON');
  }
  let text: string;
  try {
    text = UTF8.decode(Buffer.concat(chunks, size));
  } catch {
    throw new HttpError(400, 'bad-request', 'the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
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

/**
 * Who may talk to the local API: only this machine's own pages and programs.
 *
 * - Host: the request must name 127.0.0.1 or localhost at our port. A DNS-rebinding page (its
 *   own domain resolved to 127.0.0.1) sends its domain in Host, and is refused.
 * - Origin: a browser request from another origin (any site, `null`, another port) is refused;
 *   no CORS header is ever sent, so no other origin may read an answer either.
 * - Token: every /api request carries the data directory's random token, as
 *   `Authorization: Bearer <token>` (or `?token=` on the event stream, which EventSource cannot
 *   give headers), compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/** Refuse requests that do not come from this machine's own pages or programs. */
export function checkSource(req: IncomingMessage, port: number): void {
  const host = req.headers.host;
  if (host === undefined || !allowedHosts(port).has(host.toLowerCase())) {
    throw new HttpError(403, 'forbidden-host', `Host ${host ?? '(none)'} is not this API`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).has(origin.toLowerCase())) {
    throw new HttpError(403, 'forbidden-origin', `requests from ${origin} are not allowed`);
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    throw new HttpError(403, 'forbidden-origin', 'cross-site requests are not allowed');
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Refuse a request without the right token. */
export function checkToken(
  req: IncomingMessage,
  url: URL,
  token: string,
  allowQueryToken: boolean,
): void {
  const auth = req.headers.authorization;
  let given: string | undefined;
  if (auth !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(auth);
    given = m?.[1];
  } else if (allowQueryToken) {
    given = url.searchParams.get('token') ?? undefined;
  }
  if (given === undefined || !same(given, token)) {
    throw new HttpError(401, 'unauthorized', 'a valid token is required', {
      'www-authenticate': 'Bearer realm="synod"',
    });
  }
}

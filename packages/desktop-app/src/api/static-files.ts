/**
 * The browser UI's files (issue 7 puts them in packages/desktop-app/ui), served from one
 * directory: GET and HEAD only, no path outside it, no dotfiles, a strict Content-Security-
 * Policy. They need no token (the page reads it from the URL fragment and sends it to /api);
 * the Host and Origin checks still apply.
 */
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { contentTypeOf } from './content-types.js';
import { HttpError } from './http-error.js';

/** The UI's policy: its own scripts, styles and API only; no frames, no other origin. */
export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function serveStatic(
  root: string,
  pathname: string,
  method: string,
  res: ServerResponse,
  headers: Record<string, string>,
): void {
  if (method !== 'GET' && method !== 'HEAD') {
    throw new HttpError(405, 'method-not-allowed', `${method} is not allowed here`, {
      allow: 'GET, HEAD',
    });
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    throw new HttpError(400, 'bad-request', 'malformed path');
  }
  const parts = rel.split('/');
  if (rel.includes('\0') || parts.some((p) => p.startsWith('.'))) {
    throw new HttpError(404, 'not-found', 'no such file');
  }
  const base = normalize(root);
  const path = normalize(join(base, rel));
  if (!path.startsWith(base.endsWith(sep) ? base : base + sep)) {
    throw new HttpError(404, 'not-found', 'no such file');
  }
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new HttpError(404, 'not-found', 'no such file');
  }
  res.writeHead(200, {
    ...headers,
    'content-type': contentTypeOf(path),
    'content-length': String(size),
    'content-security-policy': UI_CSP,
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(path).pipe(res);
}

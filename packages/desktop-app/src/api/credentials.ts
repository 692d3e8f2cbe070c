/**
 * The local API's credentials in the data directory: a random token (file mode 0600, new at
 * every start so a token seen once dies with the run) and the address of the running API. The
 * CLI's client commands read both; the browser UI gets the token in the URL fragment, which
 * never leaves the browser.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@synod/peer';

export const TOKEN_FILE = 'api-token';
export const ENDPOINT_FILE = 'api.json';

/** Where a running peer's API listens. */
export interface ApiEndpoint {
  readonly url: string;
  readonly pid: number;
  readonly startedAt: string;
}

/**
 * Write `content` to `path` with mode 0600, atomically (a reader never sees half of it). Not
 * synced: both files are rewritten at every start, and a stale or damaged one after a power cut
 * reads as "no peer running" (connect.ts).
 */
function writePrivate(path: string, content: string): void {
  writeFileAtomic(path, content, { durable: false, mode: 0o600 });
}

/** A new random token (32 bytes, base64url), written to <dataDir>/api-token. */
export function createToken(dataDir: string): string {
  const token = randomBytes(32).toString('base64url');
  writePrivate(join(dataDir, TOKEN_FILE), token + '\n');
  return token;
}

export function readToken(dataDir: string): string {
  return readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
}

export function writeEndpoint(dataDir: string, endpoint: ApiEndpoint): void {
  writePrivate(join(dataDir, ENDPOINT_FILE), JSON.stringify(endpoint) + '\n');
}

export function readEndpoint(dataDir: string): ApiEndpoint {
  const e = JSON.parse(readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8')) as Partial<ApiEndpoint>;
  if (typeof e.url !== 'string' || typeof e.pid !== 'number') {
    throw new Error(`${join(dataDir, ENDPOINT_FILE)} is not an API endpoint file`);
  }
  return e as ApiEndpoint;
}

/** Remove the endpoint file and the token, if they are still this process's. */
export function removeCredentials(dataDir: string, pid = process.pid): void {
  try {
    if (readEndpoint(dataDir).pid !== pid) return;
  } catch {
    return;
  }
  rmSync(join(dataDir, ENDPOINT_FILE), { force: true });
  rmSync(join(dataDir, TOKEN_FILE), { force: true });
}

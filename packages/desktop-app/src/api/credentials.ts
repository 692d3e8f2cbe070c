/**
 * The local API's credentials in the data directory: a random token (file mode 0600, kept
 * across restarts so that an open browser tab reconnects by itself; delete the file to revoke
 * it), the address of the running API (removed when it stops), and the port it last used (kept:
 * a restarted peer listens on it again). The CLI's client commands read the first two
 * (credential-files.ts, which they load alone); the browser UI gets the token in the URL
 * fragment, which never leaves the browser.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@synod/peer';
import {
  ENDPOINT_FILE,
  PORT_FILE,
  readEndpoint,
  readToken,
  TOKEN_FILE,
  type ApiEndpoint,
} from './credential-files.js';

export * from './credential-files.js';

/**
 * Write `content` to `path` with mode 0600, atomically (a reader never sees half of it).
 * `durable` (the token and the port, kept across restarts so that an open tab reconnects): synced,
 * file and directory, so a power cut does not replace them. The endpoint file is not synced: it
 * describes the running process only, and a stale or damaged one after a crash reads as "no peer
 * is running" (connect.ts).
 */
function writePrivate(path: string, content: string, durable: boolean): void {
  writeFileAtomic(path, content, { durable, mode: 0o600 });
}

/** A new random token (32 bytes, base64url), written to <dataDir>/api-token. */
export function createToken(dataDir: string): string {
  const token = randomBytes(32).toString('base64url');
  writePrivate(join(dataDir, TOKEN_FILE), token + '\n', true);
  return token;
}

/** The token kept in <dataDir>/api-token, or a new one if there is none (or not a valid one). */
export function ensureToken(dataDir: string): string {
  try {
    const kept = readToken(dataDir);
    if (/^[A-Za-z0-9_-]{43}$/.test(kept)) return kept;
  } catch {
    // None yet.
  }
  return createToken(dataDir);
}

/** The port the API last listened on in this directory, if any. */
export function rememberedPort(dataDir: string): number | undefined {
  try {
    const n = Number(readFileSync(join(dataDir, PORT_FILE), 'utf8').trim());
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function rememberPort(dataDir: string, port: number): void {
  writePrivate(join(dataDir, PORT_FILE), `${port}\n`, true);
}

export function writeEndpoint(dataDir: string, endpoint: ApiEndpoint): void {
  writePrivate(join(dataDir, ENDPOINT_FILE), JSON.stringify(endpoint) + '\n', false);
}

/** Remove the endpoint file, if it is still this process's (the token is kept). */
export function removeEndpoint(dataDir: string, pid = process.pid): void {
  try {
    if (readEndpoint(dataDir).pid !== pid) return;
  } catch {
    return;
  }
  rmSync(join(dataDir, ENDPOINT_FILE), { force: true });
}

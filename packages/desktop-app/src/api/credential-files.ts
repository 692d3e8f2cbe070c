/**
 * What a client reads of the local API's credentials (credentials.ts writes them): the token
 * and the address of the running API in the data directory. Apart from the writing side
 * because the CLI's client subcommands load this module: it must not import @synod/peer (whose
 * index loads libp2p and SQLite: ~0.5 s of CPU on each `synod status`; bench/cli.mjs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'api-token';
export const ENDPOINT_FILE = 'api.json';
export const PORT_FILE = 'api-port';

/** Where a running peer's API listens. */
export interface ApiEndpoint {
  readonly url: string;
  readonly pid: number;
  readonly startedAt: string;
}

export function readToken(dataDir: string): string {
  return readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
}

export function readEndpoint(dataDir: string): ApiEndpoint {
  const e = JSON.parse(readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8')) as Partial<ApiEndpoint>;
  if (typeof e.url !== 'string' || typeof e.pid !== 'number') {
    throw new Error(`${join(dataDir, ENDPOINT_FILE)} is not an API endpoint file`);
  }
  return e as ApiEndpoint;
}

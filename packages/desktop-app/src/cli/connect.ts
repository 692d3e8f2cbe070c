/**
 * Client commands talk to the peer running on a data directory through its local API: the
 * address comes from <dataDir>/api.json and the token from <dataDir>/api-token, both written
 * by `synod start`.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { ApiClient, ApiError } from '../api/client.js';
import { inLog } from '../operations/table.js';
// Not credentials.js: its writing side loads @synod/peer (libp2p, SQLite), slow to start.
import { readEndpoint, readToken } from '../api/credential-files.js';
import { CliError } from './cli-error.js';
import { httpFetch } from './http-fetch.js';

/** --data, else $SYNOD_DATA, else ~/.synod. */
export function dataDirOf(option: string | undefined): string {
  // resolve('') is the working directory: an empty --data would make a peer wherever it runs.
  if (option !== undefined && option.trim() === '') {
    throw new CliError('--data must name a directory', 2);
  }
  const env = process.env.SYNOD_DATA;
  return resolve(
    option ?? (env !== undefined && env.trim() !== '' ? env : resolve(homedir(), '.synod')),
  );
}

function notRunning(dataDir: string): CliError {
  return new CliError(
    `no peer is running on ${dataDir} (start one with: synod start --data ${dataDir})`,
  );
}

/**
 * Whether the process that wrote the endpoint file still runs, as this user. A peer that crashed
 * leaves the file behind, and any user of the machine may listen on its port since: the token
 * must not go there (it stays valid across restarts). A signal 0 to another user's process is
 * EPERM, to none ESRCH. (A pid reused by another process of ours still passes.)
 */
function runsAsUs(pid: number): boolean {
  // 0 and negative numbers name process groups, not a process.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A client of the peer running on `dataDir`, whose calls turn "cannot connect" into one line;
 * with `log`, its operations of one log act on that log (`--log NAME|ID`).
 */
export function connect(dataDir: string, log?: string): ApiClient {
  let url: string;
  let token: string;
  try {
    const endpoint = readEndpoint(dataDir);
    if (!runsAsUs(endpoint.pid)) throw notRunning(dataDir);
    url = endpoint.url;
    token = readToken(dataDir);
  } catch {
    throw notRunning(dataDir);
  }
  const client = new ApiClient(url, token, httpFetch);
  if (log !== undefined) {
    const call = client.call.bind(client);
    client.call = (name, request = {}) => call(name, inLog(name, request, log));
  }
  const request = client.request.bind(client);
  client.request = async <T>(...args: Parameters<ApiClient['request']>): Promise<T> => {
    try {
      return await request<T>(...args);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      // fetch failed: nothing listens there any more (the peer was killed).
      throw notRunning(dataDir);
    }
  };
  return client;
}

/** Whether a peer answers on `dataDir` now. */
export async function isRunning(dataDir: string): Promise<boolean> {
  try {
    await connect(dataDir).status();
    return true;
  } catch {
    return false;
  }
}

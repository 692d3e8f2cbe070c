/**
 * Real `synod` processes for the multi-process tests: `synod start` in a child process on a
 * data directory in a tmp dir (SQLite file, libp2p on 127.0.0.1, mDNS off), driven through its
 * local API (the address it prints, the token it writes) and through the client subcommands,
 * run as processes too.
 */
import { ApiClient } from '@synod/desktop-app/api-client';
import type { ServiceStatus } from '@synod/desktop-app';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../packages/peer/test/free-port.js';
import { Child, run } from './child.js';
import { SYNOD_CLI } from './paths.js';

/** Run a client subcommand to completion. */
export function synod(
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Generous: on a loaded 2-core machine a join that catches up takes tens of seconds.
  return run(process.execPath, [SYNOD_CLI, ...args], { timeoutMs: 120_000, ...options });
}

/** Run a subcommand that must succeed; its stdout. */
export async function synodOk(args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await synod(args, { timeoutMs });
  if (r.code !== 0) {
    throw new Error(`synod ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** Poll `check` until it returns a value other than undefined. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastError !== undefined ? `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A TCP port free on 127.0.0.1 now, outside the ephemeral range (free-port.ts says why). */
export { freePort };

/** The arguments of `node`: `synod start` on `dataDir`, its API on a free 127.0.0.1 port. */
export function startArgs(
  dataDir: string,
  name: string,
  listen: string,
  extra: readonly string[] = [],
): string[] {
  return [
    SYNOD_CLI,
    'start',
    '--data',
    dataDir,
    '--name',
    name,
    '--listen',
    listen,
    '--api',
    '127.0.0.1:0',
    ...extra,
  ];
}

/** Kept-alive connections for `SynodPeer.post` (node:http costs a quarter of fetch's CPU). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One `synod start` process. */
export class SynodPeer {
  private constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly child: Child,
    readonly api: ApiClient,
    /** The libp2p port, kept across restarts so that the others can redial it. */
    readonly port: number,
    private readonly token: string,
  ) {}

  /**
   * POST a JSON body to the local API with node:http, for the tests that send thousands of
   * requests (the ApiClient's fetch would spend more CPU in the test process than the peers
   * spend on consensus). Resolves with the parsed answer; rejects with its status and body.
   */
  post<T>(path: string, body: unknown): Promise<T> {
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.api.baseUrl),
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(data),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 300) {
              reject(new Error(`${this.name} ${path}: HTTP ${res.statusCode}: ${text}`));
            } else resolve(JSON.parse(text) as T);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  static async start(
    root: string,
    name: string,
    options: { port?: number; extra?: string[] } = {},
  ): Promise<SynodPeer> {
    const dataDir = join(root, name);
    const port = options.port ?? (await freePort());
    const child = new Child(
      name,
      process.execPath,
      startArgs(dataDir, name, `/ip4/127.0.0.1/tcp/${port}`, [
        '--no-mdns',
        ...(options.extra ?? []),
      ]),
    );
    // A start that never serves is killed here (nobody else holds the process yet, and it would
    // outlive the test file), and one that exits first (a held directory, a bad flag) fails now,
    // with its output, not at the 90 s deadline. (race handles `exited`'s later rejection.)
    const exited = child.exited.then(({ code, signal }) => {
      throw new Error(
        `${name}: synod start exited (${code ?? signal}) before serving:\n${child.lines.join('\n')}`,
      );
    });
    const url = (
      await Promise.race([
        child.waitFor(/^synod: local API on (http:\/\/\S+) /, 90_000),
        exited,
      ]).catch(async (err: unknown) => {
        await child.kill('SIGKILL');
        throw err;
      })
    )[1]!;
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    return new SynodPeer(name, dataDir, child, new ApiClient(url, token), port, token);
  }

  status(): Promise<ServiceStatus> {
    return this.api.status();
  }

  /** SIGTERM (graceful: expects exit code 0) or SIGKILL. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    const { code } = await this.child.kill(signal);
    return code;
  }
}

/** Whether `s` is a member that has caught up (initialized, nothing left to fetch). */
export function caughtUp(s: ServiceStatus): boolean {
  return (
    s.state === 'running' &&
    s.protocol !== null &&
    s.protocol.initialized &&
    s.protocol.catchup === null
  );
}

/**
 * A log of `names.length` peers, made through the local API (the quick way; the CLI path is
 * tested in synod-cluster.test.ts): every peer started on its own data directory (under `root`,
 * or under `root(name)`: a disk of its own), the first creates the log, each other joins by its
 * own invite and catches up.
 */
export async function startCluster(
  root: string | ((name: string) => string),
  names: readonly string[],
  options: { title?: string; extra?: string[] } = {},
): Promise<SynodPeer[]> {
  const rootOf = typeof root === 'string' ? () => root : root;
  const peers = await Promise.all(
    names.map((n) => SynodPeer.start(rootOf(n), n, options.extra ? { extra: options.extra } : {})),
  );
  try {
    const [first, ...others] = peers;
    await first!.api.createLog(options.title !== undefined ? { title: options.title } : {});
    for (const p of others) {
      const invite = await first!.api.invite();
      await p.api.join({ invite: invite.text });
      await eventually(`${p.name} to join and catch up`, async () =>
        caughtUp(await p.status()) ? true : undefined,
      );
    }
    await eventually('every peer to see all members', async () => {
      const all = await Promise.all(peers.map((p) => p.status()));
      return all.every(
        (s) => s.protocol?.config?.acceptors.length === names.length && s.majority?.ok,
      )
        ? true
        : undefined;
    });
    return peers;
  } catch (err) {
    await Promise.all(peers.map((p) => p.stop('SIGKILL')));
    throw err;
  }
}

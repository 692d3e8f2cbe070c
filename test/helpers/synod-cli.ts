/**
 * Real `synod` processes for the multi-process tests: `synod start` in a child process on a
 * data directory in a tmp dir (SQLite file, libp2p on 127.0.0.1, mDNS off), driven through its
 * local API (the address it prints, the token it writes) and through the client subcommands,
 * run as processes too.
 */
import { ApiClient } from '@synod/desktop-app/api-client';
import type { ServiceStatus } from '@synod/desktop-app';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Child, run } from './child.js';
import { SYNOD_CLI } from './paths.js';

/** Run a client subcommand to completion. */
export function synod(
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(process.execPath, [SYNOD_CLI, ...args], options);
}

/** Run a subcommand that must succeed; its stdout. */
export async function synodOk(args: string[], timeoutMs = 60_000): Promise<string> {
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
  timeoutMs = 30_000,
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

/** A TCP port free on 127.0.0.1 now (for a peer's libp2p listener, kept across restarts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One `synod start` process. */
export class SynodPeer {
  private constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly child: Child,
    readonly api: ApiClient,
    /** The libp2p port, kept across restarts so that the others can redial it. */
    readonly port: number,
  ) {}

  static async start(
    root: string,
    name: string,
    options: { port?: number; extra?: string[] } = {},
  ): Promise<SynodPeer> {
    const dataDir = join(root, name);
    const port = options.port ?? (await freePort());
    const child = new Child(name, process.execPath, [
      SYNOD_CLI,
      'start',
      '--data',
      dataDir,
      '--name',
      name,
      '--listen',
      `/ip4/127.0.0.1/tcp/${port}`,
      '--no-mdns',
      '--api',
      '127.0.0.1:0',
      ...(options.extra ?? []),
    ]);
    const url = (await child.waitFor(/^synod: local API on (http:\/\/\S+) /, 30_000))[1]!;
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    return new SynodPeer(name, dataDir, child, new ApiClient(url, token), port);
  }

  /** Start this data directory again, on the same libp2p port. */
  restart(root: string): Promise<SynodPeer> {
    return SynodPeer.start(root, this.name, { port: this.port });
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

/**
 * A test file's `synod start` processes and the tmp dir that holds their data directories, with
 * their teardown: after the file's tests (or the suite's, made in a describe), every peer started
 * through it is SIGKILLed, a no-op for one that has exited already, then the dir is removed.
 * Without it each CLI test file wrote the same 6 lines again, and a peer started outside the
 * file's list (a restart, a peer of one test) could outlive the file.
 *
 * Make it at a file's (or describe's) top level: it registers vitest's afterAll. The dir is made
 * at its first use, so a suite that is skipped leaves none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { startCluster, SynodPeer } from './synod-cli.js';

export class SynodRoot {
  private made: string | undefined;
  private readonly peers = new Set<SynodPeer>();

  /** `prefix`: the tmp dir's name, before mkdtemp's random part (`synod-<file>-`). */
  constructor(private readonly prefix: string) {
    afterAll(() => this.close(), 30_000);
  }

  /** The tmp dir; a peer's data directory is `<dir>/<name>`. */
  get dir(): string {
    this.made ??= mkdtempSync(join(tmpdir(), this.prefix));
    return this.made;
  }

  /** `synod start` on `<dir>/<name>` (SynodPeer.start). */
  async start(name: string, options: { port?: number; extra?: string[] } = {}): Promise<SynodPeer> {
    return this.keep(await SynodPeer.start(this.dir, name, options));
  }

  /** A log of `names`, the first its creator, each other joined and caught up (startCluster). */
  async cluster<const N extends readonly string[]>(
    names: N,
    options: { title?: string } = {},
  ): Promise<{ -readonly [K in keyof N]: SynodPeer }> {
    const peers = await startCluster(this.dir, names, options);
    for (const p of peers) this.keep(p);
    return peers as { -readonly [K in keyof N]: SynodPeer };
  }

  /** `p`'s data directory started again on its libp2p port (so that the others redial it). */
  restart(p: SynodPeer, extra?: string[]): Promise<SynodPeer> {
    return this.start(p.name, { port: p.port, ...(extra !== undefined ? { extra } : {}) });
  }

  private keep(p: SynodPeer): SynodPeer {
    this.peers.add(p);
    return p;
  }

  private async close(): Promise<void> {
    await Promise.all([...this.peers].map((p) => p.stop('SIGKILL')));
    if (this.made !== undefined) rmSync(this.made, { recursive: true, force: true });
  }
}

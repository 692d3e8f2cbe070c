/**
 * A peer's data directory over its whole life, for an app that lets people create, join and
 * leave logs (the desktop app): what it holds, its lock while no peer runs (setup), its name,
 * a join that was refused, and the stores set aside when leaving. The peer itself runs with
 * createPeer; this is everything around it, so that an app needs neither the store nor the
 * transport package.
 *
 *   const dir = await PeerDirectory.open({ dataDir });
 *   if ((await dir.state()).member === undefined) await dir.hold(); // setup: keep it locked
 *   …
 *   await dir.release();            // before createPeer opens the store itself
 *   const peer = await createPeer({ dataDir, stateMachine, join: invite });
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SqliteStorage } from '@synod/storage-sqlite';
import {
  decodeInvite,
  LanAsker,
  loadOrCreateIdentity,
  type MdnsOptions,
} from '@synod/transport-libp2p';
import { ensureDataDir, LOGS_DIR, META_JOINING, META_NAME, peerDbPath } from './data-dir.js';
import { makeDirDurable, renameDurable } from './durable-file.js';
import { checkName } from './name.js';
import {
  inspectDataDir,
  inspectStoreAt,
  openStore,
  storeState,
  writeMetaString,
  type StoreOptions,
  type StoreState,
} from './store.js';

export interface PeerDirectoryOptions extends StoreOptions {
  readonly dataDir: string;
}

/** Where a store goes when it is set aside: `left` (this peer left its log), `unused`. */
export type SetAside = 'left' | 'unused';

export class PeerDirectory {
  /** The store held open (so locked) while no peer runs here. */
  private held: SqliteStorage | undefined;

  private constructor(
    readonly dataDir: string,
    private readonly storeOptions: StoreOptions,
  ) {}

  /** Create the directory (owner-only) if needed. Nothing is locked yet. */
  static open(o: PeerDirectoryOptions): PeerDirectory {
    ensureDataDir(o.dataDir);
    const storeOptions: StoreOptions = {
      ...(o.durability !== undefined ? { durability: o.durability } : {}),
      ...(o.nativeBinding !== undefined ? { nativeBinding: o.nativeBinding } : {}),
    };
    return new PeerDirectory(o.dataDir, storeOptions);
  }

  /** What it holds: a log, a join under way, a name. (storage-locked while a peer runs.) */
  async state(): Promise<StoreState> {
    if (this.held !== undefined) return storeState(this.held);
    return inspectDataDir(this.dataDir, this.storeOptions);
  }

  /**
   * Whether the directory holds a log (a member, or a join under way) that it has not left: its
   * home log (peer.db) or one in logs/ (createHost). A directory without one is in setup.
   */
  async hasLogs(): Promise<boolean> {
    return (await this.firstLog()) !== undefined;
  }

  /** The id of a log the directory holds (see hasLogs): the home log's first, if any. */
  async firstLog(): Promise<string | undefined> {
    const counts = (s: StoreState): boolean =>
      s.logId !== undefined && s.left !== s.logId && (s.member ?? s.joining) !== undefined;
    const home = await this.state();
    if (counts(home)) return home.logId;
    let files: string[] = [];
    try {
      files = readdirSync(join(this.dataDir, LOGS_DIR)).filter((f) => f.endsWith('.db'));
    } catch {
      return undefined; // no logs/ yet
    }
    for (const f of files) {
      const state = await inspectStoreAt(join(this.dataDir, LOGS_DIR, f), this.storeOptions);
      if (counts(state)) return state.logId;
    }
    return undefined;
  }

  /** Whether the directory is held (setup: no peer runs, the lock is ours). */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Lock the directory while no peer runs on it (a second app on it fails: storage-locked). */
  async hold(): Promise<void> {
    this.held ??= await openStore(this.dataDir, this.storeOptions);
  }

  /** Let go of the lock (before createPeer opens the store). Returns the log id it recorded. */
  async release(): Promise<string | undefined> {
    const store = this.held;
    this.held = undefined;
    if (store === undefined) return undefined;
    const logId = store.logId;
    await store.close();
    return logId;
  }

  /** Keep this peer's display name (in setup; a running peer keeps it through Peer.setName). */
  async setName(name: string): Promise<void> {
    checkName(name);
    const store = this.held;
    if (store === undefined) throw new Error('setName: the directory is not held (a peer runs)');
    await writeMetaString(store, META_NAME, name);
  }

  /**
   * Before joining the log of `invite`: a store left by a join to another log that never got
   * through holds no log of ours; set it aside (never deleted) rather than refuse.
   */
  prepareJoin(invite: string, recordedLogId: string | undefined): void {
    const { logId } = decodeInvite(invite.trim());
    if (recordedLogId !== undefined && recordedLogId !== logId) this.setAside('unused');
  }

  /** Drop the invite of a join that was refused, so that no later start presents it again. */
  async forgetJoin(): Promise<void> {
    const store = this.held ?? (await openStore(this.dataDir, this.storeOptions));
    try {
      await store.setMeta(META_JOINING, new Uint8Array(0));
    } finally {
      if (store !== this.held) await store.close();
    }
  }

  /**
   * Move the store aside, to <dataDir>/<why>/peer-<time>.db (never deleted: it may be needed to
   * understand what happened). The directory is then empty: it may create or join a log. Done
   * durably: a power cut must neither bring the store back in place nor lose it between the two
   * directories.
   */
  setAside(why: SetAside): void {
    if (this.held !== undefined) throw new Error('setAside: release the directory first');
    const dir = join(this.dataDir, why);
    makeDirDurable(dir, 0o700);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const db = peerDbPath(this.dataDir);
    for (const suffix of ['', '-wal', '-journal', '-shm']) {
      if (existsSync(db + suffix))
        renameDurable(db + suffix, join(dir, `peer-${stamp}.db${suffix}`));
    }
  }

  /**
   * First run: look for logs on the LAN and ask a member for an invite (LanAsker), as this
   * directory's peer — the identity kept in the store, the one it joins with. Needs the
   * directory held (setup). Stop it before the peer starts.
   */
  async askOnLan(options: { mdns?: MdnsOptions } = {}): Promise<LanAsker> {
    const store = this.held;
    if (store === undefined) throw new Error('askOnLan: the directory is not held (a peer runs)');
    return LanAsker.start({
      identity: await loadOrCreateIdentity(store),
      ...(options.mdns !== undefined ? { mdns: options.mdns } : {}),
    });
  }
}

/**
 * Opening a peer's store and reading what it is: a member of a log, a join in progress, or
 * nothing yet. The SQLite file records its log id when first opened with one, and refuses any
 * other afterwards; this module decides which id to open it with.
 */
import { unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSqliteStorage, type Durability, type SqliteStorage } from '@synod/storage-sqlite';
import {
  META_JOINING,
  META_LEFT,
  META_LOG_NAME,
  META_MEMBER,
  META_NAME,
  META_PEER_ID,
  hasStore,
  peerDbPath,
} from './data-dir.js';
import { OtherLogError } from './errors.js';
import { syncDir } from './durable-file.js';

const text = new TextEncoder();
const untext = new TextDecoder();

export interface StoreOptions {
  durability?: Durability;
  nativeBinding?: string;
}

/** What a data directory holds. */
export interface StoreState {
  /** The log id the file records, if any. */
  readonly logId: string | undefined;
  /** The log this store is a member of (created here, or joined), if any. */
  readonly member: string | undefined;
  /** The invite of a join that did not finish, if any. */
  readonly joining: string | undefined;
  /** This peer's id, once its transport has run. */
  readonly peerId: string | undefined;
  /** The display name kept here. */
  readonly name: string | undefined;
  /** The log's own name on this peer (`--log NAME`), if one was given. */
  readonly logName?: string | undefined;
  /** The log this file held and this peer left (kept in place, never loaded again). */
  readonly left?: string | undefined;
}

export async function readMetaString(
  storage: SqliteStorage,
  key: string,
): Promise<string | undefined> {
  const raw = await storage.getMeta(key);
  if (raw === undefined || raw.length === 0) return undefined;
  return untext.decode(raw);
}

export function writeMetaString(storage: SqliteStorage, key: string, value: string): Promise<void> {
  return storage.setMeta(key, text.encode(value));
}

/** The state of an open store. */
export async function storeState(storage: SqliteStorage): Promise<StoreState> {
  let member = await readMetaString(storage, META_MEMBER);
  const left = await readMetaString(storage, META_LEFT);
  if (left !== undefined && left === storage.logId) {
    // This peer left the log this file holds (a home log, kept in place: see PeerHost.leaveLog).
    member = undefined;
  } else if (member === undefined && storage.logId !== undefined) {
    // A store with protocol state but no mark (a join whose answer was lost after the inviter
    // added us, say) belongs to its log all the same: its acceptor may have voted.
    const s = await storage.load();
    const holds =
      s.snapshot !== null ||
      s.decisions.length > 0 ||
      s.promises.length > 0 ||
      s.accepted.length > 0;
    if (holds) member = storage.logId;
  }
  return {
    logId: storage.logId,
    member,
    joining: await readMetaString(storage, META_JOINING),
    peerId: await readMetaString(storage, META_PEER_ID),
    name: await readMetaString(storage, META_NAME),
    logName: await readMetaString(storage, META_LOG_NAME),
    left,
  };
}

/** Open the store of `dataDir` as it is (creating an empty one if there is none). */
export function openStore(dataDir: string, o: StoreOptions = {}): Promise<SqliteStorage> {
  return openStoreAt(peerDbPath(dataDir), o);
}

/** Open the store file at `path` as it is (creating an empty one if there is none). */
export function openStoreAt(
  path: string,
  o: StoreOptions = {},
  logId?: string,
): Promise<SqliteStorage> {
  return openSqliteStorage(path, {
    ...(logId !== undefined ? { logId } : {}),
    ...(o.durability !== undefined ? { durability: o.durability } : {}),
    ...(o.nativeBinding !== undefined ? { nativeBinding: o.nativeBinding } : {}),
  });
}

/**
 * Make `storage` (opened as it is, from `path`) record `logId`: a file with another id is
 * refused with OtherLogError (naming `where`); a file with none is closed and reopened with it
 * (the file records it).
 */
export async function bindToLog(
  where: string,
  storage: SqliteStorage,
  logId: string,
  o: StoreOptions = {},
  path: string = peerDbPath(where),
): Promise<SqliteStorage> {
  if (storage.logId === logId) return storage;
  if (storage.logId !== undefined) {
    await storage.close();
    throw new OtherLogError(where, logId, storage.logId);
  }
  await storage.close();
  return openStoreAt(path, o, logId);
}

/**
 * Read what a data directory holds without running a peer. Takes the store's lock for the
 * moment it reads, so it fails with `storage-locked` while a peer runs on it. A directory
 * without a store reads as empty (and none is created).
 */
export async function inspectDataDir(dataDir: string, o: StoreOptions = {}): Promise<StoreState> {
  if (!hasStore(dataDir)) {
    return {
      logId: undefined,
      member: undefined,
      joining: undefined,
      peerId: undefined,
      name: undefined,
    };
  }
  return inspectStoreAt(peerDbPath(dataDir), o);
}

/** What the store file at `path` holds (taking its lock for the moment it reads). */
export async function inspectStoreAt(path: string, o: StoreOptions = {}): Promise<StoreState> {
  const storage = await openStoreAt(path, o);
  try {
    return await storeState(storage);
  } finally {
    await storage.close();
  }
}

/**
 * Remove a store this process created and that holds nothing worth keeping, durably: brought
 * back by a power cut, it would be taken for a join to retry and be kept after its refusal.
 */
export function discardStore(dataDir: string, path: string = peerDbPath(dataDir)): void {
  for (const f of [path, `${path}-wal`, `${path}-journal`]) {
    try {
      unlinkSync(f);
    } catch {
      // Not there: nothing to remove.
    }
  }
  syncDir(dirname(path));
}

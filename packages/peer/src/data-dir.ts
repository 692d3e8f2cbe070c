/**
 * What a peer keeps in its data directory, and the small values it keeps in its store's meta
 * table. One place, so that the library, the desktop app's service and its CLI agree on the
 * layout.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirDurable } from './durable-file.js';

/** The SQLite file: acceptor and replica state, identity key, invites, addresses, name. */
export const PEER_DB_FILE = 'peer.db';

/** Meta keys of this package (the transport keeps its own under `transport.libp2p.*`). */
export const META_NAME = 'peer.name';
/** This peer's id, recorded when its transport first ran (so tools can read it offline). */
export const META_PEER_ID = 'peer.id';
/** Set once this store belongs to a log: by init, or by a successful join. Value: the log id. */
export const META_MEMBER = 'peer.member';
/**
 * The invite of a join in progress. Kept until the join succeeds or is refused, so that a peer
 * that crashed mid-join asks again (the inviter answers the same peer again) instead of ever
 * creating a second log under the same id.
 */
export const META_JOINING = 'peer.joining';

export function peerDbPath(dataDir: string): string {
  return join(dataDir, PEER_DB_FILE);
}

/** Whether the directory holds a peer's store at all. */
export function hasStore(dataDir: string): boolean {
  return existsSync(peerDbPath(dataDir));
}

/**
 * Create the directory (owner-only: it holds the peer's private key) if it does not exist, so
 * that it survives a power cut: without its parent synced, a new directory (and the log created
 * in it) would be gone after one.
 */
export function ensureDataDir(dataDir: string): void {
  makeDirDurable(dataDir, 0o700);
}

/**
 * What a peer keeps in its data directory, and the small values it keeps in its store's meta
 * table. One place, so that the library, the desktop app's service and its CLI agree on the
 * layout.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirDurable } from './durable-file.js';
import { InvalidPeerOptionsError } from './errors.js';

/**
 * The peer's SQLite file: its identity key and name, and its home log (acceptor and replica
 * state, invites, addresses) when it has one: every directory made before many logs per peer,
 * and every createPeer directory. Other logs live in `logs/` (logDbPath).
 */
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

/**
 * Set in a log's store when this peer left that log but the file stays in place: the home log
 * (peer.db also keeps the peer's identity, so it is never moved). Value: the log id.
 */
export const META_LEFT = 'peer.left';
/**
 * In peer.db: the ids of the logs of logs/ this peer left (a JSON list). They go with the
 * identity: a directory that starts over with a new one (its peer.db set aside) may join them.
 */
export const META_LEFT_LOGS = 'peer.left-logs';
/** The log's own name on this peer (`synod --log NAME`), kept in the log's store. */
export const META_LOG_NAME = 'peer.logName';

/** Where the logs beside the home log live, one SQLite file each (docs/many-logs.md). */
export const LOGS_DIR = 'logs';

export function peerDbPath(dataDir: string): string {
  return join(dataDir, PEER_DB_FILE);
}

/**
 * The file of log `logId` in `dataDir/logs/`: named by a hash of the id (log ids are up to 256
 * characters of anything), the file itself records the id.
 */
export function logDbPath(dataDir: string, logId: string): string {
  const key = createHash('sha256').update(logId).digest('hex').slice(0, 32);
  return join(dataDir, LOGS_DIR, `${key}.db`);
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
  try {
    makeDirDurable(dataDir, 0o700);
  } catch (err) {
    // A file where the directory (or one of its parents) should be: said in words.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new InvalidPeerOptionsError(`${dataDir} is not a directory (a file is in its way)`);
    }
    throw err;
  }
}

/**
 * The schema, as the list of migrations that builds it. A new file runs every migration from
 * version 0; an older file runs those above its `PRAGMA user_version`. All of them run inside
 * the one transaction that opens the file, so a migration that fails leaves the file unchanged.
 *
 * Rules for adding a migration: never edit a released one; append version N + 1; move data in
 * the same migration that changes its shape; add a test that opens a fixture of version N.
 *
 * History:
 *  1. The first layout: acceptor, replica and peer tables; the snapshot in one blob.
 *  2. Snapshots in chunks (a 1 GB state no longer hits SQLite's blob limit, and a reader can
 *     stream it), and the `replica_progress` view for tools.
 *  3. Amnesia detection (core store-runs.ts): the number of the last batch written (`seq`), the
 *     reason if this store was found rolled back (`amnesia`), and what this peer knows of the
 *     other peers' stores (`peer_stores`). Existing files start at seq 0, knowing nothing.
 *  4. A decision whose value is the pvalue this acceptor accepted at its slot is recorded as a
 *     mark (`decided_pvalues`) instead of a copy of the value in `decisions`: a slot's batch
 *     (26 KB at 256 commands) is written once, not twice, on every peer. (A flag column would
 *     not do: SQLite rewrites a whole row, its overflow pages too, to update one column.)
 */
import type { Database } from 'better-sqlite3';
import { chunksOf } from './bytes.js';

export interface MigrationContext {
  /** Size of the chunks a snapshot is split into. */
  readonly snapshotChunkBytes: number;
}

export interface Migration {
  /** The schema version this migration produces (the previous one is `version - 1`). */
  readonly version: number;
  readonly description: string;
  up(db: Database, ctx: MigrationContext): void;
}

/** "Synd" in ASCII: marks the file as a Synod database in SQLite's header (PRAGMA application_id). */
export const APPLICATION_ID = 0x53796e64;

const v1: Migration = {
  version: 1,
  description: 'acceptor, replica and peer tables; snapshot in one blob',
  up(db) {
    db.exec(`
      -- The peer: facts about the file itself (log id, who created it).
      CREATE TABLE peer_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      -- Small named values kept for the app (identity key, peer name...): Storage.getMeta/setMeta.
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
      -- One row: the incarnation and the acceptor's GC watermark.
      CREATE TABLE node_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        incarnation INTEGER NOT NULL,
        watermark INTEGER NOT NULL
      ) STRICT;
      INSERT INTO node_state (id, incarnation, watermark) VALUES (1, 0, 0);
      -- Acceptor: the ballot promised per configuration (PMMC ballot_num).
      CREATE TABLE promises (
        config INTEGER PRIMARY KEY,
        round INTEGER NOT NULL,
        leader TEXT NOT NULL
      ) STRICT;
      -- Acceptor: the highest-ballot pvalue per slot (PMMC accepted).
      CREATE TABLE accepted (
        slot INTEGER PRIMARY KEY,
        config INTEGER NOT NULL,
        round INTEGER NOT NULL,
        leader TEXT NOT NULL,
        value BLOB NOT NULL
      ) STRICT;
      -- Replica: decided slots kept above the snapshot.
      CREATE TABLE decisions (slot INTEGER PRIMARY KEY, value BLOB NOT NULL) STRICT;
      CREATE TABLE snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        slot INTEGER NOT NULL,
        data BLOB NOT NULL
      ) STRICT;
    `);
  },
};

const v2: Migration = {
  version: 2,
  description: 'snapshots in chunks; replica_progress view',
  up(db, ctx) {
    const old = db.prepare('SELECT slot, data FROM snapshot WHERE id = 1').get() as
      { slot: number; data: Buffer } | undefined;
    db.exec(`
      DROP TABLE snapshot;
      -- Replica: the newest snapshot's slot and size; its bytes are in snapshot_chunks.
      CREATE TABLE snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        slot INTEGER NOT NULL,
        size INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE snapshot_chunks (seq INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;
      -- For tools: the snapshot's slot and the replica's slot_out (the first slot above the
      -- snapshot not decided here). Derived, so it can never disagree with the tables.
      CREATE VIEW replica_progress AS
        WITH s(slot) AS (SELECT COALESCE((SELECT slot FROM snapshot WHERE id = 1), 0))
        SELECT
          (SELECT slot FROM snapshot WHERE id = 1) AS snapshot_slot,
          CASE
            WHEN NOT EXISTS (SELECT 1 FROM decisions, s WHERE decisions.slot = s.slot + 1)
              THEN (SELECT slot + 1 FROM s)
            ELSE (
              SELECT MIN(d.slot) + 1 FROM decisions d, s
              WHERE d.slot > s.slot
                AND NOT EXISTS (SELECT 1 FROM decisions e WHERE e.slot = d.slot + 1)
            )
          END AS slot_out;
    `);
    if (old !== undefined) {
      db.prepare('INSERT INTO snapshot (id, slot, size) VALUES (1, ?, ?)').run(
        old.slot,
        old.data.length,
      );
      const put = db.prepare('INSERT INTO snapshot_chunks (seq, data) VALUES (?, ?)');
      chunksOf(old.data, ctx.snapshotChunkBytes).forEach((c, i) => put.run(i, c));
    }
  },
};

const v3: Migration = {
  version: 3,
  description: 'batch numbers, the rolled-back mark, and what is known of other stores',
  up(db) {
    db.exec(`
      -- The number of the last batch written (the core numbers its batches over the store's
      -- life), and why peers found this store rolled back (NULL: they did not).
      ALTER TABLE node_state ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE node_state ADD COLUMN amnesia TEXT;
      -- Per other peer: the run of its store that reported the highest seq seen.
      CREATE TABLE peer_stores (
        peer TEXT PRIMARY KEY,
        run INTEGER NOT NULL,
        start INTEGER NOT NULL,
        seq INTEGER NOT NULL
      ) STRICT;
    `);
  },
};

const v4: Migration = {
  version: 4,
  description: 'a decision taken from the accepted pvalue is a mark, not a copy of its value',
  up(db) {
    db.exec(`
      -- Replica: slots whose decision is the value of their accepted row (kept while marked,
      -- below the watermark too, until compaction truncates the decisions below them).
      CREATE TABLE decided_pvalues (slot INTEGER PRIMARY KEY) STRICT;
      DROP VIEW replica_progress;
      CREATE VIEW replica_progress AS
        WITH s(slot) AS (SELECT COALESCE((SELECT slot FROM snapshot WHERE id = 1), 0)),
        d(slot) AS (SELECT slot FROM decisions UNION ALL SELECT slot FROM decided_pvalues)
        SELECT
          (SELECT slot FROM snapshot WHERE id = 1) AS snapshot_slot,
          CASE
            WHEN NOT EXISTS (SELECT 1 FROM d, s WHERE d.slot = s.slot + 1)
              THEN (SELECT slot + 1 FROM s)
            ELSE (
              SELECT MIN(d.slot) + 1 FROM d, s
              WHERE d.slot > s.slot
                AND NOT EXISTS (SELECT 1 FROM d e WHERE e.slot = d.slot + 1)
            )
          END AS slot_out;
    `);
  },
};

/** Every migration, in order. The last one's version is the current schema version. */
export const MIGRATIONS: readonly Migration[] = [v1, v2, v3, v4];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Bring `db` from schema `from` to the newest version in `migrations`, and record it. The caller
 * holds the transaction; a throw here is rolled back by it.
 */
export function migrate(
  db: Database,
  from: number,
  migrations: readonly Migration[],
  ctx: MigrationContext,
): number {
  let version = from;
  for (const m of migrations) {
    if (m.version <= version) continue;
    if (m.version !== version + 1) {
      throw new Error(`migration ${m.version} does not follow version ${version}`);
    }
    m.up(db, ctx);
    version = m.version;
  }
  db.pragma(`user_version = ${version}`);
  return version;
}

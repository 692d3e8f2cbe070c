/**
 * Every SQL statement the store runs after opening, prepared once. The hot path (a batch of
 * promises, votes and decisions) runs only these, inside one transaction per batch.
 *
 * Where a decision's value lives (schema v4): in `decisions`, or, when it was recorded from the
 * pvalue this acceptor accepted at its slot (StorageBatch.decidedAccepted), in that `accepted`
 * row, its slot marked in `decided_pvalues`, so that a slot's value is written once. A marked
 * slot is never in `decisions` too. A row of `accepted` is a pvalue of the acceptor (at or above
 * the watermark), a decision (marked), or both; a row that is neither is deleted.
 */
import type { Database, Statement } from 'better-sqlite3';

export interface PromiseRow {
  config: number;
  round: number;
  leader: string;
}

export interface AcceptedRow {
  slot: number;
  config: number;
  round: number;
  leader: string;
  value: Buffer;
}

export interface PeerStoreRow {
  peer: string;
  run: number;
  start: number;
  seq: number;
}

export interface DecisionRow {
  slot: number;
  value: Buffer;
}

type Run<P extends unknown[]> = Statement<P, unknown>;

export interface Statements {
  getState: Statement<
    [],
    { incarnation: number; watermark: number; seq: number; amnesia: string | null }
  >;
  setIncarnation: Run<[number]>;
  setSeq: Run<[number]>;
  /** Sets the reason only if none was set (the first verdict stays). */
  setAmnesia: Run<[string]>;
  putPeerStore: Run<[string, number, number, number]>;
  allPeerStores: Statement<[], PeerStoreRow>;
  /** Plucked: the watermark itself. */
  getWatermark: Statement<[], number>;
  setWatermark: Run<[number]>;
  getPromise: Statement<[number], PromiseRow>;
  putPromise: Run<[number, number, string]>;
  allPromises: Statement<[], PromiseRow>;
  dropPromisesBelow: Run<[number]>;
  putAccepted: Run<[number, number, number, string, Buffer]>;
  /**
   * Before a pvalue replaces the one at its slot: if that one is the slot's decision (marked),
   * copy its value into `decisions` (a decided slot never changes); then `unmark`.
   */
  keepDecidedValue: Run<[number]>;
  unmark: Run<[number]>;
  /** The acceptor's pvalues: those at or above the watermark. */
  allAccepted: Statement<[], AcceptedRow>;
  /** Params: from, to. The acceptor's pvalues at slots from .. to - 1 (at or above the watermark). */
  acceptedBetween: Statement<[number, number], AcceptedRow>;
  /** Delete the rows below the watermark that are no decision (not marked). */
  collectAccepted: Run<[]>;
  /** Params: slot, value, slot. Not where a mark decides the slot already. */
  putDecision: Run<[number, Buffer, number]>;
  /**
   * A decision whose value is the pvalue accepted at its slot: mark the slot (params: slot,
   * slot). Changes nothing without a pvalue there, where `decisions` has the slot, or marked.
   */
  markDecided: Run<[number, number]>;
  /** Plucked: 1 when the slot is marked. */
  isMarked: Statement<[number], number>;
  /** Plucked: 1 when the slot has a decision in `decisions`. */
  hasDecision: Statement<[number], number>;
  /** The decisions table and the marked pvalues, by slot. */
  allDecisions: Statement<[], DecisionRow>;
  /**
   * Params: from, from, limit. Up to `limit` decisions from slot `from`, in slot order: from
   * `decisions` and the marked pvalues (Storage.readDecisions).
   */
  decisionsFrom: Statement<[number, number, number], DecisionRow>;
  truncateDecisions: Run<[number]>;
  truncateMarks: Run<[number]>;
  getSnapshot: Statement<[], { slot: number; size: number }>;
  putSnapshot: Run<[number, number]>;
  clearChunks: Run<[]>;
  putChunk: Run<[number, Buffer]>;
  /** Plucked: each chunk's bytes, in order. */
  allChunks: Statement<[], Buffer>;
  /** Plucked: the value. */
  getMeta: Statement<[string], Buffer>;
  putMeta: Run<[string, Buffer]>;
}

export function prepareStatements(db: Database): Statements {
  const prep = <P extends unknown[] = [], R = unknown>(sql: string): Statement<P, R> =>
    db.prepare<P, R>(sql);
  return {
    getState: prep('SELECT incarnation, watermark, seq, amnesia FROM node_state WHERE id = 1'),
    setIncarnation: prep('UPDATE node_state SET incarnation = ? WHERE id = 1'),
    setSeq: prep('UPDATE node_state SET seq = ? WHERE id = 1'),
    setAmnesia: prep('UPDATE node_state SET amnesia = coalesce(amnesia, ?) WHERE id = 1'),
    putPeerStore: prep(
      'INSERT INTO peer_stores (peer, run, start, seq) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (peer) DO UPDATE SET run = excluded.run, start = excluded.start, seq = excluded.seq',
    ),
    allPeerStores: prep('SELECT peer, run, start, seq FROM peer_stores ORDER BY peer'),
    getWatermark: prep<[], number>('SELECT watermark FROM node_state WHERE id = 1').pluck(),
    setWatermark: prep('UPDATE node_state SET watermark = ? WHERE id = 1'),
    getPromise: prep('SELECT config, round, leader FROM promises WHERE config = ?'),
    putPromise: prep(
      'INSERT INTO promises (config, round, leader) VALUES (?, ?, ?) ' +
        'ON CONFLICT (config) DO UPDATE SET round = excluded.round, leader = excluded.leader',
    ),
    allPromises: prep('SELECT config, round, leader FROM promises ORDER BY config'),
    dropPromisesBelow: prep('DELETE FROM promises WHERE config < ?'),
    putAccepted: prep(
      'INSERT INTO accepted (slot, config, round, leader, value) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (slot) DO UPDATE SET config = excluded.config, round = excluded.round, ' +
        'leader = excluded.leader, value = excluded.value',
    ),
    keepDecidedValue: prep(
      'INSERT OR IGNORE INTO decisions (slot, value) SELECT slot, value FROM accepted ' +
        'WHERE slot = ? AND slot IN (SELECT slot FROM decided_pvalues)',
    ),
    unmark: prep('DELETE FROM decided_pvalues WHERE slot = ?'),
    allAccepted: prep(
      'SELECT slot, config, round, leader, value FROM accepted ' +
        'WHERE slot >= (SELECT watermark FROM node_state WHERE id = 1) ORDER BY slot',
    ),
    acceptedBetween: prep(
      'SELECT slot, config, round, leader, value FROM accepted WHERE slot >= ? AND slot < ? ' +
        'AND slot >= (SELECT watermark FROM node_state WHERE id = 1) ORDER BY slot',
    ),
    collectAccepted: prep(
      'DELETE FROM accepted WHERE slot < (SELECT watermark FROM node_state WHERE id = 1) ' +
        'AND slot NOT IN (SELECT slot FROM decided_pvalues)',
    ),
    putDecision: prep(
      'INSERT OR IGNORE INTO decisions (slot, value) SELECT ?, ? ' +
        'WHERE NOT EXISTS (SELECT 1 FROM decided_pvalues WHERE slot = ?)',
    ),
    markDecided: prep(
      'INSERT OR IGNORE INTO decided_pvalues (slot) SELECT slot FROM accepted WHERE slot = ? ' +
        'AND NOT EXISTS (SELECT 1 FROM decisions WHERE slot = ?)',
    ),
    isMarked: prep<[number], number>('SELECT 1 FROM decided_pvalues WHERE slot = ?').pluck(),
    hasDecision: prep<[number], number>('SELECT 1 FROM decisions WHERE slot = ?').pluck(),
    allDecisions: prep(
      'SELECT slot, value FROM decisions UNION ALL ' +
        'SELECT slot, value FROM accepted WHERE slot IN (SELECT slot FROM decided_pvalues) ' +
        'ORDER BY slot',
    ),
    decisionsFrom: prep(
      'SELECT slot, value FROM decisions WHERE slot >= ? UNION ALL ' +
        'SELECT a.slot, a.value FROM accepted a JOIN decided_pvalues d ON d.slot = a.slot ' +
        'WHERE a.slot >= ? ORDER BY slot LIMIT ?',
    ),
    truncateDecisions: prep('DELETE FROM decisions WHERE slot < ?'),
    truncateMarks: prep('DELETE FROM decided_pvalues WHERE slot < ?'),
    getSnapshot: prep('SELECT slot, size FROM snapshot WHERE id = 1'),
    putSnapshot: prep(
      'INSERT INTO snapshot (id, slot, size) VALUES (1, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET slot = excluded.slot, size = excluded.size',
    ),
    clearChunks: prep('DELETE FROM snapshot_chunks'),
    putChunk: prep('INSERT INTO snapshot_chunks (seq, data) VALUES (?, ?)'),
    allChunks: prep<[], Buffer>('SELECT data FROM snapshot_chunks ORDER BY seq').pluck(),
    getMeta: prep<[string], Buffer>('SELECT value FROM meta WHERE key = ?').pluck(),
    putMeta: prep(
      'INSERT INTO meta (key, value) VALUES (?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

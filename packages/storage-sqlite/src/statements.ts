/**
 * Every SQL statement the store runs after opening, prepared once. The hot path (a batch of
 * promises, votes and decisions) runs only these, inside one transaction per batch.
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
  allAccepted: Statement<[], AcceptedRow>;
  dropAcceptedBelow: Run<[number]>;
  putDecision: Run<[number, Buffer]>;
  /** A decision whose value is the pvalue accepted at its slot; changes nothing without one. */
  putDecisionAccepted: Run<[number]>;
  /** Plucked: 1 when the slot has a decision. */
  hasDecision: Statement<[number], number>;
  allDecisions: Statement<[], DecisionRow>;
  truncateDecisions: Run<[number]>;
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
    allAccepted: prep('SELECT slot, config, round, leader, value FROM accepted ORDER BY slot'),
    dropAcceptedBelow: prep('DELETE FROM accepted WHERE slot < ?'),
    putDecision: prep('INSERT OR IGNORE INTO decisions (slot, value) VALUES (?, ?)'),
    putDecisionAccepted: prep(
      'INSERT OR IGNORE INTO decisions (slot, value) SELECT slot, value FROM accepted WHERE slot = ?',
    ),
    hasDecision: prep<[number], number>('SELECT 1 FROM decisions WHERE slot = ?').pluck(),
    allDecisions: prep('SELECT slot, value FROM decisions ORDER BY slot'),
    truncateDecisions: prep('DELETE FROM decisions WHERE slot < ?'),
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

/**
 * The crash test's world, shared by the parent (a scripted leader) and the child (a real node
 * on a real database file): two peers, the slot values, and what the replica's state must be.
 *
 * The child `A` is the only acceptor and a replica of configuration 0; the parent `L` is its
 * only leader. Slot s always carries the same value, so any value found in the file can be
 * checked without a log of what was sent.
 */
import {
  encodeBatch,
  encodeSnapshot,
  type Configuration,
  type ProtocolOptions,
  type Snapshot,
} from '@synod/core';
import { encodeKv, KvStateMachine } from '@synod/core/testing';

export const ACCEPTOR = 'A';
export const LEADER = 'L';
export const CRASH_LOG_ID = 'synod-crash-test';
/** Small chunks, so that every snapshot spans several. */
export const CRASH_CHUNK_BYTES = 1024;
const KEYS = 16;

/** Snapshots every 25 slots and short retention, so that compaction runs all the time. */
export const CRASH_PROTOCOL: Partial<ProtocolOptions> = {
  snapshotInterval: 25,
  logRetention: 10,
  catchupDelayMs: 10,
  electionTimeoutMs: 1000,
  maxElectionTimeoutMs: 5000,
};

export const CRASH_CONFIG: Configuration = {
  id: 0,
  start: 1,
  replicas: [ACCEPTOR],
  leaders: [LEADER],
  acceptors: [ACCEPTOR],
};

/** The state a new file starts from: configuration 0 and an empty key-value store. */
export function initialSnapshot(): Snapshot {
  const sm = new KvStateMachine();
  return {
    slot: 0,
    data: encodeSnapshot({
      slot: 0,
      window: 8,
      skips: true,
      configs: [CRASH_CONFIG],
      clients: [],
      app: sm.snapshot(),
    }),
  };
}

function keyOf(slot: number): string {
  return `k${slot % KEYS}`;
}

/** The string put at slot s (its length varies, up to a few hundred bytes). */
function textOf(slot: number): string {
  return `${slot}:${'x'.repeat((slot * 7919) % 300)}`;
}

const values = new Map<number, Uint8Array>();

/** The value of slot s: a batch of one put, from client L (seq = slot, so seqs are dense). */
export function valueOf(slot: number): Uint8Array {
  let v = values.get(slot);
  if (v === undefined) {
    const op = encodeKv({ op: 'put', key: keyOf(slot), value: textOf(slot) });
    v = encodeBatch([{ kind: 'app', client: LEADER, inc: 1, seq: slot, ack: slot - 1, op }]);
    if (values.size > 100_000) values.clear();
    values.set(slot, v);
  }
  return v;
}

/** The key-value state after applying slots 1..slot. */
export function expectedKv(slot: number): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < KEYS; i++) {
    // The last slot <= `slot` that wrote key i.
    const s = slot - ((((slot - i) % KEYS) + KEYS) % KEYS);
    if (s >= 1) out.set(keyOf(s), textOf(s));
  }
  return out;
}

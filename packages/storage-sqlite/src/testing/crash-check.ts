/**
 * What the crash test checks after every kill, on the state recovered from the file: that
 * everything the child reported (P1b, P2b) is still reflected in it, that nothing went
 * backwards since the previous recovery, and that the replica's state is a consistent prefix
 * of the decided log.
 */
import {
  BOTTOM,
  compareBallots,
  decodeSnapshot,
  formatBallot,
  type Ballot,
  type PersistentState,
} from '@synod/core';
import { KvStateMachine } from '@synod/core/testing';
import { CRASH_CONFIG, expectedKv, valueOf } from './crash-workload.js';
import type { ScriptedLeader } from './crash-leader.js';

/** What one recovery found, to compare the next one against. */
export interface Recovered {
  readonly promise: Ballot;
  readonly watermark: number;
  readonly snapshotSlot: number;
  readonly incarnation: number;
  /** The replica's first slot not decided here (snapshot + consecutive decisions). */
  readonly slotOut: number;
}

export const NOTHING_RECOVERED: Recovered = {
  promise: BOTTOM,
  watermark: 0,
  snapshotSlot: 0,
  incarnation: 0,
  slotOut: 1,
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function checkRecovered(
  state: PersistentState,
  leader: ScriptedLeader,
  prev: Recovered,
): { recovered: Recovered; violations: string[] } {
  const v: string[] = [];
  const ledger = leader.ledger;
  const promise = state.promises.find((p) => p.config === 0)?.ballot ?? BOTTOM;
  const snapshotSlot = state.snapshot?.slot ?? -1;

  // The promise: at least every ballot the child reported, and never lower than last time.
  if (compareBallots(promise, ledger.maxBallot) < 0) {
    v.push(
      `promise ${formatBallot(promise)} is below the reported ${formatBallot(ledger.maxBallot)}`,
    );
  }
  if (compareBallots(promise, prev.promise) < 0) {
    v.push(`promise went backwards: ${formatBallot(prev.promise)} -> ${formatBallot(promise)}`);
  }
  if (state.snapshot === null) v.push('the snapshot is gone');
  if (state.watermark < prev.watermark) {
    v.push(`watermark went backwards: ${prev.watermark} -> ${state.watermark}`);
  }
  if (state.watermark < ledger.maxWatermark) {
    v.push(`watermark ${state.watermark} is below the reported ${ledger.maxWatermark}`);
  }
  if (state.watermark > snapshotSlot + 1) {
    v.push(`watermark ${state.watermark} is above the snapshot (slot ${snapshotSlot})`);
  }
  if (snapshotSlot < prev.snapshotSlot) {
    v.push(`snapshot went backwards: ${prev.snapshotSlot} -> ${snapshotSlot}`);
  }
  if (state.incarnation < prev.incarnation) {
    v.push(`incarnation went backwards: ${prev.incarnation} -> ${state.incarnation}`);
  }

  // Every vote reported: its pvalue is there at that ballot or higher, or compacted away
  // under a snapshot that covers it.
  const accepted = new Map(state.accepted.map((pv) => [pv.slot, pv]));
  for (const [slot, b] of ledger.votes) {
    if (slot < state.watermark) {
      if (snapshotSlot < slot) v.push(`vote for slot ${slot} dropped, but no snapshot covers it`);
      continue;
    }
    const pv = accepted.get(slot);
    if (pv === undefined) {
      v.push(`vote for slot ${slot} at ${formatBallot(b)} was reported but is not in the file`);
    } else if (compareBallots(pv.ballot, b) < 0) {
      v.push(
        `slot ${slot}: file has ${formatBallot(pv.ballot)}, below the reported ${formatBallot(b)}`,
      );
    }
  }
  for (const pv of state.accepted) {
    if (pv.config !== 0 || !sameBytes(pv.value, valueOf(pv.slot))) {
      v.push(`slot ${pv.slot}: accepted a value that was never proposed`);
    }
    if (pv.slot < state.watermark) v.push(`slot ${pv.slot}: pvalue below the watermark`);
    if (compareBallots(pv.ballot, promise) > 0) {
      v.push(`slot ${pv.slot}: accepted ballot ${formatBallot(pv.ballot)} above the promise`);
    }
  }

  // The replica: decisions are decided values; the snapshot is the state of a decided prefix.
  for (const d of state.decisions) {
    if (!leader.decided.has(d.slot) || !sameBytes(d.value, valueOf(d.slot))) {
      v.push(`slot ${d.slot}: a decision the leader never made`);
    }
  }
  if (state.snapshot !== null)
    v.push(...checkSnapshot(state.snapshot.slot, state.snapshot.data, leader));

  let slotOut = snapshotSlot + 1;
  const decided = new Set(state.decisions.map((d) => d.slot));
  while (decided.has(slotOut)) slotOut++;
  return {
    recovered: {
      promise: compareBallots(promise, prev.promise) > 0 ? promise : prev.promise,
      watermark: Math.max(state.watermark, prev.watermark),
      snapshotSlot: Math.max(snapshotSlot, prev.snapshotSlot),
      incarnation: Math.max(state.incarnation, prev.incarnation),
      slotOut,
    },
    violations: v,
  };
}

function checkSnapshot(slot: number, data: Uint8Array, leader: ScriptedLeader): string[] {
  const v: string[] = [];
  let s: ReturnType<typeof decodeSnapshot>;
  try {
    s = decodeSnapshot(data);
  } catch (e) {
    return [`the snapshot at slot ${slot} does not decode: ${String(e)}`];
  }
  if (s.slot !== slot) v.push(`the snapshot says slot ${s.slot}, stored as ${slot}`);
  if (s.configs.length === 0 || s.configs[0]!.id !== CRASH_CONFIG.id) {
    v.push(`the snapshot at slot ${slot} lost the configuration`);
  }
  for (let i = 1; i <= slot; i++) {
    if (!leader.decided.has(i)) {
      v.push(`the snapshot covers slot ${i}, which the leader never decided`);
      break;
    }
  }
  const sm = new KvStateMachine();
  sm.restore(s.app);
  const want = expectedKv(slot);
  const got = sm.data;
  if (got.size !== want.size || [...want].some(([k, x]) => got.get(k) !== x)) {
    v.push(`the snapshot at slot ${slot} does not hold the state of slots 1..${slot}`);
  }
  return v;
}

/**
 * The decisions a test kit may swap for a wrong one, to show that the simulator catches it
 * (`@synod/core/testing`'s injected bugs; etcd keeps its faults in rafttest the same way).
 * Production always runs `RULES`. A handler calls its rule where the decision is made and knows
 * nothing of the bugs that replace it: no `if (bug)` in the protocol's code paths.
 */
import { nextRound } from './ballot.js';
import { chooseCatchupSource } from './catchup.js';
import type { StoreStamp } from './messages.js';
import { judgeStore, type RunRecord, type StoreVerdict } from './store-runs.js';
import type { PeerId, Slot } from './types.js';

/** What a replica that is behind knows when it picks whom to ask (catchup.ts). */
export interface CatchupSituation {
  /** The first slot this replica lacks. */
  readonly slotOut: Slot;
  /** A snapshot transfer under way: its source and the snapshot's slot. */
  readonly incoming: { readonly from: PeerId; readonly slot: Slot } | undefined;
  /** Peers that said they applied every slot below the given one. */
  readonly ahead: ReadonlyMap<PeerId, Slot>;
  /** Peers that showed they lack `slotOut` (an empty answer, or none), and since when. */
  readonly lacking: ReadonlyMap<PeerId, number>;
  /** Slots are known to be missing (a decision above a hole, or no state yet). */
  readonly missing: boolean;
  /** The other members of the newest configuration. */
  readonly members: readonly PeerId[];
  readonly random: () => number;
}

export interface Rules {
  /**
   * The round of this run's next ballot, above every round `seen`, never one another run of
   * this peer could produce (ballot.ts). Undefined: this peer cannot lead.
   */
  nextRound(seen: number, incarnation: number): number | undefined;
  /** The peer a replica that is behind asks next; undefined: nobody to ask now. */
  catchupSource(s: CatchupSituation): PeerId | undefined;
  /** Whether a store stamp shows its peer's store went back in time (store-runs.ts). */
  judgeStore(known: readonly RunRecord[], stamp: StoreStamp): StoreVerdict;
}

export const RULES: Readonly<Rules> = Object.freeze({
  nextRound,
  catchupSource: chooseCatchupSource,
  judgeStore,
});

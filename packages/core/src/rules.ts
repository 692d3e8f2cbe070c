/**
 * The decisions a test kit may swap for a wrong one, to show that the simulator catches it
 * (`@synod/core/testing`'s injected bugs; etcd keeps its faults in rafttest the same way).
 * Production always runs `RULES`. A handler calls its rule where the decision is made and knows
 * nothing of the bugs that replace it: no `if (bug)` in the protocol's code paths.
 */
import { nextRound } from './ballot.js';

export interface Rules {
  /**
   * The round of this run's next ballot, above every round `seen`, never one another run of
   * this peer could produce (ballot.ts). Undefined: this peer cannot lead.
   */
  nextRound(seen: number, incarnation: number): number | undefined;
}

export const RULES: Readonly<Rules> = Object.freeze({ nextRound });

/**
 * Majority arithmetic, in one place (as etcd-io/raft's quorum/majority.go): how many votes win,
 * whether a majority of a configuration's acceptors has answered, and the highest
 * value that a majority of them has reached (a heartbeat round acknowledged, a time heard from).
 * The scout, the commander, check quorum and read confirmation all count through this.
 */
import type { PeerId } from './types.js';

/** The smallest number of `n` voters that is a majority (PMMC's "majority of acceptors"). */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * PMMC's test (Figs. 6(a), 6(b)): "if |waitfor| < |acceptors| / 2", that is, a majority of the
 * acceptors have answered. `waitfor` holds the acceptors not yet heard from (a subset of them).
 */
export function quorumReached(acceptors: readonly PeerId[], waitfor: ReadonlySet<PeerId>): boolean {
  let waiting = 0;
  for (const a of acceptors) if (waitfor.has(a)) waiting++;
  return waiting < acceptors.length / 2;
}

/**
 * The highest value that a majority of `voters` have reached: sort their values (a voter not
 * heard from counts as `missing`) and take the majority-th highest. For heartbeat rounds, the
 * highest round a majority acknowledged; for times, the latest moment by which a majority had
 * been heard from.
 */
export function majorityValue(
  voters: readonly PeerId[],
  value: (voter: PeerId) => number | undefined,
  missing = 0,
): number {
  if (voters.length === 0) return missing;
  const values = voters.map((v) => value(v) ?? missing).sort((a, b) => b - a);
  return values[majority(voters.length) - 1]!;
}

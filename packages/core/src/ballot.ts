/**
 * Ballots (PMMC §2: "ballot numbers are lexicographically ordered pairs of an integer and a
 * leader identifier"). A ballot is `(round, leader)`; rounds are compared first, then the
 * leader's peer id, so two leaders never share a ballot.
 */
import type { PeerId } from './types.js';

export interface Ballot {
  readonly round: number;
  readonly leader: PeerId;
}

/** The ballot below every real ballot: what an acceptor holds before it promises anything. */
export const BOTTOM: Ballot = Object.freeze({ round: 0, leader: '' });

/** Total order on ballots: negative when a < b, 0 when equal, positive when a > b. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  if (a.leader === b.leader) return 0;
  return a.leader < b.leader ? -1 : 1;
}

export function ballotEquals(a: Ballot, b: Ballot): boolean {
  return a.round === b.round && a.leader === b.leader;
}

export function ballotGreater(a: Ballot, b: Ballot): boolean {
  return compareBallots(a, b) > 0;
}

export function maxBallot(a: Ballot, b: Ballot): Ballot {
  return compareBallots(a, b) >= 0 ? a : b;
}

export function formatBallot(b: Ballot): string {
  return b.leader === '' ? '⊥' : `(${b.round},${b.leader})`;
}

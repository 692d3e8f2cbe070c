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

/**
 * Rounds are qualified by the leader's incarnation: the rounds a peer uses in its n-th run are
 * at least n · ROUND_SPAN. A leader keeps no durable state of its own, so without this a peer
 * that restarts could reuse a ballot it used before its crash, with another value: two values
 * in one ballot, which Paxos forbids. The incarnation is durable before any ballot is used.
 */
export const ROUND_SPAN = 2 ** 24;

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
  if (b.leader === '') return '⊥';
  const inc = Math.floor(b.round / ROUND_SPAN);
  const round = inc > 0 ? `${inc}.${b.round % ROUND_SPAN}` : String(b.round);
  return `(${round},${b.leader})`;
}

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
 * How many runs of one peer its rounds tell apart. A round is `k · INCARNATIONS + i`, where `i`
 * is the incarnation of the run that made it (durable before the run's first ballot, raised at
 * every start). Within a run rounds only grow; two runs have different incarnations, so their
 * rounds differ in the low part. So no two runs of a peer ever produce the same ballot, whatever
 * rounds they have heard of. PMMC's Invariant A4 (§2: at most one command per ballot and slot)
 * rests on this: a leader keeps no durable state, and a ballot of an earlier run reused with
 * another command would put two commands under one ballot (docs/protocol.md, "Ballots").
 */
export const INCARNATIONS = 2 ** 20;

/**
 * Rounds the previous release made (`max(seen + 1, incarnation · 2^24 + 1)`: at least 2^24 + 1,
 * and below 2^46 for any incarnation a store reached) are never made again: after an upgrade, a
 * run of the new rule could otherwise meet a round an old run of the same peer used. New rounds
 * lie below OLD_ROUNDS_FROM or from OLD_ROUNDS_TO on (both multiples of INCARNATIONS, so the low
 * part still names the run), and a peer that hears an old round jumps past them all.
 */
export const OLD_ROUNDS_FROM = 2 ** 24;
export const OLD_ROUNDS_TO = 2 ** 46;

/**
 * The round of a new ballot of the run with incarnation `incarnation`: the smallest round above
 * `seen` whose low part is the incarnation, outside the previous release's rounds. Undefined when
 * there is none that is safe (an incarnation beyond INCARNATIONS, or rounds exhausted): the peer
 * then never leads. 2^20 runs, and 2^32 round blocks for each, stay below 2^53.
 */
export function nextRound(seen: number, incarnation: number): number | undefined {
  if (!Number.isSafeInteger(incarnation) || incarnation < 1 || incarnation >= INCARNATIONS)
    return undefined;
  const below = seen - (seen % INCARNATIONS) + incarnation;
  let round = below > seen ? below : below + INCARNATIONS;
  if (round >= OLD_ROUNDS_FROM && round < OLD_ROUNDS_TO) round = OLD_ROUNDS_TO + incarnation;
  return Number.isSafeInteger(round) ? round : undefined;
}

/**
 * The highest round a message may carry (RawNode refuses one above it). Above every round up to
 * this one, every run can still make one (`nextRound`, below 2^53); a peer that took a higher
 * one in could never run for leader in that configuration again ("no unused round"). No peer
 * makes a round past it but after some 2^32 elections in one configuration: a message that
 * carries one is forged or corrupted.
 */
export const MAX_ROUND = Number.MAX_SAFE_INTEGER - INCARNATIONS;

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
  // "k.i": the k-th round block, made by the run with incarnation i (the blocks go on from 16
  // past the previous release's rounds, which show as they were).
  const r = b.round;
  if (r >= OLD_ROUNDS_FROM && r < OLD_ROUNDS_TO) return `(old ${r},${b.leader})`;
  const k = Math.floor(
    (r >= OLD_ROUNDS_TO ? r - OLD_ROUNDS_TO + OLD_ROUNDS_FROM : r) / INCARNATIONS,
  );
  return `(${k}.${r % INCARNATIONS},${b.leader})`;
}

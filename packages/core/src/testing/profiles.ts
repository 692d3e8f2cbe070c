/**
 * The simulator's nemesis profiles (as Jepsen runs its nemeses one at a time): a mix of every
 * fault, or one family at high intensity, which finds its kind of bug faster. `npm run sim --
 * --profile NAME` runs one; without it each seed draws one of DRAWN_PROFILES.
 */
import type { ProtocolOptions } from '../options.js';

export type FaultKind =
  | 'crash'
  | 'sleep'
  | 'partition'
  | 'one-way-loss'
  | 'isolate-leader'
  | 'crash-writer'
  | 'membership'
  /** Crash and restart one peer several times in a row: peers' incarnations drift apart. */
  | 'restart-skew'
  /** The active leader crashes after its P2a left and before its own write completed. */
  | 'crash-mid-write'
  /** Lose one acceptor's P2b to the leader, or the leader's decisions to one replica, a while. */
  | 'lose-votes'
  /** A follower's replica misses decisions and cannot catch up from the leader for a while. */
  | 'starve-replica'
  /**
   * A follower misses decisions it heard the leader had; the leader crashes mid-write (losing its
   * last decisions) and catches up slowly: the one peer the follower heard was ahead is not.
   */
  | 'stale-claim'
  /** A peer's store goes back: restored from a copy taken earlier, or wiped. */
  | 'rollback'
  /** The active leader hands over (transferLeadership), then often crashes or sleeps. */
  | 'transfer'
  /**
   * Every peer loses power at once (issue 18's whole-cluster cut): each keeps any prefix of its
   * writes in flight and loses the rest, with no peer left up that remembers more.
   */
  | 'power-cut';

export type ProfileName =
  | 'mixed'
  | 'leader-churn'
  | 'crash-churn'
  | 'membership-churn'
  | 'ballot-reuse'
  | 'catchup'
  | 'amnesia'
  | 'power-cut';

export interface Profile {
  readonly description: string;
  readonly faults: Partial<Record<FaultKind, number>>;
  /** Protocol options this profile needs (applied over the seed's own draw). */
  readonly protocol?: Partial<ProtocolOptions>;
  /** Messages late by up to this many ms, at this rate (across restarts). */
  readonly late?: { readonly rate: number; readonly ms: number };
  /** Needs membership changes (left out of draws with --no-membership). */
  readonly membership?: boolean;
  /**
   * A tighter bound on the liveness phase (virtual ms): where a profile is about catching up,
   * "eventually" is not enough; a replica must find the slots it lacks promptly once faults heal.
   */
  readonly livenessMs?: number;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  mixed: {
    description: 'a bit of every fault of the classic set',
    faults: {
      crash: 20,
      sleep: 10,
      partition: 15,
      'one-way-loss': 5,
      'isolate-leader': 15,
      'crash-writer': 10,
      membership: 25,
      transfer: 5,
    },
  },
  'leader-churn': {
    description:
      'the active leader cut off again and again, with crashes of writers and hand-overs',
    faults: { 'isolate-leader': 60, 'crash-writer': 20, crash: 10, partition: 10, transfer: 15 },
  },
  'crash-churn': {
    description: 'crashes, mostly in the middle of a write',
    faults: { crash: 40, 'crash-writer': 40, 'isolate-leader': 20 },
  },
  'membership-churn': {
    description: 'membership changes, with the leader cut off while the WINDOW drains',
    faults: { membership: 70, 'isolate-leader': 20, crash: 10 },
    membership: true,
  },
  'ballot-reuse': {
    description:
      'incarnation skew, leaders crashing between their P2a and their own write, messages late across restarts, lost P2b and decisions (issue 12, sequence 1)',
    faults: {
      'restart-skew': 25,
      'crash-mid-write': 20,
      'one-way-loss': 15,
      crash: 20,
      'lose-votes': 10,
      'isolate-leader': 10,
    },
    late: { rate: 0.1, ms: 1000 },
  },
  catchup: {
    description:
      'replicas starved of decisions, compacted logs, snapshot transfers cut short, leaders behind (seed 4020591)',
    faults: {
      'stale-claim': 30,
      'starve-replica': 20,
      crash: 15,
      'crash-writer': 10,
      sleep: 10,
      'isolate-leader': 15,
    },
    protocol: { snapshotInterval: 8, logRetention: 0, snapshotChunkBytes: 64 },
    // A stall never settles; a peer hundreds of slots behind, fetching 64-byte chunks while the
    // log moves on, may take a little over 4 s (seeds 40001484, 40004284: 4.08 and 4.16 s).
    livenessMs: 6000,
  },
  amnesia: {
    description: 'stores restored from older copies or wiped, under crashes and leader changes',
    faults: { rollback: 35, 'isolate-leader': 25, crash: 20, 'lose-votes': 20 },
  },
  'power-cut': {
    description:
      'the whole cluster loses power at once (each peer keeps any prefix of its writes in flight), between crashes and leader changes',
    faults: { 'power-cut': 40, crash: 20, 'isolate-leader': 20, sleep: 10, partition: 10 },
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(s: string): s is ProfileName {
  return Object.hasOwn(PROFILES, s);
}

/**
 * What a seed draws from when no profile is named (weights by repetition). The newer profiles
 * are drawn too, less often: each has its own `--profile` runs and soak share.
 */
export const DRAWN_PROFILES: readonly ProfileName[] = [
  'mixed',
  'mixed',
  'leader-churn',
  'crash-churn',
  'membership-churn',
];

/**
 * Failure detection that adapts to the machine (PMMC §3 leaves the timeout to the
 * implementation; docs/protocol.md, "Failure detection").
 *
 * An active leader heartbeats every `heartbeatIntervalMs`. On an idle machine its heartbeats
 * arrive on time and the configured `electionTimeoutMs` (3 intervals by default) replaces a
 * crashed leader promptly. On a busy desktop they arrive late: the leader's event loop is held
 * by a synchronous fsync, a GC or the scheduler, or this follower's own loop is. A fixed timeout
 * of 3 intervals then mistakes a live leader for a dead one (a C=64 run at load 10–19: 3 changes
 * of the active leader in 10 minutes, etcd with 10 intervals: none).
 *
 * So each peer keeps the worst lateness it saw recently — a heartbeat gap beyond one interval,
 * between two heartbeats of the same leader (ballot) in a configuration — and waits that much
 * longer, times LATENESS_FACTOR, before it suspects its leader; its acceptor shields the leader
 * from P1a (stickiness) that much longer too, so a peer that saw less cannot win a pre-vote
 * against those that saw more. The worst lateness halves every LATENESS_HALF_LIFE_MS without a
 * worse one: a machine that calms down goes back to the prompt timeout within minutes. A leader
 * learns the same lateness from its side (`answered`: how late a majority's answers to its
 * heartbeats came) and waits the same margin before its check quorum gives up.
 *
 * Only gaps of the same leader count: the silence around an election (a real failure) is not
 * jitter, and learning it would slow down the next failover. A gap longer than
 * maxElectionTimeoutMs is an outage (a partition, a suspended laptop), not jitter, and is not
 * learned either. The margin never exceeds MAX_MARGIN_MS, nor maxElectionTimeoutMs -
 * electionTimeoutMs: lost heartbeats look like lateness too (a lossy link), and a crashed
 * leader must still be replaced within seconds.
 *
 * Liveness only: nothing here changes what a ballot, a promise or a vote means. Deterministic:
 * it reads only the time the driver gives the core (`observeTime`, `tick`).
 */
import { ballotEquals, type Ballot } from './ballot.js';
import type { ProtocolOptions } from './options.js';
import type { ConfigId } from './types.js';

/** How many times the worst recent lateness is added to the configured timeout. */
export const LATENESS_FACTOR = 4;
/**
 * The most the margin adds, in ms: it tolerates stalls of about 2 s beyond the configured timeout
 * (the worst seen at load 10–17 was under 1 s) and keeps a failover within about etcd's.
 */
export const MAX_MARGIN_MS = 2000;
/** The worst lateness seen halves every this many ms unless a worse one is seen. */
export const LATENESS_HALF_LIFE_MS = 60_000;

export class HeartbeatGaps {
  /** Per configuration: the ballot of the last heartbeat heard from another peer, and when. */
  private readonly last = new Map<ConfigId, { readonly ballot: Ballot; readonly at: number }>();
  /** The worst lateness seen, and when (it decays from then). */
  private worst = 0;
  private worstAt = 0;

  constructor(
    private readonly opts: Pick<
      ProtocolOptions,
      'heartbeatIntervalMs' | 'electionTimeoutMs' | 'maxElectionTimeoutMs'
    >,
  ) {}

  /** A heartbeat of the leader `ballot` (another peer) in `config` was processed at `now`. */
  heard(config: ConfigId, ballot: Ballot, now: number): void {
    const prev = this.last.get(config);
    this.last.set(config, { ballot, at: now });
    if (prev === undefined || !ballotEquals(prev.ballot, ballot)) return;
    this.learn(now - prev.at, now);
  }

  /**
   * The leader's side of the same lateness: a majority of its acceptors answered its heartbeats
   * `gap` ms after a majority last did (Leader.onHeartbeatAck). Its check quorum waits the margin
   * its followers wait; with a fixed 600 ms, a stall of 600 ms or more that its followers ride
   * out (they learned it) made the leader step down and run again with a new ballot. That fits
   * the one ballot change of a C=64 run at load 11.5 with no change of the active leader and a
   * 701 ms stall (that run did not log why the ballot changed).
   */
  answered(gap: number, now: number): void {
    this.learn(gap, now);
  }

  private learn(gap: number, now: number): void {
    if (gap > this.opts.maxElectionTimeoutMs) return;
    const lateness = gap - this.opts.heartbeatIntervalMs;
    if (lateness > this.lateness(now)) {
      this.worst = lateness;
      this.worstAt = now;
    }
  }

  /** The worst recent lateness, decayed: halved every LATENESS_HALF_LIFE_MS since it was seen. */
  lateness(now: number): number {
    if (this.worst <= 0) return 0;
    return this.worst * 2 ** (-Math.max(0, now - this.worstAt) / LATENESS_HALF_LIFE_MS);
  }

  /** How much longer than configured to wait before suspecting a silent leader, in ms. */
  extraMs(now: number): number {
    const extra = Math.round(LATENESS_FACTOR * this.lateness(now));
    return Math.min(
      extra,
      MAX_MARGIN_MS,
      this.opts.maxElectionTimeoutMs - this.opts.electionTimeoutMs,
    );
  }
}

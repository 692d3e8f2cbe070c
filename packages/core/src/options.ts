/**
 * Protocol options. Every field has a doc comment, a default, and a check in `validate()`
 * (in the manner of etcd-io/raft's Config). Times are milliseconds of the clock the driver
 * passes to `tick(now)`; the protocol never reads a clock itself.
 */
import { InvalidConfigError } from './errors.js';

export interface ProtocolOptions {
  /**
   * PMMC's WINDOW: how many slots may be in flight beyond the last applied one, and how many
   * slots after its decision a reconfiguration takes effect (PMMC §2.1). Larger values allow
   * deeper pipelining; smaller ones make membership changes take effect sooner. It is used
   * only when this peer creates a new log: a log's WINDOW is fixed then and replicated in its
   * snapshots, since peers that disagreed on it would disagree on where a configuration starts.
   */
  window: number;
  /** The most commands packed into one slot (batching). */
  maxBatchCommands: number;
  /** The most bytes of commands packed into one slot; a single larger command gets its own slot. */
  maxBatchBytes: number;
  /** How often an active leader sends heartbeats to every member. */
  heartbeatIntervalMs: number;
  /**
   * How long a peer waits without a heartbeat before it runs for leader. The actual timeout is
   * drawn uniformly from [electionTimeoutMs, 2 * electionTimeoutMs) at every wait, and it grows
   * multiplicatively each time the peer is preempted (PMMC §3, "failure detection").
   */
  electionTimeoutMs: number;
  /** The cap on the election timeout after repeated preemption (AIMD backoff). */
  maxElectionTimeoutMs: number;
  /**
   * For how long after hearing from the active leader an acceptor ignores P1a from other
   * leaders (DESIGN.md §3 item 3), so that a peer returning from a partition with a high ballot
   * cannot disrupt a working leader. 0 switches it off (safety does not depend on it; the
   * simulator runs some seeds without it). Default: electionTimeoutMs.
   */
  leaderStickinessMs: number;
  /** Scouts and commanders resend P1a/P2a to acceptors that have not answered after this long. */
  retransmitIntervalMs: number;
  /** A replica resends its pending commands to the active leader after this long without a result. */
  requestRetryMs: number;
  /** A replica takes a snapshot after applying this many slots since the previous one. */
  snapshotInterval: number;
  /**
   * A replica also takes a snapshot once the decisions it applied since the previous one hold
   * this many bytes, or four times the previous snapshot's size if that is more (so that
   * snapshots cost at most a quarter of the bytes the log carries). Decided values are kept
   * until a snapshot lets them go (the acceptor's pvalues, the replica's decisions; in storage,
   * and in memory only until applied and durable): counting slots alone let 1,000–2,000
   * batches of 100 KB (C=1024) hold 100–300 MB per peer, in memory then.
   */
  snapshotIntervalBytes: number;
  /** Decisions kept below the newest snapshot, so a peer slightly behind catches up without one. */
  logRetention: number;
  /** At most this many bytes of decisions are kept below the newest snapshot (and `logRetention`). */
  logRetentionBytes: number;
  /** The most decisions sent in one catch-up answer. */
  catchupMaxDecisions: number;
  /** The most bytes of decisions sent in one catch-up answer (at least one is always sent). */
  catchupMaxBytes: number;
  /** The size of one snapshot chunk in a transfer. */
  snapshotChunkBytes: number;
  /** A replica that sees it is behind waits this long for the missing decisions before it asks. */
  catchupDelayMs: number;
  /**
   * A sanity bound against a member that sends nonsense: a decision from another member more
   * than this many slots past this replica's slotOut is dropped (catch-up brings it later).
   * Without it, one forged decision near 2^53 would be kept for ever. (A P1b is never ignored for
   * its pvalues' slots: acceptors vote ahead of replicas that lag, and a lagging majority must not
   * block every election; what one P1b can make a leader fill at once is bounded by the WINDOW.)
   * Honest peers stay far inside it. At least
   * 2 * (window + snapshotInterval + logRetention + catchupMaxDecisions).
   */
  maxSlotsAhead: number;
}

export const DEFAULT_OPTIONS: Readonly<ProtocolOptions> = Object.freeze({
  window: 64,
  maxBatchCommands: 1024,
  maxBatchBytes: 256 * 1024,
  // 100 ms (was 50): an idle 3-peer cluster's cost is mostly heartbeats and their acks; three
  // or more still fit in the shortest election timeout.
  heartbeatIntervalMs: 100,
  electionTimeoutMs: 300,
  maxElectionTimeoutMs: 5000,
  leaderStickinessMs: -1,
  retransmitIntervalMs: 200,
  requestRetryMs: 1000,
  snapshotInterval: 1000,
  snapshotIntervalBytes: 8 * 1024 * 1024,
  logRetention: 1000,
  logRetentionBytes: 8 * 1024 * 1024,
  catchupMaxDecisions: 2000,
  catchupMaxBytes: 1024 * 1024,
  snapshotChunkBytes: 256 * 1024,
  catchupDelayMs: 100,
  maxSlotsAhead: 100_000,
});

function positiveInt(o: ProtocolOptions, key: keyof ProtocolOptions, min = 1): void {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidConfigError(`${key} must be an integer >= ${min}, got ${String(v)}`);
  }
}

/** Fill defaults and check every field; throws InvalidConfigError with the field's name. */
export function validateOptions(partial: Partial<ProtocolOptions> = {}): ProtocolOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_OPTIONS)) throw new InvalidConfigError(`unknown option ${key}`);
  }
  const o: ProtocolOptions = { ...DEFAULT_OPTIONS, ...partial };
  // -1 (the default) means "the election timeout".
  if (o.leaderStickinessMs === -1) o.leaderStickinessMs = o.electionTimeoutMs;
  for (const key of Object.keys(DEFAULT_OPTIONS) as (keyof ProtocolOptions)[]) {
    const mayBeZero =
      key === 'logRetention' || key === 'logRetentionBytes' || key === 'leaderStickinessMs';
    positiveInt(o, key, mayBeZero ? 0 : 1);
  }
  if (o.window < 2) throw new InvalidConfigError('window must be at least 2');
  if (o.heartbeatIntervalMs * 2 > o.electionTimeoutMs) {
    throw new InvalidConfigError(
      `electionTimeoutMs (${o.electionTimeoutMs}) must be at least twice heartbeatIntervalMs (${o.heartbeatIntervalMs}), or a live leader is suspected between two heartbeats`,
    );
  }
  if (o.maxElectionTimeoutMs < o.electionTimeoutMs) {
    throw new InvalidConfigError('maxElectionTimeoutMs must be >= electionTimeoutMs');
  }
  const slack = 2 * (o.window + o.snapshotInterval + o.logRetention + o.catchupMaxDecisions);
  if (o.maxSlotsAhead < slack) {
    throw new InvalidConfigError(
      `maxSlotsAhead (${o.maxSlotsAhead}) must be at least ${slack}: 2 * (window + snapshotInterval + logRetention + catchupMaxDecisions)`,
    );
  }
  if (o.snapshotChunkBytes > 4 * 1024 * 1024) {
    throw new InvalidConfigError('snapshotChunkBytes must be at most 4 MiB (the largest frame)');
  }
  return o;
}

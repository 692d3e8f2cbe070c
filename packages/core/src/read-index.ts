/**
 * Linearizable reads without a log write (DESIGN.md §3 item 5), whole: in the manner of
 * etcd-io/raft's read_only.go. A read takes a read index R (every slot this peer has applied,
 * knows to be decided, or re-proposed when its leader was adopted); the leader of the
 * configuration of slot R + 1 confirms that it still leads by a heartbeat round that a majority
 * of that configuration's acceptors acknowledge at its ballot; the read is served once the
 * reading replica has applied R. A follower asks the leader for R (readIndexReq/Resp).
 *
 * One retry policy, here: a read that could not be confirmed (no leader known, the leader
 * refused or stepped down, an answer lost) is tried again after a heartbeat interval, or at
 * once when another leader becomes known, until the driver cancels it (its deadline). A
 * confirmed read whose index this replica makes no progress towards for an election timeout is
 * confirmed again (`tick`: the index may lie on slots nobody decides any more).
 *
 * It changes no other part. It reads the replica and the leader through read-only views
 * (ReplicaReads, LeaderReads), when a read needs them (the read index costs a walk over the
 * slots in flight); what the rest of the peer knows comes with the call (whether this peer was
 * removed, which leader it knows of). What it asks for is its output: the heartbeat rounds the
 * leader is to send (`takeRounds`), the requests and answers to other peers (messages), and
 * reads served or failed for good (this peer was removed), outputs of `ready()` (`take`).
 */
import type { Ballot } from './ballot.js';
import type { NodeContext } from './context.js';
import type { Leader } from './leader.js';
import type { ReadIndexRequest, ReadIndexResponse } from './messages.js';
import type { Replica } from './replica.js';
import { TokenMap } from './token-map.js';
import type { ConfigId, PeerId, Slot } from './types.js';

/** A heartbeat round that will confirm a leader's ballot once a majority acknowledges it. */
export interface ConfirmationRound {
  readonly config: ConfigId;
  readonly ballot: Ballot;
  readonly seq: number;
}

/** A read that may now be served (ok), or that failed for good (this peer was removed). */
export interface ReadResult {
  readonly token: number;
  readonly ok: boolean;
}

/**
 * The slot a linearizable read must wait for: every slot this peer has applied or knows to be
 * decided, and every slot its leader re-proposed when adopted. Suppose a write that completed
 * before the read lay above it: then the slot right above was chosen before the read began.
 * Not under our ballot: our own commanders decide those, so we would know. Not under a lower
 * one: our phase 1 would have shown its pvalue, and it would be at or below what we
 * re-proposed. So under a higher one, which the confirmation round in that slot's
 * configuration detects. (Slots we assigned afresh need not be waited for.) A skip voids the
 * slots after it, which need never be chosen: the index covers them (Replica.coverSkips; not
 * with `coverSkips` false, the injected bug skip-read-index).
 */
export function readIndexOf(
  replica: Pick<Replica, 'slotOut' | 'maxDecided' | 'window' | 'coverSkips'>,
  leader: Pick<Leader, 'adoptedThrough' | 'proposal'>,
  coverSkips: boolean,
): Slot {
  const index = Math.max(replica.slotOut - 1, replica.maxDecided, leader.adoptedThrough());
  if (!coverSkips) return index;
  // Covered only as far as a read can be confirmed: no leader confirms an index at or past
  // slotOut + WINDOW - 1 (Leader.confirmationRound: the configuration of index + 1 is not known
  // yet), so any index there is refused alike, and the walk stops there. The index may lie at any
  // slot: what a P1b reported, or this peer's leader decided (Replica.coverSkips).
  const unconfirmable = replica.slotOut + replica.window - 1;
  return replica.coverSkips(index, (slot) => leader.proposal(slot), unconfirmable);
}

/** What reads read of the replica beside them (the Replica, read-only). */
export type ReplicaReads = Pick<
  Replica,
  'initialized' | 'slotOut' | 'maxDecided' | 'window' | 'coverSkips'
>;

/**
 * What reads ask of this peer's leader (the Leader, read-only): what the read index rests on,
 * which of its heartbeat rounds would confirm it, and whether a round is confirmed. Asking sends
 * nothing: the rounds that reads took are this module's output (`takeRounds`).
 */
export type LeaderReads = Pick<
  Leader,
  'adoptedThrough' | 'proposal' | 'confirmationRound' | 'roundConfirmed'
>;

type Read =
  /** Confirmed by this peer's own leader: waiting for the round. */
  | { state: 'confirming'; round: ConfirmationRound; index: Slot }
  /** Asked `to` for a read index at `at`. */
  | { state: 'asked'; to: PeerId; at: number }
  /**
   * Confirmed: served once slot `index` is applied here. `slotOut` is the replica's as last
   * seen, `since` when it was first seen at that value: no progress for an election timeout
   * and the read is confirmed again (`tick`).
   */
  | { state: 'waiting'; index: Slot; slotOut: Slot; since: number }
  /** Not confirmed: tried again from `at`. */
  | { state: 'retry'; at: number };

/** A read index request of another peer, waiting for this leader's round. */
interface Remote {
  readonly peer: PeerId;
  readonly id: number;
  readonly round: ConfirmationRound;
  readonly index: Slot;
}

export class ReadIndex {
  // Not a Map: token-map.ts.
  private readonly reads = new TokenMap<Read>();
  private remotes: Remote[] = [];
  private results: ReadResult[] = [];
  /** Configurations whose leader (this peer) is to send a confirmation round this turn. */
  private rounds = new Set<ConfigId>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly replica: ReplicaReads,
    private readonly leader: LeaderReads,
  ) {}

  get size(): number {
    return this.reads.size;
  }

  /**
   * Start the linearizable read `token`. `removed`: this peer was removed from the log (its
   * reads fail); `target`: the active leader it knows of (Router.leaderTarget), as in `tick`.
   */
  read(token: number, removed: boolean, target: PeerId | undefined): void {
    if (removed) this.results.push({ token, ok: false });
    else this.attempt(token, target);
  }

  /** The driver gave up on `token` (its deadline passed, or it was aborted). */
  cancel(token: number): void {
    this.reads.delete(token);
  }

  /** Confirm `token` now, or try again after a heartbeat interval. */
  private attempt(token: number, target: PeerId | undefined): void {
    if (!this.route(token, target)) {
      this.reads.set(token, {
        state: 'retry',
        at: this.ctx.now() + this.ctx.opts.heartbeatIntervalMs,
      });
    }
  }

  /**
   * Have `token` confirmed: by this peer's own leader, or by asking the leader it knows of,
   * `target`. False (and `token` left as it was) when neither can be done now.
   */
  private route(token: number, target: PeerId | undefined): boolean {
    if (!this.replica.initialized) return false;
    const index = this.readIndex();
    const round = this.leader.confirmationRound(index);
    if (round !== undefined) {
      this.reads.set(token, { state: 'confirming', round, index });
      this.rounds.add(round.config);
      return true;
    }
    if (target === undefined || target === this.ctx.id) return false;
    this.reads.set(token, { state: 'asked', to: target, at: this.ctx.now() });
    this.ctx.send(target, { type: 'readIndexReq', id: token });
    return true;
  }

  /** The read index R now (readIndexOf; `skip-read-index`: without covering skips). */
  private readIndex(): Slot {
    return readIndexOf(this.replica, this.leader, !this.ctx.bug('skip-read-index'));
  }

  /** `token` is confirmed: it waits until this replica has applied `index`. */
  private waitFor(token: number, index: Slot): void {
    this.reads.set(token, {
      state: 'waiting',
      index,
      slotOut: this.replica.slotOut,
      since: this.ctx.now(),
    });
  }

  /** A leader may be known now (`target`, or another one): try the reads that wait for one. */
  leaderChanged(target: PeerId | undefined): void {
    for (const [token, r] of this.reads) if (r.state === 'retry') this.attempt(token, target);
  }

  /** Another peer asks this peer's leader for a read index. */
  onRequest(from: PeerId, m: ReadIndexRequest): void {
    const index = this.readIndex();
    const round = this.replica.initialized ? this.leader.confirmationRound(index) : undefined;
    if (round === undefined) {
      this.ctx.send(from, { type: 'readIndexResp', id: m.id, index: -1 });
      return;
    }
    this.remotes.push({ peer: from, id: m.id, round, index });
    this.rounds.add(round.config);
  }

  /** The leader answered a read index request of ours. */
  onResponse(from: PeerId, m: ReadIndexResponse): void {
    const r = this.reads.get(m.id);
    if (r?.state !== 'asked' || r.to !== from) return;
    if (m.index < 0) {
      this.reads.set(m.id, {
        state: 'retry',
        at: this.ctx.now() + this.ctx.opts.heartbeatIntervalMs,
      });
    } else {
      this.waitFor(m.id, m.index);
      this.serve();
    }
  }

  /**
   * Settle what the leader's rounds decided (after acknowledgements arrive or the leader steps
   * down), and serve what the replica has applied far enough.
   */
  settle(): void {
    if (this.remotes.length === 0 && this.reads.size === 0) return;
    if (this.remotes.length > 0) {
      const open: Remote[] = [];
      for (const q of this.remotes) {
        const ok = this.leader.roundConfirmed(q.round);
        if (ok === undefined) open.push(q);
        else this.ctx.send(q.peer, { type: 'readIndexResp', id: q.id, index: ok ? q.index : -1 });
      }
      this.remotes = open;
    }
    for (const [token, r] of this.reads) {
      if (r.state !== 'confirming') continue;
      const ok = this.leader.roundConfirmed(r.round);
      if (ok === true) this.waitFor(token, r.index);
      else if (ok === false) this.reads.set(token, { state: 'retry', at: this.ctx.now() });
    }
    this.serve();
  }

  /**
   * Reads whose index this replica has applied may be served now; the others note the
   * replica's progress (called whenever slotOut moves).
   */
  serve(): void {
    if (this.reads.size === 0) return;
    const slotOut = this.replica.slotOut;
    for (const [token, r] of this.reads) {
      if (r.state !== 'waiting') continue;
      if (slotOut > r.index) {
        this.reads.delete(token);
        this.results.push({ token, ok: true });
      } else if (r.slotOut !== slotOut) {
        r.slotOut = slotOut;
        r.since = this.ctx.now();
      }
    }
  }

  /**
   * Retry what is due: answers that did not come, reads that could not be confirmed, and
   * confirmed reads whose index this replica has made no progress towards for an election
   * timeout. The index may lie on slots that only the confirming leader's commanders were
   * deciding (those it re-proposed when adopted); once it steps down, nobody need ever decide
   * them, and a quiet log leaves the read waiting for ever (seed 120004571 of profile
   * leader-churn: p2 confirmed a read at index 218, its adoption's re-proposals, stepped down cut
   * off, and the next leader never heard of 217..218; testdata/read-after-leader-lost-office.txt).
   * Such a read is confirmed again from the start, here or at whoever leads now. Safe: a read may
   * be linearized at any instant between its start and its answer, and a confirmation taken later
   * still covers every write that completed before the read began. Until a leader can be asked,
   * it keeps its confirmation (served if the replica gets there after all) and waits another
   * election timeout.
   */
  tick(target: PeerId | undefined): void {
    const now = this.ctx.now();
    const slotOut = this.replica.slotOut;
    for (const [token, r] of this.reads) {
      if (
        (r.state === 'asked' && now - r.at >= this.ctx.opts.retransmitIntervalMs) ||
        (r.state === 'retry' && now >= r.at)
      ) {
        this.attempt(token, target);
      } else if (r.state === 'waiting') {
        if (r.slotOut !== slotOut) {
          r.slotOut = slotOut;
          r.since = now;
        } else if (now - r.since >= this.ctx.opts.electionTimeoutMs && !this.route(token, target)) {
          r.since = now;
        }
      }
    }
  }

  nextDeadline(): number {
    let at = Infinity;
    for (const r of this.reads.values()) {
      if (r.state === 'asked') at = Math.min(at, r.at + this.ctx.opts.retransmitIntervalMs);
      else if (r.state === 'retry') at = Math.min(at, r.at);
      else if (r.state === 'waiting') at = Math.min(at, r.since + this.ctx.opts.electionTimeoutMs);
    }
    return at;
  }

  /** This peer was removed: its reads fail for good. */
  failAll(): void {
    for (const token of this.reads.keys()) this.results.push({ token, ok: false });
    this.reads.clear();
  }

  /** The reads served or failed since the last call. */
  take(): ReadResult[] {
    const out = this.results;
    this.results = [];
    return out;
  }

  /**
   * The configurations in which this peer's leader is to send a heartbeat round now: reads (its
   * own or other peers') took its round this turn. Sent once at the end of the turn, so that
   * every read that arrived in one turn shares one round.
   */
  takeRounds(): ReadonlySet<ConfigId> {
    const out = this.rounds;
    if (out.size > 0) this.rounds = new Set();
    return out;
  }
}

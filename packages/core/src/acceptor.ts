/**
 * The acceptor (PMMC §2, Fig. 4 "Acceptor"): it keeps `ballotNum` and `accepted`, the only
 * state whose loss breaks safety. Departures from the paper:
 *  - `ballotNum` is kept per configuration, because each (peer, configuration) is its own
 *    logical acceptor (DESIGN.md §3 item 6; PMMC §2.2 assumes disjoint configurations).
 *  - pvalues below `watermark` are dropped once this peer's own replica has decided and
 *    snapshotted their slots, and the watermark is reported in P1b (DESIGN.md §3 item 8).
 *  - Before that, once its replica has applied a slot and the pvalue is durable, the pvalue's
 *    value leaves memory (`release`; its ballot stays): a P1b that must report it reads it
 *    from storage first (`onP1a`). So a decided value dies young in V8's heap instead of living
 *    until the next snapshot (issue 13). What the acceptor reports is unchanged.
 *  - `accepted` holds one pvalue per slot, the highest-ballot one, not the paper's set of
 *    every pvalue: a scout keeps only the highest per slot anyway (PMMC `pmax`), so the rest
 *    would only be written, sent and read back for nothing.
 *  - a P1a names `fromSlot` (its leader's replica's slotOut) and the P1b reports only pvalues
 *    from there (and from the watermark): the slots below are decided and applied by that
 *    leader's replica, so their pvalues cannot change what it proposes.
 *  - a P1a is ignored while this acceptor hears from another live leader of the same
 *    configuration, so a peer returning from a partition cannot disrupt it (DESIGN.md §3 item 3).
 *  - a P2a is accepted when its ballot is at least `ballotNum`, not only when equal (PMMC Fig. 4,
 *    Invariant A2), and `ballotNum` is raised to it: the same as promising that ballot first
 *    (a P1a it would answer, A1) and then accepting. Its leader was adopted by some majority; this
 *    acceptor may have missed the P1a (lost, or answered by others first). Lamport's Paxos
 *    accepts so too ("unless it has promised a higher ballot").
 */
import { BOTTOM, ballotEquals, ballotGreater, compareBallots, type Ballot } from './ballot.js';
import type { NodeContext } from './context.js';
import type { HeartbeatGaps } from './heartbeat-gaps.js';
import type { Heartbeat, P1a, P2a, PValue, Transfer } from './messages.js';
import type { ConfigId, PeerId, Slot } from './types.js';

function* range(from: Slot, to: Slot): Generator<Slot> {
  for (let s = from; s < to; s++) yield s;
}

/** The value of a pvalue whose bytes are in storage only (`release`). */
const IN_STORAGE = new Uint8Array(0);

interface LeaderContact {
  readonly leader: PeerId;
  readonly at: number;
}

export class Acceptor {
  /** PMMC `ballot_num`, per configuration. */
  readonly ballotNum = new Map<ConfigId, Ballot>();
  /** PMMC `accepted`: the highest-ballot pvalue per slot (a slot belongs to one configuration). */
  readonly accepted = new Map<Slot, PValue>();
  /** pvalues of slots below this are gone (decided and snapshotted by this peer's replica). */
  watermark: Slot = 0;
  private readonly contact = new Map<ConfigId, LeaderContact>();
  /** Per slot: the number of the accept that put its pvalue there (1, 2, 3...; 0: loaded). */
  private readonly acceptedAt = new Map<Slot, number>();
  private accepts = 0;
  /** Values are released below this slot (`release`). */
  private releasedTo: Slot = 0;
  /** P1a waiting for a storage read of released values: by read id. */
  private readonly waiting = new Map<number, { from: PeerId; m: P1a }>();

  constructor(
    private readonly ctx: NodeContext,
    /** The heartbeat lateness this peer saw lately (shared with its leader's timeout). */
    private readonly gaps: HeartbeatGaps,
  ) {}

  /**
   * For how long a live leader's contact shields it from P1a: `leaderStickinessMs` (0: off),
   * stretched as this peer's election timeout is by the lateness it saw lately, so a peer that
   * saw less of it cannot win a pre-vote against those that saw more (heartbeat-gaps.ts).
   */
  private stickinessMs(): number {
    const ms = this.ctx.opts.leaderStickinessMs;
    return ms === 0 ? 0 : ms + this.gaps.extraMs(this.ctx.now());
  }

  /** State loaded from storage at start. */
  restore(
    promises: readonly { config: ConfigId; ballot: Ballot }[],
    accepted: readonly PValue[],
    watermark: Slot,
  ): void {
    if (!this.ctx.bug('forget-promise')) {
      for (const p of promises) this.ballotNum.set(p.config, p.ballot);
    }
    for (const pv of accepted) this.accepted.set(pv.slot, pv);
    this.watermark = watermark;
  }

  ballotFor(config: ConfigId): Ballot {
    return this.ballotNum.get(config) ?? BOTTOM;
  }

  private raise(config: ConfigId, ballot: Ballot): void {
    if (ballotGreater(ballot, this.ballotFor(config))) {
      this.ballotNum.set(config, ballot);
      this.ctx.persist.promise(config, ballot);
    }
  }

  /** Phase 1a. */
  onP1a(from: PeerId, m: P1a): void {
    const c = this.contact.get(m.config);
    if (
      c !== undefined &&
      c.leader !== m.ballot.leader &&
      this.ctx.now() - c.at < this.stickinessMs()
    ) {
      this.ctx.trace(`${this.ctx.id} ignores p1a from ${from}: hears from live leader ${c.leader}`);
      return;
    }
    if (m.probe) {
      // Would we promise? Answer without promising (and so without persisting anything).
      const current = this.ballotFor(m.config);
      this.ctx.send(from, {
        type: 'p1b',
        config: m.config,
        ballot: ballotGreater(m.ballot, current) ? m.ballot : current,
        accepted: [],
        watermark: this.watermark,
        probe: true,
      });
      return;
    }
    this.raise(m.config, m.ballot);
    this.answerP1a(from, m);
  }

  /**
   * The P1b for `m`, with every pvalue from its slot on; a released value comes from `read` (a
   * storage read of them), or, without one, is read first: the P1b then leaves when the read
   * completes, with the ballot promised by then (an answer may always come late).
   */
  private answerP1a(from: PeerId, m: P1a, read?: ReadonlyMap<Slot, PValue>): void {
    const from_ = Math.max(m.fromSlot, this.watermark);
    const accepted: PValue[] = [];
    let lo = Infinity;
    let hi = -1;
    for (const pv of this.accepted.values()) {
      if (pv.config !== m.config || pv.slot < from_) continue;
      if (pv.value !== IN_STORAGE) {
        accepted.push(pv);
        continue;
      }
      const stored = read?.get(pv.slot);
      if (stored !== undefined && ballotEquals(stored.ballot, pv.ballot)) accepted.push(stored);
      else [lo, hi] = [Math.min(lo, pv.slot), Math.max(hi, pv.slot)];
    }
    if (hi >= 0) {
      if (read !== undefined) {
        // Storage lacks a pvalue it made durable: no P1b rather than one that misses a vote
        // (the leader asks again; a store that lost it fails elsewhere).
        this.ctx.trace(`${this.ctx.id} cannot read its pvalues ${lo}..${hi}: no p1b`);
        return;
      }
      const id = this.ctx.read({ kind: 'accepted', from: lo, to: hi + 1 });
      this.waiting.set(id, { from, m });
      return;
    }
    this.ctx.sendAfterPersist(from, {
      type: 'p1b',
      config: m.config,
      ballot: this.ballotFor(m.config),
      accepted,
      watermark: this.watermark,
      probe: false,
    });
  }

  /** Phase 2a. */
  onP2a(from: PeerId, m: P2a): void {
    if (m.slot < this.watermark) {
      // Decided and compacted here: voting again could let a stale leader decide it twice.
      return;
    }
    const current = this.ballotFor(m.config);
    const cmp = compareBallots(m.ballot, current);
    if (cmp >= 0 || this.ctx.bug('accept-lower-ballot')) {
      this.raise(m.config, m.ballot);
      const pv: PValue = { config: m.config, ballot: m.ballot, slot: m.slot, value: m.value };
      this.accepted.set(m.slot, pv);
      this.acceptedAt.set(m.slot, ++this.accepts);
      this.ctx.persist.accept(pv);
      if (this.ctx.bug('gc-unsafe')) {
        // The bug: assume every slot below a newly proposed one is decided, and drop its pvalue
        // (without raising the reported watermark).
        for (const s of this.accepted.keys()) if (s < m.slot) this.accepted.delete(s);
      }
      this.contact.set(m.config, { leader: m.ballot.leader, at: this.ctx.now() });
    }
    const reply =
      cmp < 0 && this.ctx.bug('accept-lower-ballot') ? m.ballot : this.ballotFor(m.config);
    this.ctx.sendAfterPersist(from, {
      type: 'p2b',
      config: m.config,
      ballot: reply,
      slot: m.slot,
      proposal: m.ballot,
    });
  }

  /**
   * The leader hands over (leadership transfer): it no longer leads, so its contact stops
   * shielding it from P1a (stickiness); the peer it hands over to may be adopted at once.
   */
  onTransfer(from: PeerId, m: Transfer): void {
    const c = this.contact.get(m.config);
    if (c !== undefined && c.leader === from && m.ballot.leader === from)
      this.contact.delete(m.config);
  }

  /**
   * A heartbeat from an active leader: remember the contact, and answer with our ballot and
   * `slotOut`, how far this peer's replica has applied (a leader hands over to a caught-up peer).
   */
  onHeartbeat(from: PeerId, m: Heartbeat, slotOut: Slot): void {
    if (compareBallots(m.ballot, this.ballotFor(m.config)) >= 0) {
      this.contact.set(m.config, { leader: m.ballot.leader, at: this.ctx.now() });
    }
    this.ctx.sendAfterPersist(from, {
      type: 'heartbeatAck',
      config: m.config,
      ballot: this.ballotFor(m.config),
      seq: m.seq,
      slotOut,
    });
  }

  /**
   * Drop pvalues below `slot`. Called only once this peer's replica has a durable snapshot
   * through slot - 1 (the `gc-unsafe` bug calls it early).
   */
  collect(slot: Slot): void {
    if (slot <= this.watermark) return;
    this.watermark = slot;
    for (const s of this.accepted.keys()) if (s < slot) this.accepted.delete(s);
    for (const s of this.acceptedAt.keys()) if (s < slot) this.acceptedAt.delete(s);
    this.ctx.persist.setWatermark(slot);
  }

  /** How many P2a were accepted so far (`release` takes those up to a count as durable). */
  get acceptCount(): number {
    return this.accepts;
  }

  /**
   * This peer's replica has applied every slot below `slot`, and the first `durable` accepts
   * are durable: the values of those pvalues leave memory (their ballots stay). A pvalue
   * accepted later at such a slot (a new leader proposing the chosen value again) keeps its
   * value until the watermark passes it.
   */
  release(slot: Slot, durable: number): void {
    const from = Math.max(this.releasedTo, this.watermark);
    // Slot by slot, or, after a jump (a snapshot installed), over the pvalues held.
    const slots = slot - from <= this.accepted.size ? range(from, slot) : [...this.accepted.keys()];
    for (const s of slots) {
      const pv = this.accepted.get(s);
      if (pv === undefined || pv.value === IN_STORAGE || s < from || s >= slot) continue;
      if ((this.acceptedAt.get(s) ?? 0) > durable) continue;
      this.accepted.set(s, { ...pv, value: IN_STORAGE });
    }
    if (slot > this.releasedTo) this.releasedTo = slot;
  }

  /** Storage read `id` returned `pvalues`: answer the P1a that waited for it. */
  onRead(id: number, pvalues: readonly PValue[]): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    this.answerP1a(w.from, w.m, new Map(pvalues.map((pv) => [pv.slot, pv])));
  }

  /** Forget the promises of configurations below `config`: they govern no undecided slot. */
  dropConfigsBelow(config: ConfigId): void {
    let dropped = false;
    for (const c of this.ballotNum.keys()) {
      if (c < config) {
        this.ballotNum.delete(c);
        this.contact.delete(c);
        dropped = true;
      }
    }
    if (dropped) this.ctx.persist.dropPromises(config);
  }
}

/**
 * Leaving a log without stranding it (docs/protocol.md, "A peer that leaves hands over first").
 *
 * A peer that leaves (it removed itself, or another member removed it) may stop once the
 * configuration without it governs, that is once its own replica reached that configuration's
 * first slot, `start`. The slots below `start` belong to the older configurations, which may
 * need the leaver's acceptor for a majority (two members becoming one): if no remaining replica
 * has learned them yet, nobody can learn or re-decide them after the leaver is gone, and the log
 * stalls forever. So the leaver hands over first: it waits until some remaining replica is known
 * to have applied every slot below `start`, and meanwhile asks them where they are with a
 * catch-up request from its own slotOut, which also tells a remaining replica that is behind
 * whom to catch up from.
 *
 * RawNode begins it when its replica learns, in this run, that this peer was removed (the
 * configuration governing its slotOut, and every later one, leaves it out): whoever proposed the
 * removal, the operator stops the peer once it shows as removed, and another member's decision
 * strands the log the same way (test/handover-removed.test.ts: 8 of 8 seeds stalled for ever
 * when only `removePeer(self)` handed over). A peer that loads a log which has removed it begins
 * it again at load: the run that learned the removal may have been stopped (a crash, the app
 * closed) before a remaining replica confirmed, which the log does not tell
 * (test/handover-restart.test.ts: 6 of 8 seeds stalled for ever when it showed nothing pending).
 * Unless its driver recorded that one did (`confirmedBefore`; SynodNode keeps the `start` of the
 * last hand-over confirmed in the store's meta values, handover-record.ts). A remaining replica
 * that has compacted past the removal no longer keeps the configuration with the removed peer;
 * it still answers its asks, with its progress only (a former member, former-members.ts).

 * What a remaining replica holds is heard in the answers to those requests: a catch-up answer
 * carries its sender's `durableSlotOut` (replica.ts), every slot below it applied and durable.
 * Durable, not just applied: once the leaver is gone, a remaining replica that crashed with those
 * decisions unwritten (held for its next write, or in a write in flight) could learn them from
 * nobody (test/handover-durable.test.ts: 5 of 8 seeds stalled for ever when heartbeats, acks,
 * catch-up requests and snapshot chunks, which tell what their sender has in memory, counted).
 */
import type { NodeContext } from './context.js';
import type { Message } from './messages.js';
import type { PeerId, Slot } from './types.js';

export class Handover {
  /** Per peer: it has applied every slot below this, durably (the highest heard). */
  private readonly applied = new Map<PeerId, Slot>();
  /** This run's hand-over, kept once done (status). */
  private current:
    { start: Slot; to: readonly PeerId[]; lastAsk: number; done: boolean } | undefined;

  constructor(private readonly ctx: NodeContext) {}

  /** Take in what a message says its sender's replica holds durably (a catch-up answer). */
  heard(from: PeerId, m: Message): void {
    if (m.type === 'catchupDecisions' && m.slotOut !== undefined) this.note(from, m.slotOut);
  }

  private note(peer: PeerId, slotOut: Slot): void {
    if (slotOut > (this.applied.get(peer) ?? 0)) this.applied.set(peer, slotOut);
  }

  /** The highest slotOut heard from `peer` (0: none). */
  appliedBy(peer: PeerId): Slot {
    return this.applied.get(peer) ?? 0;
  }

  /**
   * Hand over to `to` (the remaining replicas) every slot below `start`. Once per removal: the
   * removal learned here and the caller of `removePeer(self)` both begin it, with the same
   * `start`; a hand-over through `start` or further (pending or done) already covers it.
   */
  begin(start: Slot, to: readonly PeerId[]): void {
    if (this.current !== undefined && this.current.start >= start) return;
    this.current = {
      start,
      to: to.filter((p) => p !== this.ctx.id),
      lastAsk: -Infinity,
      done: false,
    };
  }

  /**
   * An earlier run saw a hand-over through `through` confirmed (its driver recorded it): the one
   * begun at load for a removal at or before it is done without asking.
   */
  confirmedBefore(through: Slot): void {
    const p = this.current;
    if (p !== undefined && p.start <= through) p.done = true;
  }

  /** True once some remaining replica has applied every slot below `start` (or none begun). */
  get done(): boolean {
    const p = this.current;
    return p === undefined || p.done || p.to.some((peer) => this.appliedBy(peer) >= p.start);
  }

  /** This run's hand-over: its `start`, and whether it is done (null: none begun). */
  get state(): { start: Slot; done: boolean } | null {
    return this.current === undefined ? null : { start: this.current.start, done: this.done };
  }

  /** When tick() has something to do next (Infinity: nothing pending). */
  nextDeadline(): number {
    const p = this.current;
    if (p === undefined || p.done) return Infinity;
    // Done: the next tick marks it (and the waiting caller is told after that turn).
    return this.done ? this.ctx.now() : p.lastAsk + this.ctx.opts.retransmitIntervalMs;
  }

  /**
   * Ask the remaining replicas where they are, every retransmit interval, until done; `slotOut`
   * is this peer's replica's (a remaining one that is behind learns whom to catch up from).
   */
  tick(slotOut: Slot): void {
    const p = this.current;
    if (p === undefined || p.done) return;
    if (this.done) {
      p.done = true;
      return;
    }
    const now = this.ctx.now();
    if (now - p.lastAsk < this.ctx.opts.retransmitIntervalMs) return;
    p.lastAsk = now;
    for (const peer of p.to) {
      this.ctx.send(peer, {
        type: 'catchupReq',
        fromSlot: slotOut,
        snapshotSlot: 0,
        offset: 0,
      });
    }
  }
}

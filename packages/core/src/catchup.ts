/**
 * Catch-up (DESIGN.md §3 item 7). A replica that was away learns what it missed from a peer
 * that has it: consecutive decisions in bounded batches, or, when that peer has compacted them,
 * its snapshot in chunks of bounded size followed by the decisions after it. The requester
 * pulls one answer at a time, so a large transfer never floods the link.
 */
import { membersOf } from './configuration.js';
import type { NodeContext } from './context.js';
import type { CatchupDecisions, CatchupRequest, SnapshotChunk } from './messages.js';
import type { Replica } from './replica.js';
import type { Snapshot } from './storage.js';
import type { PeerId, Slot } from './types.js';

interface Incoming {
  /** One transfer comes from one peer: chunks of other snapshots would not fit together. */
  readonly from: PeerId;
  readonly slot: Slot;
  readonly total: number;
  readonly parts: Uint8Array[];
  received: number;
}

export interface CatchupProgress {
  /** The highest slot some peer is known to have applied beyond ours. */
  readonly target: Slot;
  /** Bytes of a snapshot received so far and its size, during a snapshot transfer. */
  readonly snapshotBytes?: { readonly received: number; readonly total: number };
}

export class Catchup {
  /** For each peer known to be ahead: the slot it has applied up to (exclusive). */
  private readonly ahead = new Map<PeerId, Slot>();
  private inFlight: { to: PeerId; at: number; tries: number } | undefined;
  private incoming: Incoming | undefined;
  private lastSlotOut = 0;
  private lastMove = 0;
  private readonly pinned = new Map<Slot, { snap: Snapshot; at: number }>();
  private lastLeaderHeard = 0;
  private lastProbe = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly replica: Replica,
  ) {}

  /** A peer has applied every slot below `slotOut` (heard in a heartbeat or a P1b watermark). */
  noteAhead(peer: PeerId, slotOut: Slot): void {
    if (peer === this.ctx.id) return;
    if (slotOut > this.replica.slotOut || !this.replica.initialized) {
      this.ahead.set(peer, Math.max(this.ahead.get(peer) ?? 0, slotOut));
    }
  }

  progress(): CatchupProgress | undefined {
    let target = 0;
    for (const s of this.ahead.values()) target = Math.max(target, s);
    if (target <= this.replica.slotOut && this.replica.initialized) return undefined;
    const inc = this.incoming;
    return inc === undefined
      ? { target }
      : { target, snapshotBytes: { received: inc.received, total: inc.total } };
  }

  private best(): PeerId | undefined {
    let best: PeerId | undefined;
    let slot = -1;
    for (const [p, s] of this.ahead) {
      if (s <= this.replica.slotOut && this.replica.initialized) {
        this.ahead.delete(p);
      } else if (s > slot) {
        best = p;
        slot = s;
      }
    }
    return best;
  }

  /** How long to wait for an answer: a round trip can take up to an election timeout. */
  private answerTimeout(): number {
    return Math.max(2 * this.ctx.opts.retransmitIntervalMs, this.ctx.opts.electionTimeoutMs);
  }

  tick(): void {
    const now = this.ctx.now();
    if (this.replica.slotOut !== this.lastSlotOut) {
      this.lastSlotOut = this.replica.slotOut;
      this.lastMove = now;
    }
    if (this.inFlight !== undefined) {
      if (now - this.inFlight.at < this.answerTimeout()) return;
      const { to, tries } = this.inFlight;
      this.inFlight = undefined;
      if (tries < 3) {
        // Lost, or slow: ask the same peer again (a snapshot transfer resumes where it was).
        this.request(to, tries + 1);
        return;
      }
      // That peer may be down or cut off. Ask another; it comes back into the running when it
      // is heard of again.
      this.ahead.delete(to);
      if (this.incoming?.from === to) this.incoming = undefined;
    }
    const to = this.incoming?.from ?? this.best();
    if (to === undefined) {
      this.probe(now);
      return;
    }
    // Missing decisions usually arrive on their own within a moment; ask only when they do not.
    if (
      now - this.lastMove < this.ctx.opts.catchupDelayMs &&
      this.incoming === undefined &&
      this.replica.initialized
    ) {
      return;
    }
    this.request(to);
  }

  /** The replica applied more slots: missing decisions may still be arriving on their own. */
  progressed(): void {
    this.lastSlotOut = this.replica.slotOut;
    this.lastMove = this.ctx.now();
  }

  /** When `tick` next has something to do (Infinity: nothing until some input arrives). */
  nextDeadline(): number {
    if (this.inFlight !== undefined) return this.inFlight.at + this.answerTimeout();
    if (this.incoming !== undefined || !this.replica.initialized) {
      return this.incoming !== undefined || this.ahead.size > 0 ? this.ctx.now() : this.probeAt();
    }
    for (const s of this.ahead.values()) {
      if (s > this.replica.slotOut) return this.lastMove + this.ctx.opts.catchupDelayMs;
    }
    return this.probeAt();
  }

  private probeAt(): number {
    const latest = this.replica.configs.latest();
    if (latest === undefined || membersOf(latest).every((p) => p === this.ctx.id)) return Infinity;
    return Math.max(this.lastLeaderHeard, this.lastProbe) + 2 * this.ctx.opts.electionTimeoutMs;
  }

  /** A heartbeat from an active leader arrived (or this peer leads). */
  heardLeader(): void {
    this.lastLeaderHeard = this.ctx.now();
  }

  /**
   * With no active leader heard for a while, nobody tells this peer whether it is behind:
   * perhaps it is the one that must lead a configuration it has not learned of yet. So it asks a
   * random member of the newest configuration it knows, now and then.
   */
  private probe(now: number): void {
    const quiet = 2 * this.ctx.opts.electionTimeoutMs;
    if (now - this.lastLeaderHeard < quiet || now - this.lastProbe < quiet) return;
    this.lastProbe = now;
    const latest = this.replica.configs.latest();
    if (latest === undefined) return;
    const others = membersOf(latest).filter((p) => p !== this.ctx.id);
    if (others.length === 0) return;
    this.request(others[Math.floor(this.ctx.random() * others.length)]!);
  }

  private request(to: PeerId, tries = 1): void {
    this.inFlight = { to, at: this.ctx.now(), tries };
    const inc = this.incoming;
    const m: CatchupRequest = {
      type: 'catchupReq',
      fromSlot: this.replica.initialized ? this.replica.slotOut : 0,
      snapshotSlot: inc?.slot ?? 0,
      offset: inc?.received ?? 0,
    };
    this.ctx.send(to, m);
  }

  /** Serve a peer that is behind. */
  onRequest(from: PeerId, m: CatchupRequest): void {
    const r = this.replica;
    // A request tells where the asker is: if it is ahead of us, we learn whom to ask (a probe
    // reaches a new member nobody else would talk to yet).
    this.noteAhead(from, m.fromSlot);
    if (!r.initialized) return;
    if (m.fromSlot >= r.retainedFrom && m.fromSlot > 0) {
      const decisions = r.decisionsFrom(
        m.fromSlot,
        this.ctx.opts.catchupMaxDecisions,
        this.ctx.opts.catchupMaxBytes,
      );
      this.ctx.send(from, { type: 'catchupDecisions', decisions });
      return;
    }
    const snap = this.snapshotToServe(m);
    if (snap === null) return;
    const offset = m.snapshotSlot === snap.slot && m.offset <= snap.data.length ? m.offset : 0;
    const end = Math.min(snap.data.length, offset + this.ctx.opts.snapshotChunkBytes);
    this.ctx.send(from, {
      type: 'snapshotChunk',
      slot: snap.slot,
      offset,
      total: snap.data.length,
      data: snap.data.subarray(offset, end),
    });
  }

  /**
   * A transfer in progress goes on with the snapshot it started, even if a newer one was taken
   * meanwhile: otherwise a peer on a slow link, or a large state, would restart forever. The
   * snapshots being served stay pinned until no one has asked for them for a while.
   */
  private snapshotToServe(m: CatchupRequest): Snapshot | null {
    const now = this.ctx.now();
    const latest = this.replica.snapshot;
    let snap = latest;
    if (m.offset > 0 && latest?.slot !== m.snapshotSlot)
      snap = this.pinned.get(m.snapshotSlot)?.snap ?? latest;
    if (snap === null) return null;
    this.pinned.delete(snap.slot);
    this.pinned.set(snap.slot, { snap, at: now });
    const idle = 10 * this.ctx.opts.electionTimeoutMs;
    for (const [slot, p] of this.pinned) {
      if (now - p.at > idle || this.pinned.size > 3) this.pinned.delete(slot);
    }
    return snap;
  }

  onDecisions(from: PeerId, m: CatchupDecisions): void {
    const before = this.replica.slotOut;
    for (const d of m.decisions) this.replica.onDecision(d.slot, d.value);
    const moved = this.replica.slotOut > before;
    // An answer that moved nothing may be a late duplicate: the request in flight stands.
    if (this.inFlight?.to === from && (moved || m.decisions.length === 0))
      this.inFlight = undefined;
    this.continueFrom(from, moved);
  }

  onSnapshotChunk(from: PeerId, m: SnapshotChunk): void {
    // Chunks of one transfer come from one peer; answers to older requests are ignored.
    const source = this.incoming?.from ?? this.inFlight?.to;
    if (from !== source) return;
    if (this.replica.initialized && m.slot < this.replica.slotOut) {
      // We got past this snapshot meanwhile: continue with decisions.
      this.incoming = undefined;
      this.inFlight = undefined;
      this.continueFrom(from, true);
      return;
    }
    let inc = this.incoming;
    if (inc === undefined || inc.slot !== m.slot || inc.total !== m.total) {
      if (m.offset !== 0) return;
      inc = { from, slot: m.slot, total: m.total, parts: [], received: 0 };
      this.incoming = inc;
    }
    if (m.offset !== inc.received || inc.received + m.data.length > inc.total) return;
    this.inFlight = undefined;
    inc.parts.push(m.data.slice());
    inc.received += m.data.length;
    if (inc.received < inc.total) {
      this.request(from);
      return;
    }
    this.incoming = undefined;
    const data = new Uint8Array(inc.total);
    let at = 0;
    for (const p of inc.parts) {
      data.set(p, at);
      at += p.length;
    }
    try {
      this.replica.install({ slot: inc.slot, data }, true);
    } catch (err) {
      this.ctx.trace(`${this.ctx.id} rejects snapshot from ${from}: ${String(err)}`);
      return;
    }
    this.continueFrom(from, true);
  }

  private continueFrom(from: PeerId, moved: boolean): void {
    // Keep pulling from a peer known to be ahead, or from a probed peer that had something.
    const target = this.ahead.get(from);
    if (moved && (target === undefined || target > this.replica.slotOut)) this.request(from);
  }
}

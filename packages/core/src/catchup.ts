/**
 * Catch-up (DESIGN.md §3 item 7). A replica that was away learns what it missed from a peer
 * that has it: consecutive decisions in bounded batches, or, when that peer has compacted them,
 * its snapshot in chunks of bounded size followed by the decisions after it. The requester
 * pulls one answer at a time, so a large transfer never floods the link.
 *
 * Termination (docs/protocol.md, "Catch-up ends at a peer that has what is missing"): every
 * request goes to a peer not yet known to lack slot `slotOut`; an answer that moves nothing (no
 * decisions at `slotOut`) or three unanswered requests mark that peer as lacking it, and the next
 * request goes to another one at once. So while some member has the missing slots, a finite
 * number of requests reaches it. A snapshot transfer stays with its source (chunks of two
 * snapshots do not fit together) only while that snapshot is still ahead of `slotOut`.
 *
 * Serving: decisions this replica still holds in memory are sent at once; older ones it retains
 * are in storage only (replica.ts, `release`), so the answer waits for a storage read, an effect
 * like a write (storage-reads.ts; the driver answers with RawNode.decisionsRead). At most
 * one read per asking peer is in flight; a read lost in a crash is simply never answered, and
 * the asker asks again (or someone else) after its answer timeout.
 *
 * Catch-up only reads the replica (`CatchupReplica`): what it brings in, the node hands to the
 * replica, as any decision (RawNode's dispatch), and then lets catch-up judge the answer.
 */
import { membersOf, type ConfigHistory } from './configuration.js';
import type { NodeContext } from './context.js';
import type { CatchupDecisions, CatchupRequest, Decided, SnapshotChunk } from './messages.js';
import type { CatchupSituation } from './rules.js';
import type { Snapshot } from './storage.js';
import type { PeerId, Slot } from './types.js';

/** What catch-up reads of the replica beside it (replica.ts); it never changes it. */
export interface CatchupReplica {
  /** Every slot below it is applied. */
  readonly slotOut: Slot;
  /** Every slot below it is applied and durable (what an answer says this replica has). */
  readonly durableSlotOut: Slot;
  /** False for a joining peer until it installs its first snapshot. */
  readonly initialized: boolean;
  /** The highest slot known to be decided (applied or not). */
  readonly maxDecided: Slot;
  readonly configs: ConfigHistory;
  /** The first decision kept (older ones are in the snapshot only). */
  readonly retainedFrom: Slot;
  /** The first applied decision that may still be in memory (below it: storage only). */
  readonly heldFrom: Slot;
  /** The decisions held in memory, by slot. */
  readonly decisions: ReadonlyMap<Slot, Uint8Array>;
  /** The newest snapshot taken or installed. */
  readonly snapshot: Snapshot | null;
  /** Up to `max` consecutive decisions from `from`, within `maxBytes` (Replica.decisionsFrom). */
  decisionsFrom(
    from: Slot,
    max: number,
    maxBytes: number,
    read?: (slot: Slot) => Uint8Array | undefined,
  ): Decided[];
  /** Every peer of the newest configuration. */
  members(): readonly PeerId[];
}

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

/**
 * Whom to ask next (the production rule; rules.ts): the source of a snapshot transfer still
 * ahead of us; else the peer known to be furthest ahead that has not shown it lacks what we
 * need; else, when we know slots are missing (a hole below a decision we hold), any member that
 * has not shown it lacks them, at random.
 */
export function chooseCatchupSource(s: CatchupSituation): PeerId | undefined {
  const inc = s.incoming;
  if (inc !== undefined && inc.slot >= s.slotOut && !s.lacking.has(inc.from)) return inc.from;
  let best: PeerId | undefined;
  let slot = -1;
  for (const [p, at] of s.ahead) {
    if (!s.lacking.has(p) && at > slot) {
      best = p;
      slot = at;
    }
  }
  if (best !== undefined || !s.missing) return best;
  const others = s.members.filter((p) => !s.lacking.has(p));
  return others.length === 0 ? undefined : others[Math.floor(s.random() * others.length)];
}

export class Catchup {
  /** For each peer known to be ahead: the slot it has applied up to (exclusive). */
  private readonly ahead = new Map<PeerId, Slot>();
  /**
   * Peers that answered that they lack `slotOut` (or never answered), and since when: cleared
   * when slotOut moves, and each after two answer timeouts (it may have learned it since).
   */
  private readonly lacking = new Map<PeerId, number>();
  private lackingAt: Slot = 0;
  private inFlight: { to: PeerId; at: number; tries: number } | undefined;
  private incoming: Incoming | undefined;
  private lastSlotOut = 0;
  private lastMove = 0;
  private readonly pinned = new Map<Slot, { snap: Snapshot; at: number }>();
  private lastLeaderHeard = 0;
  private lastProbe = 0;
  /** Storage reads in flight: for whom, from which slot (at most one per peer). */
  private readonly reading = new Map<number, { peer: PeerId; from: Slot }>();
  /** The slotOut at which this replica refused a snapshot a peer sent (0: never). */
  private refusedAt: Slot = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly replica: CatchupReplica,
  ) {}

  /** A peer has applied every slot below `slotOut` (heard in a heartbeat or a P1b watermark). */
  noteAhead(peer: PeerId, slotOut: Slot): void {
    if (peer === this.ctx.id) return;
    if (slotOut > this.replica.slotOut || !this.replica.initialized) {
      this.ahead.set(peer, Math.max(this.ahead.get(peer) ?? 0, slotOut));
    }
  }

  /**
   * Slots are known to be missing here: a decision above a hole, no state yet, or a snapshot of
   * them that this replica refused (`refused`).
   */
  private missing(): boolean {
    const r = this.replica;
    return !r.initialized || r.maxDecided >= r.slotOut || this.refusedAt === r.slotOut;
  }

  progress(): CatchupProgress | undefined {
    let target = 0;
    for (const s of this.ahead.values()) target = Math.max(target, s);
    if (target <= this.replica.slotOut && this.replica.initialized) return undefined;
    const inc = this.usefulIncoming();
    return inc === undefined
      ? { target }
      : { target, snapshotBytes: { received: inc.received, total: inc.total } };
  }

  /** How long to wait for an answer: a round trip can take up to an election timeout. */
  private answerTimeout(): number {
    return Math.max(2 * this.ctx.opts.retransmitIntervalMs, this.ctx.opts.electionTimeoutMs);
  }

  /** Forget what no longer holds once slotOut moved: claims we passed, peers that lacked it. */
  private refresh(now: number): void {
    const r = this.replica;
    if (r.slotOut !== this.lastSlotOut) {
      this.lastSlotOut = r.slotOut;
      this.lastMove = now;
    }
    if (r.initialized) {
      for (const [p, s] of this.ahead) if (s <= r.slotOut) this.ahead.delete(p);
    }
    // Lacking slot L says nothing of L + 1; and who lacked L may have it now that time passed.
    if (this.lackingAt !== r.slotOut) {
      this.lacking.clear();
      this.lackingAt = r.slotOut;
    }
    for (const [p, since] of this.lacking)
      if (now - since >= 2 * this.answerTimeout()) this.lacking.delete(p);
  }

  /**
   * `peer` does not have slotOut (it said so, or never answered): ask someone else. What it
   * claimed stays known, for the rule to weigh (rules.ts); a transfer from it is abandoned.
   */
  private lacks(peer: PeerId): void {
    this.refresh(this.ctx.now());
    this.lacking.set(peer, this.ctx.now());
    if (this.inFlight?.to === peer) this.inFlight = undefined;
  }

  /** A snapshot transfer whose snapshot is still ahead of this replica. */
  private usefulIncoming(): Incoming | undefined {
    const inc = this.incoming;
    return inc !== undefined && (inc.slot >= this.replica.slotOut || !this.replica.initialized)
      ? inc
      : undefined;
  }

  /** Slots are known to be missing here: someone is ahead, or a hole. */
  private behind(): boolean {
    const r = this.replica;
    return (
      !r.initialized ||
      this.usefulIncoming() !== undefined ||
      [...this.ahead.values()].some((s) => s > r.slotOut) ||
      this.missing()
    );
  }

  tick(): void {
    const now = this.ctx.now();
    this.refresh(now);
    if (this.inFlight !== undefined) {
      if (now - this.inFlight.at < this.answerTimeout()) return;
      const { to, tries } = this.inFlight;
      this.inFlight = undefined;
      if (tries < 3) {
        // Lost, or slow: ask the same peer again (a snapshot transfer resumes where it was).
        this.request(to, tries + 1);
        return;
      }
      // That peer may be down or cut off: someone else, now (a transfer from it is abandoned).
      // It comes back into the running when the lacking set is cleared.
      if (this.incoming?.from === to) this.incoming = undefined;
      // Nor is what it claimed to have a reason to ask it again: it is learned anew when the
      // peer speaks. Otherwise its lack expires and this peer asks it, and any other silent
      // one known ahead, for ever, and never probes the members it knows, who may be the live
      // ones (soak seed 72008859 of membership-churn: a re-added peer asked two crashed ones).
      this.ahead.delete(to);
      this.lacks(to);
    }
    if (!this.behind()) {
      this.probe(now);
      return;
    }
    // Missing decisions usually arrive on their own within a moment; ask only when they do not.
    if (
      now - this.lastMove < this.ctx.opts.catchupDelayMs &&
      this.usefulIncoming() === undefined &&
      this.replica.initialized
    ) {
      return;
    }
    const to = this.source();
    if (to === undefined) {
      this.probe(now);
      return;
    }
    this.request(to);
  }

  private source(): PeerId | undefined {
    const r = this.replica;
    const latest = r.configs.latest();
    return this.ctx.rules.catchupSource({
      slotOut: r.slotOut,
      incoming:
        this.incoming === undefined
          ? undefined
          : { from: this.incoming.from, slot: this.incoming.slot },
      ahead: this.ahead,
      lacking: this.lacking,
      missing: this.missing(),
      members: latest === undefined ? [] : membersOf(latest).filter((p) => p !== this.ctx.id),
      random: () => this.ctx.random(),
    });
  }

  /** The replica applied more slots: missing decisions may still be arriving on their own. */
  progressed(): void {
    this.lastSlotOut = this.replica.slotOut;
    this.lastMove = this.ctx.now();
  }

  /**
   * When `tick` next has something to do (Infinity: nothing until some input arrives): an
   * answer's timeout, the moment to ask (after `catchupDelayMs` without progress), the moment
   * the peers that lacked slotOut may be asked again, or the next probe.
   */
  nextDeadline(): number {
    if (this.inFlight !== undefined) return this.inFlight.at + this.answerTimeout();
    if (!this.behind()) return this.probeAt();
    const now = this.ctx.now();
    const askAt =
      this.usefulIncoming() !== undefined || !this.replica.initialized
        ? now
        : this.lastMove + this.ctx.opts.catchupDelayMs;
    if (askAt > now || this.someoneToAsk()) return askAt;
    // Everyone known lacks slotOut: each is asked again once its lack expires (refresh).
    let expires = Infinity;
    for (const since of this.lacking.values()) expires = Math.min(expires, since);
    return Math.min(expires + 2 * this.answerTimeout(), this.probeAt());
  }

  /** Whether the catch-up rule has a candidate (without drawing a random number). */
  private someoneToAsk(): boolean {
    if (this.usefulIncoming() !== undefined) return true;
    for (const p of this.ahead.keys()) if (!this.lacking.has(p)) return true;
    if (!this.missing()) return false;
    const latest = this.replica.configs.latest();
    return (
      latest !== undefined &&
      membersOf(latest).some((p) => p !== this.ctx.id && !this.lacking.has(p))
    );
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
    const others = membersOf(latest).filter((p) => p !== this.ctx.id && !this.lacking.has(p));
    if (others.length === 0) return;
    this.request(others[Math.floor(this.ctx.random() * others.length)]!);
  }

  private request(to: PeerId, tries = 1): void {
    this.inFlight = { to, at: this.ctx.now(), tries };
    const inc = this.incoming?.from === to ? this.incoming : undefined;
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
      // Applied and durable: in storage only.
      if (m.fromSlot < r.heldFrom) return this.fetch(from, m.fromSlot);
      const decisions = r.decisionsFrom(
        m.fromSlot,
        this.ctx.opts.catchupMaxDecisions,
        this.ctx.opts.catchupMaxBytes,
      );
      this.ctx.send(from, { type: 'catchupDecisions', decisions, slotOut: r.durableSlotOut });
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

  /** Ask the driver to read decisions from `slot` for `peer` (unless one is in flight for it). */
  private fetch(peer: PeerId, slot: Slot): void {
    for (const f of this.reading.values()) if (f.peer === peer) return;
    const { catchupMaxDecisions: max, catchupMaxBytes: maxBytes } = this.ctx.opts;
    const id = this.ctx.read({ kind: 'decisions', from: slot, max, maxBytes });
    this.reading.set(id, { peer, from: slot });
  }

  /**
   * Storage read `id` returned `read` (empty when it failed): answer the peer it was for with
   * the consecutive decisions from its slot, those read and then those still in memory. When
   * a snapshot compacted the slot meanwhile, the peer gets the snapshot instead.
   */
  onRead(id: number, read: readonly Decided[]): void {
    const f = this.reading.get(id);
    if (f === undefined) return;
    this.reading.delete(id);
    const r = this.replica;
    const stored = new Map<Slot, Uint8Array>();
    for (const d of read) stored.set(d.slot, d.value);
    const decisions = r.decisionsFrom(
      f.from,
      this.ctx.opts.catchupMaxDecisions,
      this.ctx.opts.catchupMaxBytes,
      (s) => stored.get(s) ?? r.decisions.get(s),
    );
    if (decisions.length === 0 && f.from < r.retainedFrom) {
      this.onRequest(f.peer, { type: 'catchupReq', fromSlot: f.from, snapshotSlot: 0, offset: 0 });
      return;
    }
    // Read from what storage has committed, which under SqliteStorage's `io: 'split'` may not be
    // synced yet: safe to send, as a decision is chosen (docs/protocol.md, "Catch-up from
    // storage"); persist before send is about acceptor state, never about decisions.
    this.ctx.send(f.peer, { type: 'catchupDecisions', decisions, slotOut: r.durableSlotOut });
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
    // One transfer per peer behind at most: every other member may be fetching its own
    // snapshot at once (after a partition heals), and evicting one of them restarts that
    // transfer on the newest snapshot, which evicts another's (soak seed 72003652 of
    // ballot-reuse: 4 followers of 5 restarted each other's transfers for 30 s).
    const idle = 10 * this.ctx.opts.electionTimeoutMs;
    const room = Math.max(3, this.replica.members().length - 1);
    for (const [slot, p] of this.pinned) {
      if (now - p.at > idle || this.pinned.size > room) this.pinned.delete(slot);
    }
    return snap;
  }

  /**
   * `from` answered with decisions, which the node has handed to the replica; `moved` says
   * whether they moved slotOut.
   */
  onDecisions(from: PeerId, m: CatchupDecisions, moved: boolean): void {
    this.refresh(this.ctx.now());
    if (moved) {
      if (this.inFlight?.to === from) this.inFlight = undefined;
      this.continueFrom(from);
    } else if (m.decisions.length === 0 && this.usefulIncoming()?.from !== from) {
      // It has no decision at our slotOut (or had none at an earlier one we asked for): not the
      // peer to ask now (rules.ts may ignore this). Unless it is sending us a snapshot that
      // covers slotOut: then it has the slot, and the empty answer left it before it did (sent
      // earlier, delivered late). Marking it would drop the transfer for another peer, or, as a
      // chunk arrives, ask a peer "known to lack" the slot for it (seed 130021602 of profile
      // ballot-reuse). Termination is kept: if it never sends the rest, three unanswered
      // requests mark it.
      this.lacks(from);
    }
    // Decisions that moved nothing: a late duplicate; the request in flight stands.
  }

  /**
   * A chunk of a snapshot from `from`. Returns the snapshot once it is whole: the node installs
   * it, then reports `installed(from)` (or nothing, if the replica refused it).
   */
  onSnapshotChunk(from: PeerId, m: SnapshotChunk): Snapshot | undefined {
    // Chunks of one transfer come from one peer: the one asked, or the transfer's source.
    if (from !== this.inFlight?.to && from !== this.incoming?.from) return;
    if (this.replica.initialized && m.slot < this.replica.slotOut) {
      // We got past this snapshot meanwhile: continue with decisions.
      this.incoming = undefined;
      this.inFlight = undefined;
      this.continueFrom(from);
      return;
    }
    let inc = this.incoming;
    if (inc === undefined || inc.from !== from || inc.slot !== m.slot || inc.total !== m.total) {
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
    return { slot: inc.slot, data };
  }

  /**
   * The snapshot `from` sent could not be installed (the replica refused it: replica.ts,
   * `install`). It moved nothing, as an empty answer moves nothing: `from` is marked as lacking
   * slotOut, and, the slots being known missing now, any other member is asked first. Before,
   * the peer fetched the same snapshot again at once, whole transfer after whole transfer, for
   * as long as `from` was the peer it knew to be furthest ahead, while another member held one
   * it could install (test/snapshot-refused-source.test.ts: 1250 transfers in 10 s).
   */
  refused(from: PeerId): void {
    this.refusedAt = this.replica.slotOut;
    this.lacks(from);
  }

  /** The snapshot `from` sent was installed: go on with the decisions after it. */
  installed(from: PeerId): void {
    this.continueFrom(from);
  }

  /** Keep pulling from a peer that just gave us something, while we are still behind it. */
  private continueFrom(from: PeerId): void {
    if (this.lacking.has(from)) return;
    const target = this.ahead.get(from);
    if (target === undefined || target > this.replica.slotOut) this.request(from);
  }
}

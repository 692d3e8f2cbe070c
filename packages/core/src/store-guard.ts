/**
 * One peer's side of amnesia detection (store-runs.ts explains the rule): it numbers this
 * store's batches, stamps the messages that vote, propose or carry its client's commands, judges the stamps of others, relays
 * what it knows in the active leader's heartbeats, and tells a peer found rolled back. When this
 * peer's own store is found rolled back, it records that durably and stops voting and leading.
 */
import type { NodeContext } from './context.js';
import type { Envelope, Message, PeerStamp, StoreStamp } from './messages.js';
import { StoreRuns } from './store-runs.js';
import type { PersistentState, StorageBatch } from './storage.js';
import type { PeerId } from './types.js';

/** The messages that carry their sender's stamp. */
type Stamped = Extract<
  Message,
  { type: 'p1a' | 'p1b' | 'p2a' | 'p2b' | 'heartbeatAck' | 'request' }
>;

function isStamped(m: Message): m is Stamped {
  return (
    m.type === 'p2a' ||
    m.type === 'p2b' ||
    m.type === 'p1a' ||
    m.type === 'heartbeatAck' ||
    m.type === 'request' ||
    (m.type === 'p1b' && !m.probe)
  );
}

/** How often a rolled-back peer is told again, at most, while it keeps talking. */
const TELL_AGAIN_MS = 200;
/** What this peer knows of other stores rides along with a batch at most this often. */
const KNOWLEDGE_WRITE_MS = 50;

export class StoreGuard {
  private readonly runs: StoreRuns;
  /** This run's id. */
  private run = 0;
  /** The seq the store held when this run started. */
  private start = 0;
  /** The seq given to the last batch, and the seq of the last batch known durable. */
  private assigned = 0;
  private durable = 0;
  /** The first batch of this run is durable: from now on its stamps are binding. */
  private started = false;
  private readonly told = new Map<PeerId, number>();
  private lastSaved = -Infinity;
  /** Why this peer's own store was found rolled back (durable once written). */
  amnesia: string | undefined;

  constructor(private readonly ctx: NodeContext) {
    this.runs = new StoreRuns((known, stamp) => ctx.rules.judgeStore(known, stamp));
  }

  load(state: PersistentState): void {
    this.start = this.assigned = this.durable = state.seq ?? 0;
    this.run = Math.floor(this.ctx.random() * 2 ** 32);
    this.amnesia = state.amnesia;
    for (const s of state.peerStores ?? []) this.runs.observe(s.peer, s);
    this.runs.saved();
  }

  /**
   * Number the batch of this run's write `write` (1, 2, 3... in the order they are handed out,
   * each completing after the ones before it): its seq is `start + write` (persist before send:
   * stamps name only durable seqs). It also carries what this peer learned of the others' stores,
   * if anything changed: a peer that restarts must not forget that a store it knew had gone
   * further (it would count the votes of a restored copy). Never a write of its own for that; at
   * most one every KNOWLEDGE_WRITE_MS.
   */
  number(batch: StorageBatch, write: number): void {
    if (this.start + write !== this.assigned + 1)
      throw new Error(`write ${write} numbered out of order (seq ${this.assigned} given last)`);
    batch.seq = ++this.assigned;
    const now = this.ctx.now();
    if (this.runs.changed && now - this.lastSaved >= KNOWLEDGE_WRITE_MS) {
      batch.peerStores = this.runs
        .gossip(this.runs.peers())
        .map(({ peer, stamp }) => ({ peer, ...stamp }));
      this.runs.saved();
      this.lastSaved = now;
    }
  }

  /** This run's writes up to `write` are durable (writes complete in order). */
  persisted(write: number): void {
    const seq = this.start + write;
    if (seq <= this.durable) return;
    this.durable = seq;
    this.started = true;
  }

  private stamp(seq: number): StoreStamp {
    return { run: this.run, start: this.start, seq };
  }

  /**
   * Stamp what leaves. A message sent at once names the seq durable now; one released when this
   * run's write `afterWrite` completes names that write (with writes in flight, the one it waits
   * for). Nothing is stamped before this run's first write is durable: a run that crashes before
   * it leaves no stamp, and the next starts from the same seq.
   */
  stampAll(envelopes: readonly Envelope[], afterWrite?: number): Envelope[] {
    if (envelopes.length === 0) return envelopes as Envelope[];
    const seq = afterWrite !== undefined ? this.start + afterWrite : this.durable;
    const binding = afterWrite !== undefined || this.started;
    return envelopes.map((e) => {
      const m = e.msg;
      if (binding && isStamped(m)) return { to: e.to, msg: { ...m, store: this.stamp(seq) } };
      if (m.type === 'heartbeat' && binding) {
        // The receiver's own store too: that is how a peer learns that its store went back.
        const stores: PeerStamp[] = this.runs
          .gossip(this.runs.peers())
          .map(({ peer, stamp }) => ({ peer, ...stamp }));
        stores.push({ peer: this.ctx.id, ...this.stamp(this.durable) });
        return { to: e.to, msg: { ...m, stores } };
      }
      return e;
    });
  }

  /**
   * Judge a message before it is handled: false to drop it (a rolled-back or stale run of its
   * sender). A heartbeat's relayed stamps are taken in too, and one about this peer itself may
   * show that this peer's own store went back.
   */
  admit(from: PeerId, m: Message): boolean {
    if (from === this.ctx.id) return true;
    if (m.type === 'rolledBack') {
      // Only a judgement of this very run counts: the accuser saw its stamp, nobody else can
      // name it but by chance (2^-32); one about an earlier run was settled by that run's end.
      if (m.store.run === this.run && m.store.start === this.start) this.foundRolledBack(m.why);
      else this.ctx.trace(`${this.ctx.id} ignores a rolledBack from ${from} about another run`);
      return false;
    }
    if (m.type === 'heartbeat' && m.stores !== undefined) {
      for (const s of m.stores) {
        const stamp = { run: s.run, start: s.start, seq: s.seq };
        if (s.peer === this.ctx.id) this.checkSelf(stamp);
        else this.runs.observe(s.peer, stamp);
      }
    }
    if (!isStamped(m) || m.store === undefined) return true;
    const v = this.runs.observe(from, m.store);
    if (v.kind === 'rolled-back') {
      this.tell(from, v.why, m.store);
      return false;
    }
    return v.kind === 'ok';
  }

  /** Another peer relayed a run of this peer's own store: does this run contradict it? */
  private checkSelf(other: StoreStamp): void {
    if (!this.started || other.run === this.run || this.amnesia !== undefined) return;
    const v = this.ctx.rules.judgeStore(
      [{ run: other.run, start: other.start, seq: other.seq }],
      this.stamp(this.durable),
    );
    // While this run lives, no other run of its store may have started later: "stale" here means
    // that one did, from a store that went on without this one (this one is the older copy).
    if (v.kind === 'rolled-back') this.foundRolledBack(v.why);
    else if (v.kind === 'stale')
      this.foundRolledBack(
        `another run of its store started from write ${other.start}, after this one (${this.start})`,
      );
  }

  private tell(peer: PeerId, why: string, store: StoreStamp): void {
    const now = this.ctx.now();
    if (now - (this.told.get(peer) ?? -Infinity) < TELL_AGAIN_MS) return;
    this.told.set(peer, now);
    this.ctx.trace(`${this.ctx.id} finds ${peer} rolled back: ${why}`);
    this.ctx.send(peer, { type: 'rolledBack', why, store });
  }

  private foundRolledBack(why: string): void {
    if (this.amnesia !== undefined) return;
    this.amnesia = why;
    this.ctx.persist.setAmnesia(why);
    this.ctx.trace(`${this.ctx.id} is rolled back: ${why}; it no longer votes or leads`);
  }

  /** Whether `peer`'s store was found rolled back here. */
  isRolledBack(peer: PeerId): boolean {
    return this.runs.isRolledBack(peer);
  }
}

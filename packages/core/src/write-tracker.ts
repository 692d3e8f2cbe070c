/**
 * The core's side of persist before send, per write (DESIGN.md §2; docs/protocol.md, "Persist
 * before send, per write"); write-pipeline.ts is the driver's side. It holds what this peer's
 * roles send in a turn and the batch of state they changed, numbers each Ready's batch as a
 * write (1, 2, 3...), and keeps what must wait for a write until the driver reports it durable:
 *
 * - messages that report acceptor state (P1b, P2b, acks): to other peers they go out in the
 *   Ready as `afterPersist`, tied to the write they wait for; to this peer itself (its own votes,
 *   for its own leader) they wait here, and `persisted` hands them back to be stepped;
 * - this run's incarnation: no ballot and no client command before it is durable;
 * - a snapshot's slot: the acceptor drops pvalues below it only once the snapshot is durable.
 *
 * As etcd-raft's msgs and msgsAfterAppend, and its asynchronous storage writes.
 */
import type { Envelope, Message } from './messages.js';
import type { PersistBuilder } from './persist-builder.js';
import type { StorageBatch } from './storage.js';
import type { PeerId, Slot } from './types.js';

/** Decisions that may wait for the next write before they get one of their own. */
const MAX_HELD_DECISIONS = 256;

/** What one Ready carries of writes and messages (`Ready` in raw-node.ts says what each means). */
export interface TurnWrites {
  readonly persist: StorageBatch | null;
  readonly writeId: number;
  readonly messages: Envelope[];
  readonly afterPersist: Envelope[];
}

/** What a durable write released. */
export interface Released {
  /** Slots of snapshots now durable, oldest first. */
  readonly snapshots: Slot[];
  /** Messages from this peer to itself that waited for the write, in order. */
  readonly self: Message[];
}

export class WriteTracker {
  private outbox: Envelope[] = [];
  private outboxAfter: Envelope[] = [];
  private readonly selfQueue: Message[] = [];
  private selfAfter: Message[] = [];
  /** The newest write handed out in a Ready, and the newest one reported durable. */
  private issued = 0;
  private durable = 0;
  /** What waits for a write: messages to this peer itself, and snapshots whose slot it makes durable. */
  private readonly heldSelf: { id: number; msgs: Message[] }[] = [];
  private readonly snapshotWrites: { id: number; slot: Slot }[] = [];
  private incarnationWrite: number | undefined;
  /** This run's incarnation is durable: its ballots are unique (docs/protocol.md). */
  incarnationDurable = false;
  /** Since when decisions alone wait for a write (holdDecisions). */
  private decisionsHeldSince: number | undefined;
  /** Decisions no longer wait for a later write (the node is stopping: there is none). */
  private holdingOff = false;

  constructor(
    /** The state the roles changed this turn (NodeContext.persist). */
    private readonly persist: PersistBuilder,
    private readonly self: PeerId,
    private readonly heartbeatIntervalMs: number,
  ) {}

  /** Queue `msg`; with `afterPersist` it waits for this turn's write (or the newest in flight). */
  send(to: PeerId, msg: Message, afterPersist: boolean): void {
    if (to === this.self) {
      (afterPersist ? this.selfAfter : this.selfQueue).push(msg);
    } else {
      (afterPersist ? this.outboxAfter : this.outbox).push({ to, msg });
    }
  }

  /** The next message to this peer itself that may be stepped now. */
  nextSelf(): Message | undefined {
    return this.selfQueue.shift();
  }

  /**
   * Messages to this peer itself that wait for a write, when no write is due after all (nothing
   * of the acceptor's state is unwritten or in flight): they may be stepped now.
   */
  takeUnheldSelf(): Message[] | undefined {
    if (this.selfAfter.length === 0 || this.acceptorStateUnwritten()) return undefined;
    const msgs = this.selfAfter;
    this.selfAfter = [];
    return msgs;
  }

  /**
   * The writes and messages of one Ready. With `canWrite` false (the driver has as many writes in
   * flight as it allows) the state to persist and what waits for it stay here for a later Ready.
   * A batch written now is numbered; `snapshotSlot` is a snapshot it makes durable.
   */
  take(canWrite: boolean, now: number, snapshotSlot: Slot | undefined): TurnWrites {
    const persist = canWrite && !this.holdDecisions(now) ? this.persist.take() : null;
    if (persist !== null) {
      this.decisionsHeldSince = undefined;
      const id = ++this.issued;
      if (persist.incarnation !== undefined) this.incarnationWrite = id;
      if (snapshotSlot !== undefined) this.snapshotWrites.push({ id, slot: snapshotSlot });
    }
    const writeId = this.inFlight ? this.issued : 0;
    let messages = this.outbox;
    let afterPersist: Envelope[] = [];
    if (canWrite) {
      if (writeId === 0) {
        // Nothing unwritten, nothing in flight: they may leave at once.
        if (this.outboxAfter.length > 0) messages = messages.concat(this.outboxAfter);
      } else {
        afterPersist = this.outboxAfter;
        if (this.selfAfter.length > 0) this.heldSelf.push({ id: writeId, msgs: this.selfAfter });
      }
      this.outboxAfter = [];
      this.selfAfter = [];
    }
    this.outbox = [];
    return {
      persist,
      writeId: afterPersist.length > 0 || persist !== null ? writeId : 0,
      messages,
      afterPersist,
    };
  }

  /**
   * Write `id` (and, writes being ordered, every earlier one) is durable: release what waited
   * for it. Undefined when it was durable already.
   */
  persisted(id: number): Released | undefined {
    if (id <= this.durable) return undefined;
    if (id > this.issued) throw new Error(`write ${id} was never handed out`);
    this.durable = id;
    if (this.incarnationWrite !== undefined && this.incarnationWrite <= id) {
      this.incarnationWrite = undefined;
      this.incarnationDurable = true;
    }
    const snapshots: Slot[] = [];
    while (this.snapshotWrites.length > 0 && this.snapshotWrites[0]!.id <= id)
      snapshots.push(this.snapshotWrites.shift()!.slot);
    const self: Message[] = [];
    while (this.heldSelf.length > 0 && this.heldSelf[0]!.id <= id)
      self.push(...this.heldSelf.shift()!.msgs);
    return { snapshots, self };
  }

  /** The newest write handed out (for drivers that write synchronously: `advance`). */
  get lastIssued(): number {
    return this.issued;
  }

  /**
   * From now on, decisions do not wait for a later write: the next Ready that may write takes
   * them. For a driver that stops: a stop is not a crash, and what the run learned should be in
   * the store at the next start (its own removal, say: RawNode.load resumes the hand-over).
   */
  stopHoldingDecisions(): void {
    this.holdingOff = true;
  }

  /** When a batch of decisions held for the next write must be written anyway (Infinity: none). */
  nextDeadline(): number {
    return this.decisionsHeldSince !== undefined && this.persist.holdsOnlyDecisions()
      ? this.decisionsHeldSince + this.heartbeatIntervalMs
      : Infinity;
  }

  private get inFlight(): boolean {
    return this.issued > this.durable;
  }

  /** Acceptor state (what P1b, P2b and acks report) is still unwritten, or being written. */
  private acceptorStateUnwritten(): boolean {
    return this.inFlight || !(this.persist.isEmpty || this.persist.holdsOnlyDecisions());
  }

  /**
   * Whether a batch of decisions alone waits for the next write instead of a write of its own:
   * decisions are chosen, so nothing waits for them to be durable (docs/protocol.md, "Results
   * before the decision is durable here"), and at one command in flight the decision of slot s
   * then shares one fsync with the pvalue of slot s + 1. They wait at most a heartbeat interval,
   * or until MAX_HELD_DECISIONS have gathered.
   */
  private holdDecisions(now: number): boolean {
    if (this.holdingOff || !this.persist.holdsOnlyDecisions()) return false;
    this.decisionsHeldSince ??= now;
    return (
      this.persist.decisionCount < MAX_HELD_DECISIONS &&
      now - this.decisionsHeldSince < this.heartbeatIntervalMs
    );
  }
}

/**
 * The durable state of a peer, and the interface a store implements (DESIGN.md §2, §5).
 *
 * The protocol loads everything at start and then mostly writes. Once a slot is applied and
 * durable here its decided value and the acceptor's pvalue leave memory (so the value dies
 * young in V8's heap); what is kept of them in storage is read back when asked for, which is
 * rare: `readDecisions` for a peer that catches up, `readAccepted` for a P1b (storage-reads.ts). Each turn of the runtime produces at most one `StorageBatch`, which the store
 * must make durable atomically (one transaction, one fsync: group commit) before `write`
 * resolves. The runtime does not wait for one write before it issues the next (pipelined, as
 * etcd-raft's asynchronous storage writes): writes are applied, and resolve, in the order they
 * were issued. Nothing that depends on a batch leaves the process before its write resolves.
 */
import type { Ballot } from './ballot.js';
import type { Decided, PeerStamp, PValue } from './messages.js';
import { InvalidReadError } from './errors.js';
import type { ConfigId, Slot } from './types.js';

/** The acceptor's promise for one configuration (PMMC: `ballot_num`). */
export interface AcceptorPromise {
  readonly config: ConfigId;
  readonly ballot: Ballot;
}

/** A replica snapshot: the encoded state after applying every slot up to `slot`. */
export interface Snapshot {
  readonly slot: Slot;
  /** Encoded by snapshot.ts: app state, client table and configuration history. */
  readonly data: Uint8Array;
}

/** Everything a peer keeps across restarts. */
export interface PersistentState {
  /** Grows by one at every start; makes client ids unique across restarts. */
  readonly incarnation: number;
  /** Acceptor: the ballot promised for each configuration still kept. */
  readonly promises: readonly AcceptorPromise[];
  /** Acceptor: the highest-ballot pvalue accepted for each slot at or above `watermark`. */
  readonly accepted: readonly PValue[];
  /** Acceptor: pvalues below this slot were dropped (their slots are decided and snapshotted). */
  readonly watermark: Slot;
  /** Replica: the newest snapshot, or null for a peer that has none yet (a joining peer). */
  readonly snapshot: Snapshot | null;
  /** Replica: decisions above the snapshot that were kept, in slot order. */
  readonly decisions: readonly Decided[];
  /**
   * The number of the last batch written: the core numbers its batches 1, 2, 3... over the
   * store's whole life (StorageBatch.seq). Peers remember the highest number they saw a peer
   * report; a store that starts below it was rolled back (store-runs.ts). Absent: 0.
   */
  readonly seq?: number;
  /**
   * Set once peers found this store rolled back (restored from an older copy, or replaced): why.
   * Its peer never votes or leads again under its id. Absent: never.
   */
  readonly amnesia?: string;
  /**
   * What this peer knows of the other peers' stores: per peer, the run that reported the
   * highest seq (store-runs.ts), so that it still knows after a restart. Absent: nothing.
   */
  readonly peerStores?: readonly PeerStamp[];
}

/** One turn's worth of changes, written atomically. Absent fields change nothing. */
export interface StorageBatch {
  incarnation?: number;
  /** This batch's number (PersistentState.seq); a store keeps the number of the last batch. */
  seq?: number;
  /** Record that this store was found rolled back (PersistentState.amnesia); kept for ever. */
  amnesia?: string;
  /** Upsert what is known of these peers' stores (PersistentState.peerStores). */
  peerStores?: PeerStamp[];
  /** Upsert the promise of each configuration. */
  promises?: AcceptorPromise[];
  /** Upsert the pvalue of each slot. */
  accepted?: PValue[];
  /** Insert decisions (a slot's decision never changes, so re-inserting one is a no-op). */
  decisions?: Decided[];
  /**
   * Insert decisions whose value is the pvalue accepted at that slot (upserted by this batch or
   * an earlier one): the value is not passed again. A follower records most decisions this way,
   * so a batch's value is not copied, sent to a worker or encoded twice.
   */
  decidedAccepted?: Slot[];
  /** Replace the snapshot. */
  snapshot?: Snapshot;
  /** Delete decisions below this slot (compaction). */
  truncateDecisionsBelow?: Slot;
  /** Raise the acceptor's watermark and delete pvalues below it. */
  watermark?: Slot;
  /** Delete promises of configurations below this id (they govern no undecided slot). */
  dropPromisesBelow?: ConfigId;
}

export function isEmptyBatch(b: StorageBatch): boolean {
  return (
    b.incarnation === undefined &&
    b.seq === undefined &&
    b.amnesia === undefined &&
    b.peerStores === undefined &&
    b.promises === undefined &&
    b.accepted === undefined &&
    b.decisions === undefined &&
    b.decidedAccepted === undefined &&
    b.snapshot === undefined &&
    b.truncateDecisionsBelow === undefined &&
    b.watermark === undefined &&
    b.dropPromisesBelow === undefined
  );
}

/** What the runtime tells a store about one write: a hint, which a store may ignore. */
export interface WriteHint {
  /**
   * The caller has no other write in flight: whatever waits for a write (the P1b, P2b or acks
   * that leave once it is durable, this peer's own vote) waits for this one, and no other write
   * could overlap its sync. A store may then make it durable on the caller's thread, blocking it
   * for the sync, rather than hand the sync to another thread and back: those two thread
   * wake-ups lie on the critical path of a command at one command in flight, and each waits for
   * a core on a busy machine (issue 13). Writes issued while another is in flight are not
   * awaited, so a store keeps overlapping them under load.
   */
  readonly awaited?: boolean;
}

/**
 * A durable store. Implementations: `MemoryStorage` (core, for tests and the simulator) and
 * `SqliteStorage` (@synod/storage-sqlite). Every implementation must pass the conformance suite
 * in `@synod/core/testing`.
 *
 * Failure is sticky: once `write` rejects, every later `write` rejects too, and the node stops
 * acknowledging anything (it fails closed).
 */
export interface Storage {
  /** Read the whole state; called once, before the first write. */
  load(): Promise<PersistentState>;
  /**
   * Make `batch` durable atomically, then resolve. May be called again before an earlier call
   * resolved: batches are applied, and their calls resolve, in call order (a store may commit
   * several in one transaction). Once one fails, every later one fails too.
   */
  write(batch: StorageBatch, hint?: WriteHint): Promise<void>;
  /**
   * Up to `max` decisions (at least one, if any) with slots `from` or above, in slot order,
   * holding at most `maxBytes` of values (the first one whatever its size): what the table of
   * decisions holds now, after every write issued before this call. Not necessarily
   * consecutive (a skip's voided slots may have none). `from` beyond the last decision gives [];
   * arguments that are not whole numbers (`from` >= 0, `max` >= 1, `maxBytes` >= 0) reject with
   * InvalidReadError. A read does not make the store fail closed.
   */
  readDecisions(from: Slot, max: number, maxBytes: number): Promise<Decided[]>;
  /**
   * The acceptor's pvalues at slots `from` .. `to` - 1 (those at or above the watermark, as
   * `load` returns them), in slot order, after every write issued before this call; [] where
   * there are none. Arguments that are not whole numbers with 0 <= from <= to reject with
   * InvalidReadError. A read does not make the store fail closed.
   */
  readAccepted(from: Slot, to: Slot): Promise<PValue[]>;
  /** Small named values kept beside the protocol state (identity key, log id, peer name). */
  getMeta(key: string): Promise<Uint8Array | undefined>;
  setMeta(key: string, value: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Throw InvalidReadError unless readDecisions' arguments are whole numbers in range. */
export function checkReadDecisions(from: Slot, max: number, maxBytes: number): void {
  const whole = (n: number, min: number) => Number.isSafeInteger(n) && n >= min;
  if (!whole(from, 0) || !whole(max, 1) || !whole(maxBytes, 0))
    throw new InvalidReadError(
      `readDecisions(${String(from)}, ${String(max)}, ${String(maxBytes)}): from >= 0, max >= 1 and maxBytes >= 0 must be whole numbers`,
    );
}

/** Throw InvalidReadError unless readAccepted's arguments are whole numbers, 0 <= from <= to. */
export function checkReadAccepted(from: Slot, to: Slot): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from)
    throw new InvalidReadError(
      `readAccepted(${String(from)}, ${String(to)}): 0 <= from <= to must be whole numbers`,
    );
}

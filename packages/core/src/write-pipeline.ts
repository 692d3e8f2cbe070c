/**
 * The driver's side of persist-before-send with pipelined writes (DESIGN.md §2; etcd-raft's
 * asynchronous storage writes). Each Ready's write is numbered; writes complete in the order
 * they were issued. The messages of a Ready that depend on its write (or, when it has none, on
 * the newest write still in flight) are held here and released when that write completes, so
 * one turn can run while earlier writes are still being made durable.
 *
 * The Runtime and the simulator both drive their RawNode through this, so the simulator checks
 * exactly the ordering the Runtime relies on.
 */
import type { Envelope } from './messages.js';
import type { Ready } from './raw-node.js';

export class WritePipeline {
  /** The writes issued and not yet released, oldest first; `done` once the store said so. */
  private readonly inflight: { id: number; done: boolean }[] = [];
  private readonly held: { id: number; envelopes: readonly Envelope[] }[] = [];

  constructor(
    /** The most writes in flight at once; beyond it, Readies hand out no write (`canWrite`). */
    readonly maxInFlight: number,
  ) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
      throw new RangeError(`maxInFlight must be an integer >= 1, got ${maxInFlight}`);
  }

  /** Whether the next Ready may carry a write. */
  get canWrite(): boolean {
    return this.inflight.length < this.maxInFlight;
  }

  /** How many writes are in flight. */
  get size(): number {
    return this.inflight.length;
  }

  /**
   * Take a Ready: register its write (the caller starts it, after every earlier one) and hold
   * the messages that wait for a write. Returns the id of its write, or 0 when it has none.
   */
  accept(rd: Ready): number {
    if (rd.persist !== null) {
      const last = this.inflight[this.inflight.length - 1]?.id ?? 0;
      if (rd.writeId <= last) throw new Error(`write ${rd.writeId} issued after write ${last}`);
      this.inflight.push({ id: rd.writeId, done: false });
    }
    if (rd.afterPersist.length > 0) this.held.push({ id: rd.writeId, envelopes: rd.afterPersist });
    return rd.persist === null ? 0 : rd.writeId;
  }

  /**
   * The store finished write `id`. A write counts as durable only once every earlier one is
   * too (a store should finish them in order; this holds even if one does not). Returns the
   * newest write now durable (0: none yet) and the messages now free to leave, in order.
   */
  completed(id: number): { durable: number; envelopes: Envelope[] } {
    const w = this.inflight.find((x) => x.id === id);
    if (w === undefined) throw new Error(`write ${id} is not in flight`);
    w.done = true;
    let durable = 0;
    while (this.inflight.length > 0 && this.inflight[0]!.done) durable = this.inflight.shift()!.id;
    const envelopes: Envelope[] = [];
    if (durable > 0) {
      while (this.held.length > 0 && this.held[0]!.id <= durable)
        envelopes.push(...this.held.shift()!.envelopes);
    }
    return { durable, envelopes };
  }

  /** Forget everything (the node crashed or stopped: nothing held may leave any more). */
  clear(): void {
    this.inflight.length = 0;
    this.held.length = 0;
  }
}

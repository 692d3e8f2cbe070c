/**
 * Reads of storage while the node runs: effects, like writes. A role asks for one through
 * NodeContext.read and gets its id; RawNode hands the reads out in the Ready (`fetches`); the
 * driver performs each and steps its answer back in (RawNode.decisionsRead, acceptedRead),
 * with the id. As etcd-raft and openraft make every effect an output. A read lost in a crash
 * is never answered: whoever asked copes (the peer that wanted it asks again).
 *
 * Why reads at all (issue 13): decisions and the acceptor's pvalues leave memory once their
 * slots are applied and durable here, so that a decided value dies young in V8's heap. What a
 * peer still keeps of them (the log below the snapshot for catch-up, the pvalues above the
 * watermark for P1b) is then read from storage when asked for, which is rare.
 */
import type { Slot } from './types.js';

/** A read to perform: `Storage.readDecisions` or `Storage.readAccepted`, answered by `id`. */
export type StorageRead =
  | {
      readonly id: number;
      readonly kind: 'decisions';
      readonly from: Slot;
      readonly max: number;
      readonly maxBytes: number;
    }
  | { readonly id: number; readonly kind: 'accepted'; readonly from: Slot; readonly to: Slot };

type Ask<T> = T extends unknown ? Omit<T, 'id'> : never;
export type StorageReadRequest = Ask<StorageRead>;

/** The reads asked for in a turn, numbered over the node's life (one id space for all kinds). */
export class StorageReads {
  private last = 0;
  private pending: StorageRead[] = [];

  ask(r: StorageReadRequest): number {
    const id = ++this.last;
    this.pending.push({ ...r, id });
    return id;
  }

  take(): StorageRead[] {
    const out = this.pending;
    if (out.length > 0) this.pending = [];
    return out;
  }
}

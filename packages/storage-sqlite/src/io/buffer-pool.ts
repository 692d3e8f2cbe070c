/**
 * Buffers for the batches sent to the storage worker, reused: the worker hands each one back
 * with its answer, once the batch is written. Without reuse every write allocates its buffer
 * anew, and the transferred buffers wait in the worker for its garbage collector (tens of MB of
 * RSS under load).
 */
import type { Buffers } from '../codec/codec.js';

/** New buffers are at least this big, so that most batches never grow one. */
const MIN_BYTES = 64 * 1024;
/** The pool keeps at most this many bytes; larger buffers are left to the collector. */
const MAX_POOLED_BYTES = 8 * 1024 * 1024;

export class BufferPool implements Buffers {
  private readonly free: ArrayBuffer[] = [];
  private pooled = 0;

  take(min: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.byteLength >= min && (best < 0 || b.byteLength < this.free[best]!.byteLength)) best = i;
    }
    if (best < 0) return new ArrayBuffer(Math.max(MIN_BYTES, min));
    const [b] = this.free.splice(best, 1);
    this.pooled -= b!.byteLength;
    return b!;
  }

  give(b: ArrayBuffer): void {
    if (b.byteLength === 0 || this.pooled + b.byteLength > MAX_POOLED_BYTES) return;
    this.free.push(b);
    this.pooled += b.byteLength;
  }
}

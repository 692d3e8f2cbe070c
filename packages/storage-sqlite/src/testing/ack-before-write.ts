/**
 * A deliberately broken Storage, for one purpose: to show that the crash test catches a store
 * that acknowledges before its data is durable. `write` resolves at once and the real write
 * runs a few milliseconds later, so a node sends its P1b/P2b before the promise or vote is on
 * disk (the one rule whose violation loses data, DESIGN.md §2). Never use it for anything else.
 */
import type { Decided, PersistentState, PValue, Storage, StorageBatch } from '@synod/core';

export class AckBeforeWriteStorage implements Storage {
  private queue: StorageBatch[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly inner: Storage,
    private readonly delayMs = 5,
  ) {}

  load(): Promise<PersistentState> {
    return this.inner.load();
  }

  write(batch: StorageBatch): Promise<void> {
    this.queue.push(batch);
    this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
    return Promise.resolve();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const batches = this.queue;
    this.queue = [];
    for (const b of batches) await this.inner.write(b);
  }

  readDecisions(from: number, max: number, maxBytes: number): Promise<Decided[]> {
    return this.inner.readDecisions(from, max, maxBytes);
  }

  readAccepted(from: number, to: number): Promise<PValue[]> {
    return this.inner.readAccepted(from, to);
  }

  getMeta(key: string): Promise<Uint8Array | undefined> {
    return this.inner.getMeta(key);
  }

  setMeta(key: string, value: Uint8Array): Promise<void> {
    return this.inner.setMeta(key, value);
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.flush();
    await this.inner.close();
  }
}

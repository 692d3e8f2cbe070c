/**
 * The writes this page made, in order: they go out one at a time, each with a long timeout, so
 * that without a majority they wait (and are shown as pending) and commit when it returns. A
 * failed write stays listed, with its error, until dismissed.
 */

import { errorText, mayStillCommit } from './format.js';

/** Writes wait this long for a majority (they are pending meanwhile). */
export const WRITE_TIMEOUT_MS = 86_400_000;

export interface PendingWrite {
  readonly seq: number;
  readonly label: string;
  /** The entry it changes (null: a new entry, or not about an entry). */
  readonly entry: number | null;
  readonly kind: 'append' | 'other';
  state: 'queued' | 'sent' | 'failed';
  error?: string;
  /** Failed, but it may still be decided (format.ts mayStillCommit). */
  maybe?: boolean;
}

interface Queued extends PendingWrite {
  run(): Promise<void>;
}

export class WriteQueue {
  private queue: Queued[] = [];
  private writing = false;
  private seq = 0;

  /** @param changed called whenever the list of pending writes changes. */
  constructor(private readonly changed: () => void) {}

  get pending(): readonly PendingWrite[] {
    return this.queue;
  }

  /** Writes not failed: still to commit. */
  get waiting(): number {
    return this.queue.filter((w) => w.state !== 'failed').length;
  }

  /** Queue a write; it runs after every write queued before it. */
  add(
    label: string,
    entry: number | null,
    run: () => Promise<void>,
    kind: PendingWrite['kind'] = 'other',
  ): void {
    this.queue.push({ seq: ++this.seq, label, entry, kind, state: 'queued', run });
    this.changed();
    void this.pump();
  }

  dismiss(w: PendingWrite): void {
    this.queue = this.queue.filter((x) => x !== w);
    this.changed();
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (;;) {
        const w = this.queue.find((p) => p.state === 'queued');
        if (w === undefined) return;
        w.state = 'sent';
        this.changed();
        try {
          await w.run();
          this.queue = this.queue.filter((p) => p !== w);
        } catch (err) {
          w.state = 'failed';
          w.error = errorText(err);
          w.maybe = mayStillCommit(err);
        }
        this.changed();
      }
    } finally {
      this.writing = false;
    }
  }
}

/**
 * The connection on the caller's thread (`io: 'inline'`, the default). better-sqlite3 is synchronous, so a
 * transaction and its fsync block the event loop while they run.
 *
 * Requests wait for the next turn of the event loop (setImmediate) and then run together: what
 * the caller queued before a write (a leader's P2a to the other acceptors, say) reaches the
 * sockets before the thread blocks, so the other acceptors sync in parallel with this one (as
 * etcd's leader appends to its log while it replicates, Raft thesis §10.2.1), and writes issued
 * in one turn share one transaction. Nothing that depends on a write is sent before it
 * completes, so persist-before-send holds.
 */
import type { ResolvedOptions } from '../options.js';
import { SqliteFile } from '../sqlite-file.js';
import { StoreRunner, type StoreRequest, type StoreValue } from '../store-runner.js';
import type { StoreIo } from './store-io.js';

interface Waiting {
  readonly request: StoreRequest;
  resolve(v: StoreValue): void;
  reject(e: Error): void;
}

export class InlineIo implements StoreIo {
  private readonly file: SqliteFile;
  private readonly runner: StoreRunner;
  private queue: Waiting[] = [];
  private scheduled = false;

  /** Opens the file at once; throws its typed errors. */
  constructor(path: string, opts: ResolvedOptions) {
    this.file = new SqliteFile(path, opts);
    this.runner = new StoreRunner(this.file);
  }

  get facts() {
    return this.file.facts;
  }

  submit(request: StoreRequest): Promise<StoreValue> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  pageCount(): number {
    return this.runner.isClosed ? NaN : this.file.pageCount();
  }

  commits(): number {
    return this.runner.commits;
  }

  async close(): Promise<void> {
    await this.submit({ op: 'close' });
  }

  private flush(): void {
    this.scheduled = false;
    const waiting = this.queue;
    this.queue = [];
    const outcomes = this.runner.run(waiting.map((w) => w.request));
    waiting.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  }
}

/**
 * The connection on a worker thread (`io: 'worker'`): the caller's event loop
 * never blocks on the disk, so a peer keeps receiving, stepping and sending while its writes
 * sync. Requests are posted to the worker as they are issued and answered in order; the worker
 * commits whatever writes arrived while it was busy in one transaction.
 *
 * The worker keeps the process alive only while a request is outstanding, as an open file
 * would not.
 */
import { Worker } from 'node:worker_threads';
import { StorageFailedError } from '@synod/core';
import type { ResolvedOptions } from '../options.js';
import type { FileFacts } from '../sqlite-file.js';
import { batchCodec } from '../codec/batch-codec.js';
import { encode } from '../codec/codec.js';
import type { StoreRequest, StoreValue } from '../store-runner.js';
import { errorFromWire, packBytes } from '../wire.js';
import { BufferPool } from './buffer-pool.js';
import type { StoreIo } from './store-io.js';
import type { WireRequest, WorkerReply, WorkerStart } from './worker-protocol.js';

/** From src/io or dist/io alike: the compiled worker. */
const WORKER_URL = new URL('../../dist/sqlite-worker.js', import.meta.url);

/**
 * The parent's Node options minus `--input-type` (a script run with `node --input-type=module
 * -e ...` passes it on, and a worker started from a file refuses it).
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--input-type') i++;
    else if (!argv[i]!.startsWith('--input-type=')) out.push(argv[i]!);
  }
  return out;
}

interface Waiting {
  resolve(v: StoreValue): void;
  reject(e: Error): void;
}

export class WorkerIo implements StoreIo {
  private readonly waiting: Waiting[] = [];
  private readonly buffers = new BufferPool();
  private latestPageCount: number;
  private latestCommits = 0;
  /** Set once the worker is gone unasked: every request after it fails. */
  private broken: Error | undefined;
  /** Once closing, the thread keeps the process alive until it is gone. */
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly facts: FileFacts,
  ) {
    this.latestPageCount = facts.info.pageCount;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: WorkerReply) => this.onReply(m));
    worker.on('error', (e) => this.breakDown(e));
    worker.on('exit', (code) => this.breakDown(new Error(`the storage worker exited (${code})`)));
    worker.unref();
  }

  /** Start a worker and open the file in it; rejects with the open's typed error. */
  static open(path: string, opts: ResolvedOptions): Promise<WorkerIo> {
    const start: WorkerStart = { path, opts };
    const worker = new Worker(WORKER_URL, { workerData: start, execArgv: workerExecArgv() });
    return new Promise((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new StorageFailedError(`the storage worker exited while opening (${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (m: WorkerReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (m.kind === 'opened') resolve(new WorkerIo(worker, m.facts));
        else if (m.kind === 'open-failed') reject(errorFromWire(m.error));
        else reject(new Error(`the storage worker answered ${m.kind} before opening`));
      });
    });
  }

  submit(request: StoreRequest): Promise<StoreValue> {
    if (this.broken !== undefined) {
      return Promise.reject(
        new StorageFailedError(`the storage worker stopped: ${this.broken.message}`, {
          cause: this.broken,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const { message, transfer } = toWire(request, this.buffers);
      if (this.waiting.length === 0) this.worker.ref();
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  pageCount(): number {
    return this.latestPageCount;
  }

  commits(): number {
    return this.latestCommits;
  }

  async close(): Promise<void> {
    // Keep the process alive until the thread is gone, so that `await close()` returns.
    this.closing = true;
    this.worker.ref();
    await this.submit({ op: 'close' });
    await this.exited;
  }

  private onReply(m: WorkerReply): void {
    if (m.kind !== 'done') return;
    for (const b of m.returned) this.buffers.give(b);
    this.latestPageCount = m.pageCount;
    this.latestCommits = m.commits;
    for (const o of m.outcomes) {
      const w = this.waiting.shift();
      if (w === undefined) break;
      if (o.ok) w.resolve(o.value);
      else w.reject(errorFromWire(o.error));
    }
    if (this.waiting.length === 0 && !this.closing) this.worker.unref();
  }

  private breakDown(e: Error): void {
    this.broken ??= e;
    const err = new StorageFailedError(`the storage worker stopped: ${e.message}`, { cause: e });
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}

/** A write's batch as one encoded buffer, handed over; anything else with its bytes packed. */
function toWire(
  r: StoreRequest,
  buffers: BufferPool,
): { message: WireRequest; transfer: ArrayBuffer[] } {
  if (r.op === 'write') {
    const encoded = encode(batchCodec, r.batch, buffers);
    return { message: { op: 'write', encoded }, transfer: [encoded.buffer as ArrayBuffer] };
  }
  const packed = packBytes(r);
  return { message: packed.value, transfer: packed.transfer };
}

/** The messages between SqliteStorage (worker-io.ts) and its worker (sqlite-worker.ts). */
import type { ResolvedOptions } from '../options.js';
import type { FileFacts } from '../sqlite-file.js';
import type { StoreRequest, StoreValue } from '../store-runner.js';
import type { WireError } from '../wire.js';

export interface WorkerStart {
  readonly path: string;
  readonly opts: ResolvedOptions;
}

/** A request as posted: a write's batch encoded by codec/batch-codec.ts, the rest as they are. */
export type WireRequest =
  Exclude<StoreRequest, { op: 'write' }> | { readonly op: 'write'; readonly encoded: Uint8Array };

export type WireOutcome =
  | { readonly ok: true; readonly value?: StoreValue }
  | { readonly ok: false; readonly error: WireError };

/** From the worker: first `opened` or `open-failed`, then one `done` per run of requests. */
export type WorkerReply =
  | { readonly kind: 'opened'; readonly facts: FileFacts }
  | { readonly kind: 'open-failed'; readonly error: WireError }
  | {
      readonly kind: 'done';
      /** One per request, in the order they were sent. */
      readonly outcomes: readonly WireOutcome[];
      readonly pageCount: number;
      readonly commits: number;
      /** The buffers of the writes done, handed back for reuse (buffer-pool.ts). */
      readonly returned: readonly ArrayBuffer[];
    };

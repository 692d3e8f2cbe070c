/**
 * How SqliteStorage reaches its connection: inline on the caller's thread (the default), or on
 * a worker thread (the event loop never blocks on the disk). Either way requests complete in
 * the order they were issued, and writes issued while earlier ones are in flight are committed
 * together (store-runner.ts).
 */
import type { FileFacts } from '../sqlite-file.js';
import type { StoreRequest, StoreValue } from '../store-runner.js';

export interface StoreIo {
  /** What the opener learnt about the file. */
  readonly facts: FileFacts;
  /** Queue `request` behind every earlier one; settles when it has run. */
  submit(request: StoreRequest): Promise<StoreValue>;
  /** The file's page count after the newest write that has completed. */
  pageCount(): number;
  /** Transactions committed so far (each one fsync in the default durability). */
  commits(): number;
  /** Run a `close` behind every earlier request, then let go of the thread, if any. */
  close(): Promise<void>;
}

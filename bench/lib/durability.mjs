// How the storage makes a write durable, in the words the reports print: one place, so a change
// of storage-sqlite's default io changes every report (options.ts and split-io.ts say why).
import { DEFAULT_IO } from '@synod/storage-sqlite';

/** @param {string} io a storage io: `split`, `inline` or `worker` */
export const ioDurability = (io) =>
  io === 'split'
    ? "synchronous=NORMAL, the WAL fdatasynced on libuv's pool before a write resolves"
    : 'synchronous=FULL, the fsync inside the transaction';

/** The default storage, as the Method lines say it. */
export const DEFAULT_STORAGE = `SQLite WAL, io ${DEFAULT_IO}: ${ioDurability(DEFAULT_IO)}`;

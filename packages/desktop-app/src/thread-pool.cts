/**
 * Required first by each entry point that runs a peer (bin/synod.cjs, electron/boot.cts), before
 * anything else: libuv's thread pool, shared by the whole process, is 4 threads unless
 * UV_THREADPOOL_SIZE says otherwise, and every log of a host syncs its WAL there (storage-sqlite's
 * `io: 'split'`, one fdatasync in flight per log). Four logs on a slow disk then hold every thread
 * and a log on a fast one waits behind them in the pool's queue: bench/fsync-pool.mjs, 8 such logs,
 * the fast log's write p50 3.13 ms with 4 threads against 0.154 ms with 64 (bench/REPORT.md,
 * fsync-pool 2026-12-05T04:30). libuv reads the variable once, when the pool first starts, and
 * an ES module entry is too late for that: Node's ES module loader has used the pool to read it.
 * Hence a CommonJS file, required before the entry's first import. A size the user set is kept.
 */
process.env.UV_THREADPOOL_SIZE ??= '64';

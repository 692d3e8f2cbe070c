/**
 * @synod/storage-sqlite: core's Storage on SQLite (better-sqlite3), one file per peer.
 *
 *   const storage = await openSqliteStorage('/var/lib/app/peer.db', { logId });
 *   const node = await startNode({ id, storage, transport, stateMachine });
 */
export { openSqliteStorage, SqliteStorage, type StorageInfo } from './sqlite-storage.js';
export type { Durability, SqliteStorageOptions, StorageIo } from './options.js';
export { DEFAULT_IO, DEFAULT_PAGE_CACHE_BYTES, DEFAULT_SNAPSHOT_CHUNK_BYTES } from './options.js';
export * from './errors.js';
export { SCHEMA_VERSION, APPLICATION_ID } from './migrations.js';

import { afterAll, describe, it } from 'vitest';
import type { Storage } from '@synod/core';
import { storageConformanceCases } from '@synod/core/testing';
import { openSqliteStorage, type SqliteStorage, type StorageIo } from '../src/index.js';
import { tempDir } from './tmp.js';

for (const io of ['worker', 'inline', 'split'] as const satisfies readonly StorageIo[]) {
  describe(`SqliteStorage conformance (io: ${io})`, () => {
    const tmp = tempDir();
    afterAll(() => tmp.remove());
    // Small chunks, so that every snapshot case spans several.
    const options = { logId: 'conformance', snapshotChunkBytes: 4096, io };
    const cases = storageConformanceCases({
      create: () => openSqliteStorage(tmp.file(), options),
      reopen: async (s: Storage) => {
        const path = (s as SqliteStorage).path;
        await s.close();
        return openSqliteStorage(path, options);
      },
      // A quota of 64 KiB (the schema takes most of it): a 1 MiB snapshot is a full disk.
      createFailing: async () => ({
        storage: await openSqliteStorage(tmp.file(), { ...options, maxDatabaseBytes: 64 * 1024 }),
        failingBatch: { snapshot: { slot: 1, data: new Uint8Array(1 << 20).fill(7) } },
      }),
    });
    for (const c of cases) it(c.name, c.run);
  });
}

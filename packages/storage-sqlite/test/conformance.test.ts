import { afterAll, describe, it } from 'vitest';
import type { Storage } from '@synod/core';
import { storageConformanceCases } from '@synod/core/testing';
import { openSqliteStorage, type SqliteStorage } from '../src/index.js';
import { tempDir } from './tmp.js';

describe('SqliteStorage conformance', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());
  const cases = storageConformanceCases({
    // Small chunks, so that every snapshot case spans several.
    create: () => openSqliteStorage(tmp.file(), { logId: 'conformance', snapshotChunkBytes: 4096 }),
    reopen: async (s: Storage) => {
      const path = (s as SqliteStorage).path;
      await s.close();
      return openSqliteStorage(path, { logId: 'conformance', snapshotChunkBytes: 4096 });
    },
  });
  for (const c of cases) it(c.name, c.run);
});

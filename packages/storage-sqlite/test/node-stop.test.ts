/**
 * SynodNode.stop() over a real SQLite file: every call resolves only once the store is closed,
 * so the same file can be opened again at once (its exclusive lock is let go), whichever call
 * the app awaited (a quit handler and a signal handler may both stop the node).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { initLog, MemoryNetwork, startNode } from '@synod/core';
import { encodeKv, KvStateMachine } from '@synod/core/testing';
import { openSqliteStorage } from '../src/index.js';
import { tempDir } from './tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('SynodNode.stop over SQLite', () => {
  for (const io of ['split', 'inline', 'worker'] as const) {
    it(`a second stop() made while the first runs resolves after the store is closed (io ${io})`, async () => {
      const path = tmp.file();
      const storage = await openSqliteStorage(path, { logId: 'l', io });
      await initLog(storage, 'a', new KvStateMachine());
      const node = await startNode({
        id: 'a',
        storage,
        transport: new MemoryNetwork().connect('a'),
        stateMachine: new KvStateMachine(),
      });
      await node.propose(encodeKv({ op: 'put', key: 'x', value: '1' }));
      // A write in flight when stop() is called: the first stop waits for it.
      const pending = node.propose(encodeKv({ op: 'put', key: 'x', value: '2' })).catch(() => 0);
      await new Promise((r) => setImmediate(r));
      const first = node.stop();
      await node.stop();
      // Restart at once on the same file: it must not be locked by the stopped node.
      const again = await openSqliteStorage(path, { logId: 'l', io });
      const node2 = await startNode({
        id: 'a',
        storage: again,
        transport: new MemoryNetwork().connect('a'),
        stateMachine: new KvStateMachine(),
      });
      expect(await node2.read((sm) => sm.get('x'))).toMatch(/^[12]$/);
      await node2.stop();
      await first;
      await pending;
    });
  }
});

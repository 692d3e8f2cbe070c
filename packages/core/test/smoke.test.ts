import { describe, expect, it } from 'vitest';
import { initLog, MemoryNetwork, MemoryStorage, startNode } from '../src/index.js';
import { decodeKvResult, encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';

describe('three nodes on a MemoryNetwork', () => {
  it('grow from one peer to three and commit', async () => {
    const net = new MemoryNetwork();
    const ids = ['a', 'b', 'c'];
    const storages = ids.map(() => new MemoryStorage());
    await initLog(storages[0]!, 'a', new KvStateMachine());
    const nodes = await Promise.all(
      ids.map((id, i) =>
        startNode({
          id,
          storage: storages[i]!,
          transport: net.connect(id),
          stateMachine: new KvStateMachine(),
        }),
      ),
    );
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    const r = await a.propose(encodeKv({ op: 'append', key: 'x', value: '1' }));
    expect(decodeKvResult(r)).toBe('1');
    await a.addPeer('b');
    await a.addPeer('c');
    expect(a.status().config?.acceptors).toEqual(['a', 'b', 'c']);
    const r2 = await b.propose(encodeKv({ op: 'append', key: 'x', value: '2' }));
    expect(decodeKvResult(r2)).toBe('12');
    const r3 = await c.propose(encodeKv({ op: 'append', key: 'x', value: '3' }));
    expect(decodeKvResult(r3)).toBe('123');
    expect(await b.read((sm) => sm.get('x'))).toBe('123');
    const many = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        nodes[i % 3]!.propose(encodeKv({ op: 'append', key: 'y', value: '.' })),
      ),
    );
    expect(many.length).toBe(200);
    expect(await c.read((sm) => sm.get('y'))).toHaveLength(200);
    for (const n of nodes) await n.stop();
  }, 20000);
});

/**
 * Catch-up from storage (issue 13): a peer's applied decisions leave memory once they are
 * durable, so a peer that was away is answered from a read of the SQLite file, by decisions
 * (not a snapshot) while the slots it lacks are retained there. Real files, three nodes over
 * MemoryNetwork.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  initLog,
  MemoryNetwork,
  startNode,
  type Message,
  type PeerId,
  type SynodNode,
  type Transport,
} from '@synod/core';
import { decodeKvResult, encodeKv, KvStateMachine, until } from '@synod/core/testing';
import { openSqliteStorage, type SqliteStorage } from '../src/index.js';
import { tempDir } from './tmp.js';

/** This file's waits are longer than until's default: real peers on a busy machine. */
const wait = (what: string, cond: () => boolean, ms = 20_000) => until(what, cond, ms);

const tmp = tempDir();
afterAll(() => tmp.remove());
type KvNode = SynodNode<KvStateMachine>;
const running: KvNode[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

const fast = {
  heartbeatIntervalMs: 20,
  electionTimeoutMs: 200,
  retransmitIntervalMs: 50,
  // No snapshot in this test: what c lacks can come only as decisions.
  snapshotInterval: 10_000,
};
const append = (key: string, value: string) => encodeKv({ op: 'append', key, value });

/** A transport that drops what `drop` picks and counts by type what it lets through to `to`. */
function observed(
  t: Transport,
  drop: (from: PeerId, to: PeerId) => boolean,
  seen: (to: PeerId, m: Message) => void,
): Transport {
  return {
    id: t.id,
    start: (handler) => t.start(handler),
    send: (to, messages) => {
      const kept = messages.filter(() => !drop(t.id, to));
      for (const m of kept) seen(to, m);
      return t.send(to, kept);
    },
    setMembers: (peers) => t.setMembers(peers),
    peers: () => t.peers(),
    stop: () => t.stop(),
  };
}

describe('catch-up from storage', () => {
  it('a peer behind by more than its peers hold in memory catches up by decisions read from their files', async () => {
    const ids = ['a', 'b', 'c'];
    const stores: SqliteStorage[] = [];
    let reads = 0;
    for (const id of ids) {
      const s = await openSqliteStorage(tmp.file(`${id}.db`));
      // Count the reads (the real store answers them).
      const read = s.readDecisions.bind(s);
      s.readDecisions = (from, max, maxBytes) => {
        reads++;
        return read(from, max, maxBytes);
      };
      stores.push(s);
    }
    await initLog(stores[0]!, 'a', new KvStateMachine());
    const net = new MemoryNetwork();
    let away = false;
    const toC = new Map<string, number>();
    const nodes: KvNode[] = [];
    for (const [i, id] of ids.entries()) {
      const n = await startNode({
        id,
        storage: stores[i]!,
        transport: observed(
          net.connect(id),
          (from, to) => away && (from === 'c' || to === 'c'),
          (to, m) => {
            if (to === 'c') toC.set(m.type, (toC.get(m.type) ?? 0) + 1);
          },
        ),
        stateMachine: new KvStateMachine(),
        protocol: fast,
      });
      running.push(n);
      nodes.push(n);
    }
    const [a, , c] = nodes as [KvNode, KvNode, KvNode];
    await a.addPeer('b');
    await a.addPeer('c');
    await wait('c initialized', () => c.status().initialized);

    // c is cut off while 300 appends are decided (in many slots) and leave a's and b's memory.
    away = true;
    for (let i = 0; i < 30; i++)
      await Promise.all(Array.from({ length: 10 }, (_, k) => a.propose(append('x', `${i}.${k};`))));
    expect(c.status().slotOut).toBeLessThan(a.status().slotOut - 20);

    toC.clear();
    reads = 0;
    away = false;
    await wait('c caught up', () => c.status().slotOut >= a.status().slotOut);
    expect(toC.get('snapshotChunk') ?? 0).toBe(0);
    expect(toC.get('catchupDecisions') ?? 0).toBeGreaterThan(0);
    expect(reads).toBeGreaterThan(0);
    const x = await a.read((sm) => sm.get('x'));
    expect(await c.read((sm) => sm.get('x'))).toBe(x);
    expect(decodeKvResult(await c.propose(append('x', '!')))).toBe(`${x}!`);
  });
});

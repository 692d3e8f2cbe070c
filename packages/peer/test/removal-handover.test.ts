/**
 * A peer removed by another member hands over before it stops (core `status().handover`), and
 * stop() waits for that, bounded (removal-handover.ts). First two real peers (SQLite files,
 * libp2p on 127.0.0.1, mDNS off); then core nodes on an in-memory network whose links drop the
 * answers the hand-over waits for, to see the bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initLog, MemoryNetwork, MemoryStorage, startNode, type SynodNode } from '@synod/core';
import { KvStateMachine, until } from '@synod/core/testing';
import { awaitRemovalHandover, createPeer, type Peer } from '../src/index.js';

/** This file's waits are longer than until's default: real peers on a busy machine. */
const wait = (what: string, cond: () => boolean, ms = 30_000) => until(what, cond, ms);

const root = mkdtempSync(join(tmpdir(), 'synod-peer-removed-'));
const running = new Set<{ stop(): Promise<void> }>();
afterAll(async () => {
  await Promise.all([...running].map((p) => p.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function peer(name: string, join_?: string): Promise<Peer<KvStateMachine>> {
  const p = await createPeer({
    dataDir: join(root, name),
    stateMachine: new KvStateMachine(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    ...(join_ !== undefined ? { join: join_ } : {}),
  });
  running.add(p);
  return p;
}

describe('a peer removed by another member', () => {
  it('shows its hand-over in status, and has handed over once stop() returns', async () => {
    const a = await peer('a');
    const b = await peer('b', (await a.invite()).text);
    await wait('b initialized', () => b.node.status().initialized);
    await a.node.removePeer(b.id);
    await wait('b removed', () => b.node.status().removed);
    const start = b.node.status().handover?.start;
    expect(start).toBe(a.node.status().config!.start);
    await b.stop();
    running.delete(b);
    // Done before the stop (nothing to wait for), or during it.
    expect(b.node.status().handover).toEqual({ start, done: true });
    expect(b.removalHandover?.kind ?? 'done').toBe('done');
  }, 60_000);

  it('awaitRemovalHandover waits for a pending hand-over at most its bound, then says why stopping is a risk', async () => {
    // a removes b; once b is removed, a's catch-up answers (what the hand-over waits for) are
    // dropped until `starve` is cleared.
    let starve = true;
    const net = new MemoryNetwork();
    const storages = { a: new MemoryStorage(), b: new MemoryStorage() };
    await initLog(storages.a, 'a', new KvStateMachine());
    const nodes: SynodNode<KvStateMachine>[] = [];
    net.dropWhere(
      (from, _to, m) =>
        starve && from === 'a' && m.type === 'catchupDecisions' && nodes[1]!.status().removed,
    );
    for (const id of ['a', 'b'] as const) {
      const n = await startNode({
        id,
        storage: storages[id],
        transport: net.connect(id),
        stateMachine: new KvStateMachine(),
        protocol: { heartbeatIntervalMs: 20, electionTimeoutMs: 2000, retransmitIntervalMs: 50 },
      });
      running.add(n);
      nodes.push(n);
    }
    const [a, b] = nodes as [SynodNode<KvStateMachine>, SynodNode<KvStateMachine>];
    await a.addPeer('b');
    await wait('b initialized', () => b.status().initialized);
    await a.removePeer('b');
    await wait('b removed', () => b.status().removed);
    const start = b.status().handover!.start;

    const pending = await awaitRemovalHandover(b, 300);
    expect(pending).toMatchObject({ kind: 'pending', start });
    expect(pending!.ms).toBeGreaterThanOrEqual(290);
    expect(pending!.line).toMatch(/cannot learn them again without this peer/);

    starve = false;
    const done = await awaitRemovalHandover(b, 10_000);
    expect(done).toMatchObject({ kind: 'done', start });
    // Nothing pending any more.
    expect(await awaitRemovalHandover(b, 10_000)).toBeUndefined();
  });
});

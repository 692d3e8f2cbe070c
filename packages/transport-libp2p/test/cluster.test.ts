import { afterAll, describe, expect, it } from 'vitest';
import { ChildPeer, FIXTURES } from './child.js';

/**
 * Three processes, each running core's startNode with MemoryStorage, the libp2p transport (on
 * 127.0.0.1, mDNS off) and a KvStateMachine. Peer 0 creates the log; peers 1 and 2 join it with
 * invites, the way the desktop app will; then every peer commits commands.
 */
describe('a 3-process cluster over libp2p', () => {
  const peers: ChildPeer[] = [];
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
  });

  it('grows from one peer to three through invites and commits commands from every peer', async () => {
    for (let i = 0; i < 3; i++) peers.push(new ChildPeer(['node', `${FIXTURES}cluster-peer.mjs`]));
    const ids = (await Promise.all(peers.map((p) => p.ready))).map((r) => r.id as string);
    const [a, b, c] = peers as [ChildPeer, ChildPeer, ChildPeer];

    await a.request('start', { init: true });
    await b.request('start', { init: false });
    await c.request('start', { init: false });

    for (const joiner of [b, c]) {
      const { text } = await a.request('invite');
      const joined = await joiner.request('join', { invite: text }, 60_000);
      expect(joined.members).toContain(ids[0]);
    }
    const status = await a.request('status');
    expect((status.config as { acceptors: string[] }).acceptors.sort()).toEqual([...ids].sort());

    // Every peer proposes; the commands commit in one order everywhere.
    const results = await Promise.all(
      peers.map((p, i) => p.request('propose', { key: 'x', count: 10, tag: 'p' + i }, 60_000)),
    );
    for (const r of results) expect((r.results as string[]).length).toBe(10);
    const values = await Promise.all(peers.map((p) => p.request('read', { key: 'x' })));
    const v = values[0]!.value as string;
    expect(v.split(',').filter(Boolean)).toHaveLength(30);
    for (const other of values) expect(other.value).toBe(v);
    for (let i = 0; i < 3; i++) {
      for (let k = 0; k < 10; k++) expect(v).toContain(`p${i}${k},`);
    }

    // Every link is up and measured, within 30 s: the two joiners dial each other on their own
    // once they learn of each other, which on a loaded machine can come after the commands
    // (a full run at load 12 saw 1 of 2 links on one peer when asked at once).
    type Link = { peer: string; connected: boolean; rttMs: number | null };
    const deadline = Date.now() + 30_000;
    for (const p of peers) {
      let links: Link[];
      for (;;) {
        links = (await p.request('status')).links as Link[];
        const up = links.filter((l) => l.connected).length === 2;
        if ((up && links.every((l) => l.rttMs !== null)) || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(links.filter((l) => l.connected)).toHaveLength(2);
      for (const l of links) expect(l.rttMs).not.toBeNull();
    }
  }, 120_000);
});

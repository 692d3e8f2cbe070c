import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { DiscoveredPeers, MAX_DISCOVERED } from '../src/discovered-peers.js';
import { createTransportHost, generateIdentity } from '../src/index.js';
import { LOOPBACK } from './helpers.js';

/** The list of a host's discovered peers, on a clock the test moves (mdns.test.ts runs it live). */
describe('DiscoveredPeers', () => {
  const clock = () => {
    const c = { t: 1_000_000, now: () => c.t };
    return c;
  };

  it('drops a peer not seen again within the bound, unless it is connected', () => {
    const c = clock();
    const d = new DiscoveredPeers(1500, 1024, c.now);
    d.note('a', ['/ip4/10.0.0.1/tcp/1']);
    d.note('b', ['/ip4/10.0.0.2/tcp/1']);
    d.connect('b');
    c.t += 1000;
    d.note('a', ['/ip4/10.0.0.1/tcp/1']);
    c.t += 1000;
    // a was re-announced 1 s ago; b was last announced 2 s ago but is connected: listed as now.
    expect(new Map(d.list().map((p) => [p.peer, p.lastSeen]))).toEqual(
      new Map([
        ['a', c.t - 1000],
        ['b', c.t],
      ]),
    );
    c.t += 1000;
    expect(d.list().map((p) => p.peer)).toEqual(['b']);
    // Its connection closed and nothing announced it within the bound: gone at once.
    d.disconnect('b');
    expect(d.list()).toEqual([]);
    expect(d.size).toBe(0);
  });

  it('keeps at most `max` entries, the least recently seen going first', () => {
    const c = clock();
    const d = new DiscoveredPeers(60_000, 100, c.now);
    d.note('kept', []);
    d.connect('kept');
    for (let i = 0; i < 10_000; i++) {
      c.t += 1;
      d.note(`p${i}`, []);
    }
    expect(d.size).toBe(100);
    const listed = d.list().map((p) => p.peer);
    expect(listed).toContain('kept');
    expect(listed).toContain('p9999');
    expect(listed).not.toContain('p0');
  });

  it('a host lists at most MAX_DISCOVERED peers, however many addresses it is given', async () => {
    const host = await createTransportHost({
      identity: await generateIdentity(),
      listen: LOOPBACK,
      mdns: false,
    });
    try {
      for (let i = 0; i < MAX_DISCOVERED + 200; i++) {
        const id = peerIdFromPrivateKey(await generateIdentity()).toString();
        await host.addPeerAddress(`/ip4/10.9.${i >> 8}.${i & 255}/tcp/4001/p2p/${id}`);
      }
      expect(host.discoveredPeers().length).toBe(MAX_DISCOVERED);
    } finally {
      await host.stop();
    }
  }, 60_000);
});

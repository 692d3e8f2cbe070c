/**
 * A peer listening on port 0 (the default) listens on last run's port when it restarts, so that
 * members that keep its address reach it again. Two members that both restarted, off mDNS, link
 * to each other again, not only to a third. Real libp2p on 127.0.0.1.
 */
import { createServer } from 'node:net';
import { MemoryStorage } from '@synod/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransportHost, type Libp2pTransport, type TransportHost } from '../src/index.js';
import { LOOPBACK, loopbackTransport, waitFor } from './helpers.js';

let open: (Libp2pTransport | TransportHost)[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.stop()));
  open = [];
});

const portOf = (addrs: string[]) => Number(/\/tcp\/(\d+)\//.exec(addrs[0]!)![1]);

async function host(storage: MemoryStorage): Promise<TransportHost> {
  const h = await createTransportHost({ storage, listen: LOOPBACK, mdns: false });
  open.push(h);
  return h;
}

describe('listening on port 0', () => {
  it('takes last run’s port again, or a free one when it is taken', async () => {
    const storage = new MemoryStorage();
    const first = await host(storage);
    const port = portOf(first.multiaddrs());
    await first.stop();
    const second = await host(storage);
    expect(portOf(second.multiaddrs())).toBe(port);
    await second.stop();

    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const third = await host(storage);
      expect(portOf(third.multiaddrs())).not.toBe(port);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('two members that both restarted link to each other again', async () => {
    const stores = [new MemoryStorage(), new MemoryStorage(), new MemoryStorage()];
    const start = async (store: MemoryStorage) => {
      const t = await loopbackTransport({ storage: store, logId: 'log-1' });
      open.push(t);
      await t.start(() => undefined);
      return t;
    };
    const [a, b, c] = await Promise.all(stores.map(start));
    const ids = [a!.id, b!.id, c!.id];
    for (const t of [a!, b!, c!]) {
      t.setMembers(ids);
      for (const u of [a!, b!, c!]) if (u !== t) await t.addPeerAddress(u.multiaddrs()[0]!);
    }
    const linked = (t: Libp2pTransport, to: string) => () =>
      t.peers().some((p) => p.peer === to && p.connected);
    await waitFor(linked(a!, c!.id), 'a linked to c');
    // a and c keep each other's address (saved within a second of learning it).
    const keeps = async (store: MemoryStorage, peer: string) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const raw = await store.getMeta('transport.libp2p.addresses');
        if (raw !== undefined && new TextDecoder().decode(raw).includes(peer)) return;
        if (Date.now() > deadline) throw new Error(`the address of ${peer} was not kept`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await keeps(stores[0]!, c!.id);
    await keeps(stores[2]!, a!.id);

    await Promise.all([a!.stop(), c!.stop()]);
    const [a2, c2] = await Promise.all([start(stores[0]!), start(stores[2]!)]);
    a2.setMembers(ids);
    c2.setMembers(ids);
    await waitFor(linked(a2, b!.id), 'the restarted a linked to b', 15_000);
    await waitFor(linked(a2, c2.id), 'the restarted a linked to the restarted c', 15_000);
  }, 40_000);
});

/**
 * A member that goes away and comes back, with the same identity on another port, is heard and
 * reached again by the members that stayed up (real libp2p on 127.0.0.1).
 */
import type { Message, PeerId } from '@synod/core';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, type Libp2pTransport } from '../src/index.js';
import { loopbackTransport, waitFor } from './helpers.js';

const open: Libp2pTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.stop()));
});

async function started(t: Libp2pTransport): Promise<{ from: PeerId; messages: Message[] }[]> {
  open.push(t);
  const got: { from: PeerId; messages: Message[] }[] = [];
  await t.start((from, messages) => got.push({ from, messages: [...messages] }));
  return got;
}

/** Send `n` numbered messages until one arrives; returns the ids that arrived. */
async function exchange(
  from: Libp2pTransport,
  to: PeerId,
  got: { from: PeerId; messages: Message[] }[],
  what: string,
): Promise<void> {
  let id = 1000;
  await waitFor(
    () => {
      from.send(to, [{ type: 'readIndexReq', id: ++id }]);
      return got.some((d) => d.from === from.id);
    },
    what,
    15_000,
  );
}

describe('a member that restarts elsewhere', () => {
  for (const who of ['dialer', 'listener'] as const) {
    it(`is reached again after it comes back on a new port (it knows the other's address: ${who})`, async () => {
      const a = await loopbackTransport();
      const keyB = await generateIdentity();
      let b = await loopbackTransport({ identity: keyB });
      const gotA = await started(a);
      let gotB = await started(b);
      a.setMembers([a.id, b.id]);
      b.setMembers([a.id, b.id]);
      await a.addPeerAddress(b.multiaddrs()[0]!);
      await b.addPeerAddress(a.multiaddrs()[0]!);
      await exchange(a, b.id, gotB, 'a -> b');
      await exchange(b, a.id, gotA, 'b -> a');

      // b goes away and comes back on another port with the same identity.
      const bId = b.id;
      const oldAddr = b.multiaddrs()[0]!;
      await b.stop();
      open.splice(open.indexOf(b), 1);
      // a has seen the old connection close: the new b must be dialled or heard afresh.
      await waitFor(
        () => a.peers().find((l) => l.peer === bId)?.connected !== true,
        'a to see b gone',
      );
      b = await loopbackTransport({ identity: keyB });
      expect(b.id).toBe(bId);
      expect(b.multiaddrs()[0]).not.toBe(oldAddr);
      gotB = await started(b);
      b.setMembers([a.id, b.id]);
      gotA.length = 0;
      // Only one side learns the other's new address.
      if (who === 'dialer') await b.addPeerAddress(a.multiaddrs()[0]!);
      else await a.addPeerAddress(b.multiaddrs()[0]!);
      await exchange(a, b.id, gotB, 'a -> b after the restart');
      await exchange(b, a.id, gotA, 'b -> a after the restart');
    }, 40_000);
  }
});

/**
 * A TCP relay to `port` that can go dead without closing anything: what a peer whose machine
 * froze or dropped off the network looks like (a half-open connection: no FIN, no RST).
 */
async function relay(port: number): Promise<{ port: number; freeze(): void; close(): void }> {
  const sockets: Socket[] = [];
  let frozen = false;
  const server: Server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    sockets.push(inbound, outbound);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (d) => {
        if (!frozen) to.write(d);
      });
    forward(inbound, outbound);
    forward(outbound, inbound);
    for (const s of [inbound, outbound]) {
      s.on('error', () => undefined);
      // A close is passed on only while the relay lives.
      s.on('close', () => {
        if (!frozen) for (const o of sockets) o.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr !== null ? addr.port : 0,
    freeze: () => (frozen = true),
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

describe('a member whose connection went dead without closing (review6)', () => {
  for (const who of ['dialer', 'listener'] as const) {
    it(`is reached again after it comes back on a new port (it knows the other's address: ${who})`, async () => {
      const a = await loopbackTransport({ silenceTimeoutMs: 1000, dialTimeoutMs: 1000 });
      const keyB = await generateIdentity();
      let b = await loopbackTransport({ identity: keyB });
      const gotA = await started(a);
      let gotB = await started(b);
      a.setMembers([a.id, b.id]);
      b.setMembers([a.id, b.id]);
      // a reaches b only through the relay; b never dials a.
      const bPort = Number(b.multiaddrs()[0]!.split('/')[4]);
      const r = await relay(bPort);
      await a.addPeerAddress(`/ip4/127.0.0.1/tcp/${r.port}/p2p/${b.id}`);
      await exchange(a, b.id, gotB, 'a -> b');
      await exchange(b, a.id, gotA, 'b -> a');

      // The connection goes dead (a is told nothing), and b comes back elsewhere.
      r.freeze();
      await b.stop();
      open.splice(open.indexOf(b), 1);
      b = await loopbackTransport({ identity: keyB });
      gotB = await started(b);
      b.setMembers([a.id, b.id]);
      if (who === 'dialer') await b.addPeerAddress(a.multiaddrs()[0]!);
      else await a.addPeerAddress(b.multiaddrs()[0]!);
      gotA.length = 0;
      try {
        await exchange(b, a.id, gotA, 'b -> a after the restart');
        await exchange(a, b.id, gotB, 'a -> b after the restart');
      } finally {
        r.close();
      }
    }, 60_000);
  }
});

/**
 * A member that goes away and comes back, with the same identity on another port, is heard and
 * reached again by the members that stayed up (real libp2p on 127.0.0.1).
 */
import type { Message, PeerId } from '@synod/core';
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

/**
 * An inviter restarted on a new port (the default listen address is `tcp/0`) redials the peers
 * that joined through it, with no mDNS and no bootstrap list: it keeps their addresses in its
 * address book. The joiner's addresses reach the inviter by identify while the joiner is still
 * a stranger, when no log records them; they are recorded once it becomes a member.
 */
import { MemoryStorage } from '@synod/core';
import { afterEach, describe, it } from 'vitest';
import type { Libp2pTransport, Libp2pTransportOptions } from '../src/index.js';
import { loopbackTransport, waitFor } from './helpers.js';

let open: Libp2pTransport[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.stop()));
  open = [];
});

async function peer(opts: Partial<Libp2pTransportOptions>): Promise<Libp2pTransport> {
  const t = await loopbackTransport(opts);
  open.push(t);
  await t.start(() => undefined);
  return t;
}

describe('an inviter restarted on a new port', () => {
  it('reconnects to the peer that joined through it', async () => {
    const store = new MemoryStorage();
    const a = await peer({ logId: 'log-1', storage: store });
    a.setMembers([a.id]);
    // The app admits the joiner once its membership is decided, which takes a round or more:
    // identify (the joiner's listen addresses) has long been answered by then.
    a.onJoinRequest(async (req) => {
      const known = { yes: false };
      const deadline = Date.now() + 10_000;
      while (!known.yes && Date.now() < deadline) {
        known.yes = (await a.host.addrsOf(req.peer)).length > 0;
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    const invite = await a.createInvite();
    const b = await peer({ storage: new MemoryStorage() });
    await b.join(invite.text);
    a.setMembers([a.id, b.id]);
    b.setMembers([a.id, b.id]);
    const linked = (t: Libp2pTransport, to: string) => () =>
      t.peers().some((p) => p.peer === to && p.connected);
    await waitFor(linked(a, b.id), 'a linked to b');

    await a.stop();
    // The same store (identity, members' addresses), a new port: b knows only the old one.
    const again = await peer({ logId: 'log-1', storage: store });
    again.setMembers([again.id, b.id]);
    await waitFor(linked(again, b.id), 'the restarted inviter linked to b', 15_000);
  }, 30_000);
});

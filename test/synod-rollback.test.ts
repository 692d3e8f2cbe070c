/**
 * A member whose data directory goes back in time (issue 12): three `synod start` processes
 * (real SQLite files in a tmp dir, libp2p on 127.0.0.1, mDNS off). Carol's data directory is
 * copied while she is stopped (a backup), she runs again and the log moves on (she votes), then
 * the copy is restored and she starts on it, under the same peer id, with older promises and
 * votes. She is found out at once: she never votes again (her acceptor takes no P2a), says why
 * in one sentence, and rejoins by invite (removed from another member, left, joined again)
 * with every entry there: nothing is lost.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caughtUp, eventually, type SynodPeer } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-rollback-');

/** Stop `p` gracefully and start its data directory again (same libp2p port). */
async function restart(p: SynodPeer, before?: () => void): Promise<SynodPeer> {
  expect(await p.stop('SIGTERM'), `${p.name} stops cleanly`).toBe(0);
  before?.();
  return root.restart(p);
}

async function appendAll(p: SynodPeer, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    await p.api.append({ title: `entry ${i}`, body: `body ${i}`, timeoutMs: 30_000 });
  }
}

async function sameSlot(a: SynodPeer, b: SynodPeer): Promise<true | undefined> {
  const [x, y] = await Promise.all([a.status(), b.status()]);
  return caughtUp(y) && y.protocol!.slotOut >= x.protocol!.slotOut ? true : undefined;
}

describe('a member whose data directory is restored from an older copy', () => {
  it('never votes, says why, and rejoins by invite with nothing lost', async () => {
    const [alice, bob, carol0] = await root.cluster(['alice', 'bob', 'carol'], {
      title: 'rollback',
    });
    let carol = carol0;
    const carolId = (await carol.status()).id!;
    await appendAll(alice, 0, 5);

    // A backup of carol's data directory, taken while she is stopped.
    const backup = join(root.dir, 'carol-backup');
    carol = await restart(carol, () => cpSync(carol.dataDir, backup, { recursive: true }));
    await eventually('carol to catch up', () => sameSlot(alice, carol));

    // The log moves on; carol's acceptor votes on every slot.
    await appendAll(alice, 5, 25);
    await eventually('carol to catch up again', () => sameSlot(alice, carol));

    // The backup is restored, and carol starts on it under the same peer id.
    carol = await restart(carol, () => {
      rmSync(carol.dataDir, { recursive: true, force: true });
      cpSync(backup, carol.dataDir, { recursive: true });
    });
    expect((await carol.status()).id).toBe(carolId);

    // Found out: one sentence, in her status and on her console.
    const sentence = await eventually(
      "carol's status to say her storage went back",
      async () => (await carol.status()).protocol?.amnesia ?? undefined,
      60_000,
    );
    expect(sentence).toMatch(/^This peer's storage went back in time \(.+\), so it no longer/);
    await carol.child.waitFor(/^synod: This peer's storage went back in time/, 30_000);

    // She never votes: the log moves on without her acceptor, which takes no P2a.
    const before = (await carol.status()).protocol!;
    await appendAll(alice, 25, 35);
    await eventually('carol to learn the new entries', () => sameSlot(alice, carol));
    const after = (await carol.status()).protocol!;
    expect(after.acceptor.ballot).toEqual(before.acceptor.ballot);
    expect(after.acceptor.accepted).toBeLessThanOrEqual(before.acceptor.accepted);
    expect(after.leader.active).toBe(false);
    await expect(
      carol.api.append({ title: 'from carol', body: 'refused', timeoutMs: 10_000 }),
    ).rejects.toThrow(/store-rolled-back|went back in time/);

    // Rejoin by invite: another member removes her, she leaves (her store is set aside) and
    // joins again with a new invite, as a new peer.
    await alice.api.removePeer({ peer: carolId, timeoutMs: 30_000 });
    await eventually('carol to see she was removed', async () =>
      (await carol.status()).state === 'removed' ? true : undefined,
    );
    await carol.api.leave();
    const invite = await alice.api.invite({});
    await carol.api.join({ invite: invite.text });
    await eventually('carol to join and catch up', () => sameSlot(alice, carol), 120_000);
    const rejoined = await carol.status();
    expect(rejoined.id).not.toBe(carolId);
    expect(rejoined.protocol!.amnesia).toBeNull();
    expect(rejoined.protocol!.config!.acceptors).toContain(rejoined.id);

    // Nothing lost: every entry, on every peer; and carol writes again.
    await carol.api.append({ title: 'back', body: 'from carol', timeoutMs: 30_000 });
    await eventually('every peer to hold 36 entries', async () => {
      const lists = await Promise.all(
        [alice, bob, carol].map((p) => p.api.entries({ read: 'local', bodies: false })),
      );
      return lists.every((l) => l.entries.length === 36) ? lists : undefined;
    });
    const lists = await Promise.all(
      [alice, bob, carol].map((p) => p.api.entries({ read: 'local', bodies: false })),
    );
    const titles = lists.map((l) => l.entries.map((e) => e.title).sort());
    for (const t of titles) expect(t).toEqual(titles[0]);
    for (let i = 0; i < 35; i++) expect(titles[0]).toContain(`entry ${i}`);
  }, 600_000);
});

/**
 * Leave on a log this peer was removed from, when its hand-over can no longer be confirmed: it
 * was stopped before a member that stays confirmed it, and started again only after every
 * member that stays compacted past its removal. Those members no longer keep the configuration
 * that names it, so their transport refuses it, and its resumed hand-over never ends
 * (docs/protocol.md, "A peer that leaves hands over first"). A plain leave fails with
 * `handover-pending` every time; `force` sets the log aside after the same bounded wait.
 *
 * Two PeerServices in process, real SQLite files, libp2p on 127.0.0.1. The run stopped before
 * the confirmation is made by clearing the one thing such a run does not write, the record of
 * the confirmation (core handover-record.ts, meta key `synod.handedOver`): bob's store is then
 * what it would be (the race itself, a stop between learning the removal and hearing a member
 * that stays, is not steerable over libp2p).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '@synod/core/testing';
import { openSqliteStorage } from '@synod/storage-sqlite';
import { PeerService } from '../src/service/peer-service.js';

const root = mkdtempSync(join(tmpdir(), 'synod-leave-removed-'));
const OPTIONS = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false };
const running = new Set<PeerService>();
afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });
});

const wait = (what: string, cond: () => boolean) => until(what, cond, 30_000);

async function open(name: string): Promise<PeerService> {
  const s = await PeerService.open({
    dataDir: join(root, name),
    name,
    ...OPTIONS,
    // Small, so that alice compacts past bob's removal after a few entries.
    protocol: { snapshotInterval: 5 },
  });
  running.add(s);
  return s;
}

async function stop(s: PeerService): Promise<void> {
  await s.stop();
  running.delete(s);
}

/** Every SQLite file under `dir` (the peer's home store and its logs' stores). */
function dbFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return dbFiles(p);
    return f.endsWith('.db') ? [p] : [];
  });
}

describe('leave on a log this peer was removed from', () => {
  it('whose hand-over no member that stays can confirm: fails every time, and sets the log aside with force', async () => {
    const alice = await open('alice');
    await alice.createLog({ title: 'Notes' });
    const bob = await open('bob');
    await bob.join({ invite: (await alice.invite()).text });
    const bobId = bob.status().id!;
    await wait('bob a member', () => bob.status().protocol?.initialized === true);
    await alice.removePeer({ peer: bobId });
    await wait('bob handed over', () => bob.status().handover?.done === true);
    const start = bob.status().handover!.start;
    await stop(bob);

    // bob's store as a run stopped before the confirmation leaves it.
    let cleared = 0;
    for (const file of dbFiles(join(root, 'bob'))) {
      const st = await openSqliteStorage(file);
      if ((await st.getMeta('synod.handedOver')) !== undefined) {
        await st.setMeta('synod.handedOver', new TextEncoder().encode('0'));
        cleared++;
      }
      await st.close();
    }
    expect(cleared).toBe(1);

    // alice compacts past bob's removal: her snapshot drops the configuration that names bob.
    for (let i = 0; i < 12; i++) await alice.append({ title: `e${i}`, body: '' });
    await wait(
      'alice compacted past the removal',
      () => alice.status().protocol!.snapshotSlot >= start,
    );

    const bob2 = await open('bob');
    await wait('bob shown removed', () => bob2.status().state === 'removed');
    expect(bob2.status().handover).toEqual({ start, done: false });
    // Leave waits for the hand-over, bounded, and fails: alice refuses bob, so it never ends.
    for (let i = 0; i < 2; i++) {
      await expect(bob2.leave({ timeoutMs: 1500 })).rejects.toMatchObject({
        code: 'handover-pending',
      });
      expect(bob2.status().handover).toEqual({ start, done: false });
      expect(bob2.logs().logs).toHaveLength(1);
    }
    // With force: the same bounded wait, then the log is set aside all the same.
    await bob2.leave({ timeoutMs: 1500, force: true });
    expect(bob2.logs().logs).toHaveLength(0);
    expect(bob2.status().state).toBe('setup');
  }, 120_000);
});

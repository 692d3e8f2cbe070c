/**
 * A log this peer was removed from shows `removed` as soon as it is opened, also when no member
 * is there: the service noticed a removal only when the node's status changed while it ran, and
 * a node that loads its removal has no change to tell until something else happens (with the
 * members away, maybe never). It then showed `running`, and `synod leave` (even `--force`) asked
 * for a majority first and failed with no-majority. Three peers in process, real SQLite files,
 * libp2p on 127.0.0.1.
 *
 * Bob's store must hold his removal: a graceful stop does not write the decisions a node holds
 * for its next write (up to a heartbeat interval), so bob learns the removal by catching up past
 * it in one answer of more than 256 decisions, which is written at once (write-tracker.ts,
 * MAX_HELD_DECISIONS), instead of live.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { until } from '@synod/core/testing';
import { PeerService } from '../src/service/peer-service.js';
import { forgetHandover } from './unconfirmed-handover.js';

const root = mkdtempSync(join(tmpdir(), 'synod-removed-at-open-'));
const OPTIONS = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false };
const running = new Set<PeerService>();
afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });
});

const wait = (what: string, cond: () => boolean) => until(what, cond, 60_000);

async function open(name: string): Promise<PeerService> {
  const s = await PeerService.open({ dataDir: join(root, name), ...OPTIONS });
  running.add(s);
  return s;
}

async function stop(s: PeerService): Promise<void> {
  await s.stop();
  running.delete(s);
}

it('a removed peer opened with no member reachable shows removed at once, and leaves with force', async () => {
  const alice = await open('alice');
  await alice.createLog({ title: 'Notes' });
  let bob = await open('bob');
  const carol = await open('carol');
  for (const p of [bob, carol]) {
    await p.join({ invite: (await alice.invite()).text });
    await wait('a member', () => p.status().protocol?.initialized === true);
  }
  const bobId = bob.status().id!;
  await stop(bob);
  // Removed while away, behind by more than 256 slots (one at a time: one slot each).
  for (let i = 0; i < 300; i++) await alice.append({ title: `e${i}`, body: '' });
  await alice.removePeer({ peer: bobId });
  bob = await open('bob');
  await wait('bob caught up, removed and handed over', () => bob.status().handover?.done === true);
  const start = bob.status().handover!.start;
  await stop(bob);
  // A run stopped before the confirmation; and the members that stay are gone.
  expect(await forgetHandover(join(root, 'bob'))).toBe(1);
  await Promise.all([stop(alice), stop(carol)]);

  bob = await open('bob');
  // At once: no wait for a status change that nothing may cause.
  expect(bob.status().state).toBe('removed');
  expect(bob.status().handover).toEqual({ start, done: false });
  await bob.leave({ timeoutMs: 500, force: true });
  expect(bob.logs().logs).toHaveLength(0);
  expect(bob.status().state).toBe('setup');
}, 180_000);

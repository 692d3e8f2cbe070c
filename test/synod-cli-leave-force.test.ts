/**
 * `synod leave --force` waits for a pending hand-over once, its --timeout, and says so once; the
 * peer's stop then neither waits its own 2–5 s again nor warns again. A plain stop still waits
 * (nobody forced anything). Three `synod start` processes (SQLite files, libp2p on 127.0.0.1,
 * mDNS off).
 *
 * The hand-over that cannot be confirmed: alice and carol remove bob while he is away; he comes
 * back, catches up, hands over and stops; his store is made that of a run stopped before the
 * confirmation (forgetHandover), and alice and carol are killed. Bob, started again, resumes the
 * hand-over, and no member that stays is there to confirm it. (Not members compacting past the
 * removal, as in packages/desktop-app/test/leave-removed.test.ts: this is about the waits,
 * whatever keeps the hand-over from being confirmed.) Bob learns his removal by catching up more
 * than 256 slots in one answer, which is written at once: a graceful stop does not write the
 * decisions a node holds for its next write (write-tracker.ts), so learned live, right before
 * the stop, his removal could be lost from his store.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetHandover } from '../packages/desktop-app/test/unconfirmed-handover.js';
import { eventually, synod, type SynodPeer } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-leave-force-');
let bob: SynodPeer;
let start: number;

/** The forced leave's warning, with the time it waited. */
const FORCED = /: set aside \(force\) before a member that stays confirmed .* \(waited (\d+) ms\)/;
/** The stop's own wait for a pending hand-over (@synod/peer removal-handover.ts). */
const STOP_WAITED = /: stopping before a member that stays confirmed .* \(waited (\d+) ms\)/;

/** Bob started again on his data directory, shown removed with his hand-over pending. */
async function restartStranded(): Promise<SynodPeer> {
  bob = await root.restart(bob);
  const s = await eventually('bob removed, hand-over pending', async () => {
    const st = await bob.status();
    return st.state === 'removed' ? st : undefined;
  });
  expect(s.handover).toEqual({ start, done: false });
  return bob;
}

/** SIGTERM bob (a clean exit) and every line he printed, stdout and stderr. */
async function stopped(p: SynodPeer): Promise<string[]> {
  expect(await p.stop('SIGTERM')).toBe(0);
  return p.child.lines;
}

beforeAll(async () => {
  const [alice, b, carol] = await root.cluster(['alice', 'bob', 'carol']);
  bob = b;
  const bobId = (await bob.status()).id!;
  await stopped(bob);
  // One at a time: a slot each.
  for (let i = 0; i < 300; i++) await alice.post('/api/entries', { title: `e${i}`, body: '' });
  const r = await synod(['remove', bobId, '--data', alice.dataDir]);
  expect(r.code, r.stderr).toBe(0);
  bob = await root.restart(bob);
  const s = await eventually('bob caught up, removed and handed over', async () => {
    const st = await bob.status();
    return st.handover?.done === true ? st : undefined;
  });
  start = s.handover!.start;
  await stopped(bob);
  expect(await forgetHandover(bob.dataDir)).toBe(1);
  await Promise.all([alice.stop('SIGKILL'), carol.stop('SIGKILL')]);
}, 180_000);

describe('a hand-over no member that stays confirms', () => {
  it('a plain leave fails with handover-pending, and the stop after it waits for the hand-over again', async () => {
    const p = await restartStranded();
    const r = await synod(['leave', '--timeout', '1500ms', '--data', p.dataDir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/\(handover-pending\)/);
    const lines = await stopped(p);
    // Nobody forced anything: the stop waited its own bound (two election timeouts, >= 2 s).
    const waits = lines.flatMap((l) => l.match(STOP_WAITED)?.[1] ?? []);
    expect(waits, lines.join('\n')).toHaveLength(1);
    expect(Number(waits[0])).toBeGreaterThanOrEqual(2000);
    expect(lines.filter((l) => FORCED.test(l))).toEqual([]);
  }, 120_000);

  it('leave --force waits its --timeout once and says so once; the stop does not wait again', async () => {
    const p = await restartStranded();
    const r = await synod(['leave', '--force', '--timeout', '1500ms', '--data', p.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^left log \S+; the old store is in /);
    expect((await p.status()).state).toBe('setup');
    const lines = await stopped(p);
    const forced = lines.flatMap((l) => l.match(FORCED)?.[1] ?? []);
    // One wait, the leave's, as long as its --timeout; one warning; no stop wait after it.
    expect(forced, lines.join('\n')).toHaveLength(1);
    expect(Number(forced[0])).toBeGreaterThanOrEqual(1500);
    expect(
      lines.filter((l) => STOP_WAITED.test(l)),
      lines.join('\n'),
    ).toEqual([]);
  }, 120_000);
});

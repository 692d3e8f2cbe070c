/**
 * A peer stopped during 2,000 appends returns and catches up: three `synod start` processes
 * (SQLite files in a tmp dir, libp2p on 127.0.0.1, mDNS off); the appends go through the other
 * two peers' local APIs with many outstanding; one follower is stopped (SIGTERM, a graceful
 * stop) after the first fifth and started again on its data directory after three fifths. At
 * the end all three hold the same 2,000 entries and the same history. (It ran 5,000; the
 * stopped peer still misses 800 appends, and 800 more are written while it comes back;
 * SYNOD_CATCHUP_APPENDS runs more.)
 */
import { describe, expect, it } from 'vitest';
import { caughtUp, eventually, type SynodPeer } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const APPENDS = Number(process.env.SYNOD_CATCHUP_APPENDS ?? 2000);
/** Requests outstanding at once against each of the two writing peers. */
const CONCURRENCY = 32;

const root = new SynodRoot('synod-catchup-');

describe(`a peer stopped during ${APPENDS} appends`, () => {
  it('returns and catches up: the same entries and history on every peer', async () => {
    const t0 = performance.now();
    const peers = await root.cluster(['alice', 'bob', 'carol'], { title: 'catch-up' });
    // Stop a follower (not the leader, whose loss the cluster test covers): the newest joiner
    // unless it leads; the other two write.
    const leader = (await peers[0].status()).protocol!.activeLeader;
    const ids0 = await Promise.all(peers.map(async (p) => (await p.status()).id));
    const awayIndex = ids0[2] !== leader ? 2 : 1;
    let away = peers[awayIndex];
    const [w1, w2] = peers.filter((_, i) => i !== awayIndex) as [SynodPeer, SynodPeer];
    const tJoined = performance.now();

    let done = 0;
    let stopped: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    const writers = [w1, w2];
    const ids: number[] = [];
    let next = 0;
    const worker = async (w: SynodPeer) => {
      while (next < APPENDS) {
        const i = next++;
        const r = await w
          .post<{ id: number }>('/api/entries', {
            title: `entry ${i}`,
            body: `from ${w.name}: ${i}`,
            timeoutMs: 60_000,
          })
          .catch((err: unknown) => {
            throw new Error(
              `append ${i} to ${w.name} (done ${done}): ${String(err)}; exit ${w.child.process.exitCode} ${w.child.process.signalCode}\n${w.child.lines.slice(-30).join('\n')}`,
            );
          });
        ids.push(r.id);
        done++;
        if (done === APPENDS / 5) {
          stopped = away.stop('SIGTERM').then((code) => {
            expect(code, 'a graceful stop exits 0').toBe(0);
          });
        }
        if (done === (3 * APPENDS) / 5) {
          restarted = (async () => {
            await stopped;
            away = await root.restart(away);
          })();
        }
      }
    };
    await Promise.all(writers.flatMap((w) => Array.from({ length: CONCURRENCY }, () => worker(w))));
    const tAppended = performance.now();
    await restarted;
    expect(new Set(ids).size).toBe(APPENDS);

    const final = await eventually(
      `${away.name} to catch up`,
      async () => {
        const [a, c] = await Promise.all([w1.status(), away.status()]);
        return caughtUp(c) && c.protocol!.slotOut >= a.protocol!.slotOut ? c : undefined;
      },
      60_000,
    );
    expect(final.log!.entries).toBe(APPENDS);
    const tCaughtUp = performance.now();

    // Local reads: each peer's own copy.
    const lists = await Promise.all(
      [w1, w2, away].map((p) => p.api.entries({ read: 'local', bodies: false })),
    );
    const histories = await Promise.all(
      [w1, w2, away].map((p) => p.api.history({ read: 'local', limit: 1000 })),
    );
    expect(lists[0]!.entries).toHaveLength(APPENDS);
    for (const i of [1, 2]) {
      expect(lists[i]!.entries).toEqual(lists[0]!.entries);
      expect(lists[i]!.lastSlot).toBe(lists[0]!.lastSlot);
      expect(histories[i]).toEqual(histories[0]);
    }
    // The restarted peer writes again.
    await away.api.append({ title: 'back', body: `from ${away.name}`, timeoutMs: 30_000 });
    console.log(
      `catch-up: cluster up in ${((tJoined - t0) / 1000).toFixed(1)} s, ` +
        `${APPENDS} appends in ${((tAppended - tJoined) / 1000).toFixed(1)} s, ` +
        `caught up ${((tCaughtUp - tAppended) / 1000).toFixed(1)} s after the last one`,
    );
  }, 300_000);
});

/**
 * `synod leave` is bounded by --timeout: past it, it prints why and exits 1, and the peer runs
 * on (review.md: a leave could wait for ever). Two `synod start` processes (SQLite files, libp2p
 * on 127.0.0.1, mDNS off). With --timeout 1ms the removal cannot be decided in time (it needs
 * the other peer's vote, written to its disk); it is decided a moment later, this peer hands
 * over on its own, and a second `synod leave` finishes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, synod, synodOk, type SynodPeer } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-leave-timeout-');
let alice: SynodPeer;
let bob: SynodPeer;

beforeAll(async () => {
  [alice, bob] = await root.cluster(['alice', 'bob']);
}, 180_000);

describe('synod leave --timeout', () => {
  it('exits 1 with the reason at its timeout; the peer runs on, hands over, and leave again finishes', async () => {
    const r = await synod(['leave', '--timeout', '1ms', '--data', bob.dataDir]);
    expect(r.code, r.stderr).toBe(1);
    // The removal not decided within 1 ms (or, were it decided, not handed over yet).
    expect(r.stderr).toMatch(
      /^synod leave: (not decided within 1 ms \(it may still take effect\) \(timeout\)|the removal of this peer is decided.* \(handover-pending\)\. Keep this peer running.*`synod leave --force` sets the log aside all the same)\n$/,
    );
    // Still running here: decided later, the removal is handed over by the peer on its own.
    const s = await eventually('bob removed and handed over', async () => {
      const st = await bob.status();
      return st.handover?.done === true ? st : undefined;
    });
    expect(s.state).toBe('removed');
    expect(await synodOk(['leave', '--data', bob.dataDir])).toMatch(/^left log \S+; the old store/);
    const a = await alice.status();
    expect(a.protocol?.config?.acceptors).toEqual([a.id]);
  }, 120_000);
});

/**
 * A peer another member removes hands over before it stops, as one that leaves does
 * (docs/protocol.md, "A peer that leaves hands over first"): its status shows the hand-over,
 * and a SIGTERM after it exits cleanly. Two `synod start` processes (SQLite files, libp2p on
 * 127.0.0.1, mDNS off). What `synod status` prints while the hand-over is pending is in
 * packages/desktop-app/test/cli-format.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, synodOk, type SynodPeer } from './helpers/synod-cli.js';
import { SynodRoot } from './helpers/synod-root.js';

const root = new SynodRoot('synod-removed-');
let alice: SynodPeer;
let bob: SynodPeer;

beforeAll(async () => {
  [alice, bob] = await root.cluster(['alice', 'bob']);
}, 180_000);

describe('a peer removed by another member (synod remove)', () => {
  it('shows its hand-over in status, done once alice holds its slots, and stops cleanly', async () => {
    const bobId = (await bob.status()).id!;
    expect(await synodOk(['remove', bobId, '--data', alice.dataDir])).toBe(`removed ${bobId}\n`);
    const s = await eventually('bob removed and handed over', async () => {
      const st = await bob.status();
      return st.handover?.done === true ? st : undefined;
    });
    expect(s.state).toBe('removed');
    expect(s.handover!.start).toBe((await alice.status()).protocol!.config!.start);
    expect(await synodOk(['status', '--data', bob.dataDir])).not.toMatch(/^handover/m);
    expect(await bob.stop('SIGTERM')).toBe(0);
  }, 120_000);
});

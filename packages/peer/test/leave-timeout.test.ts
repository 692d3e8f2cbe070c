/**
 * leave() is bounded by its `timeoutMs` (review.md: with the other member down it used to wait
 * until stop()). Two real peers (SQLite files, libp2p on 127.0.0.1 at fixed ports so that the
 * stopped one is found again when it comes back, mDNS off).
 */
import { describe, expect, it } from 'vitest';
import { until, errorWithin } from '@synod/core/testing';
import { kvPeers } from './kv-peers.js';

/** This file's waits are longer than until's default: real peers on a busy machine. */
const wait = (what: string, cond: () => boolean, ms = 30_000) => until(what, cond, ms);

const { start, running } = kvPeers('synod-peer-leave-');

describe('leave({ timeoutMs })', () => {
  it('with the other member stopped, rejects at its timeout; once it is back the removal is decided and handed over, and leave() again resolves', async () => {
    const a = await start('a');
    const b = await start('b', { join: (await a.invite()).text });
    await wait('both initialized', () => b.node.status().initialized);
    await b.stop();
    running.delete(b);

    const t0 = performance.now();
    const err = await errorWithin(a.leave({ timeoutMs: 2000 }), 20_000);
    // Not decided: without b there is no majority of {a, b}.
    expect(err).toMatchObject({ code: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(6000);
    expect(a.node.status()).toMatchObject({ removed: false, handover: null });

    // b comes back: the removal a proposed is decided after all, and a hands over on its own.
    const b2 = await start('b');
    await wait('a removed and handed over', () => a.node.status().handover?.done === true);
    expect(a.node.status().removed).toBe(true);
    expect(b2.node.status().config?.acceptors).toEqual([b2.id]);
    // Asked again, leave() just waits for the hand-over (done): it resolves.
    expect(await errorWithin(a.leave({ timeoutMs: 1000 }), 5000)).toBe('resolved');
  }, 90_000);
});

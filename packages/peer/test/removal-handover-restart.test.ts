/**
 * A removed peer stopped before a member that stays confirmed its hand-over (the app closed,
 * `synod stop` past its 2–5 s wait) shows it pending again when it is opened again, and asks
 * until a member that stays confirms (core RawNode.load; docs/protocol.md, "A peer that leaves
 * hands over first"). Real peers: SQLite files, libp2p on 127.0.0.1 at fixed ports (the member
 * that stays is found where it was), mDNS off.
 */
import { describe, expect, it } from 'vitest';
import { encodeKv, until, type KvStateMachine } from '@synod/core/testing';
import type { Peer } from '../src/index.js';
import { kvPeers } from './kv-peers.js';

const { start, running } = kvPeers('synod-peer-removed-restart-');

/** Longer than until's default: real peers on a busy machine. */
const wait = (what: string, cond: () => boolean) => until(what, cond, 30_000);

async function stop(p: Peer<KvStateMachine>): Promise<void> {
  await p.stop();
  running.delete(p);
}

describe('a removed peer opened again before its hand-over was confirmed', () => {
  it('shows the hand-over pending, asks again, and shows it done once a member that stays answers', async () => {
    const a = await start('a');
    const b = await start('b', { join: (await a.invite()).text });
    await wait('b initialized', () => b.node.status().initialized);
    await a.node.propose(encodeKv({ op: 'append', key: 'k', value: 'x,' }));
    await a.node.removePeer(b.id);
    await wait('b removed', () => b.node.status().removed);
    const start_ = b.node.status().handover!.start;
    expect(start_).toBe(a.node.status().config!.start);

    // b has written its removal (decisions alone may wait a heartbeat interval for a write).
    await wait('removal written', () => b.node.rawNode.replica.durableSlotOut >= start_);
    // The member that stays goes away; b is stopped too (whether a confirmed in time or not,
    // nothing on b's disk says so).
    await stop(a);
    await stop(b);

    // Opened again with nobody to confirm: pending, and a stop says so.
    const b2 = await start('b');
    expect(b2.node.status().removed).toBe(true);
    expect(b2.node.status().handover).toEqual({ start: start_, done: false });
    await stop(b2);
    expect(b2.removalHandover).toMatchObject({ kind: 'pending', start: start_ });

    // Opened again with the member that stays back: pending, then done.
    const b3 = await start('b');
    expect(b3.node.status().handover).toEqual({ start: start_, done: false });
    const a2 = await start('a');
    await wait('hand-over done', () => b3.node.status().handover?.done === true);
    expect(b3.node.status().handover).toEqual({ start: start_, done: true });
    await stop(b3);
    expect(b3.removalHandover).toBeUndefined();
    await stop(a2);
  }, 90_000);
});

/**
 * Starting a peer again with the options it started with: a `join` invite to the log it is
 * already in just opens the log, and reads right after a restart wait for a leader (within
 * their timeout) instead of failing. Real SQLite files, libp2p on 127.0.0.1 (fixed ports, so
 * that restarted peers find each other again), mDNS off.
 */
import { describe, expect, it } from 'vitest';
import { decodeKvResult, encodeKv, type KvStateMachine } from '@synod/core/testing';
import type { Peer } from '../src/index.js';
import { kvPeers } from './kv-peers.js';

const { start, running } = kvPeers('synod-peer-restart-');

async function stop(p: Peer<KvStateMachine>): Promise<void> {
  await p.stop();
  running.delete(p);
}

const put = (key: string, value: string) => encodeKv({ op: 'append', key, value });

describe('a peer started again with the same options', () => {
  it('opens its log when `join` names the log it already joined', async () => {
    const a = await start('a');
    const invite = (await a.invite()).text;
    const b = await start('b', { join: invite });
    expect(b.joined?.inviter).toBe(a.id);
    await b.node.propose(put('k', 'b,'));
    await stop(b);

    // The same command line again: the used invite is not presented, the log opens.
    const b2 = await start('b', { join: invite });
    expect({ id: b2.id, logId: b2.logId, created: b2.created, joined: b2.joined }).toEqual({
      id: b.id,
      logId: a.logId,
      created: false,
      joined: undefined,
    });
    expect(decodeKvResult(await b2.node.propose(put('k', 'again,')))).toBe('b,again,');
    await Promise.all([stop(a), stop(b2)]);
  }, 60_000);

  it('reads right after every peer restarted wait for the election', async () => {
    const a = await start('r-a');
    const b = await start('r-b', { join: (await a.invite()).text });
    const c = await start('r-c', { join: (await a.invite()).text });
    await a.node.propose(put('k', 'x'));
    await Promise.all([a, b, c].map(stop));

    const again = await Promise.all(['r-a', 'r-b', 'r-c'].map((n) => start(n)));
    // No leader yet: each read waits for one (or fails after its 10 s default timeout).
    expect(again.every((p) => p.node.status().activeLeader === null)).toBe(true);
    const values = await Promise.all(again.map((p) => p.node.read((sm) => sm.get('k'))));
    expect(values).toEqual(['x', 'x', 'x']);
    await Promise.all(again.map(stop));
  }, 60_000);
});

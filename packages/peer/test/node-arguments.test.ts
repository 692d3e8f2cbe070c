/**
 * The core's argument checks on a real peer (SQLite, libp2p on 127.0.0.1): an id that is no
 * libp2p peer id does not get into the membership (it counted toward every majority and never
 * answered), and a bad command or timeout proposes nothing (issue 13's audit of inputs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeKv, KvStateMachine } from '@synod/core/testing';
import { createPeer, type Peer } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'synod-peer-args-'));
const running: Peer<KvStateMachine>[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('a peer refuses bad arguments to its node', () => {
  it('adds no peer id that libp2p cannot reach, and proposes no bad command', async () => {
    const p = await createPeer({
      dataDir: join(root, 'a'),
      stateMachine: new KvStateMachine(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    running.push(p);
    const config = p.node.status().config;
    const slotOut = p.node.status().slotOut;
    const node = p.node as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const [method, args] of [
      ['addPeer', ['garbage']],
      ['addPeer', [p.transport.id.toLowerCase()]],
      ['replacePeer', [p.transport.id, 'garbage']],
      ['propose', [null]],
      ['propose', ['abc']],
      ['propose', [encodeKv({ op: 'put', key: 'k', value: 'v' }), { timeoutMs: NaN }]],
      ['propose', [encodeKv({ op: 'put', key: 'k', value: 'v' }), { timeoutMs: -1 }]],
    ] as const) {
      await expect(node[method]!(...args), `${method} ${String(args[0])}`).rejects.toMatchObject({
        code: 'invalid-argument',
      });
    }
    // Nothing was proposed: the next command takes the next slot, and the members are the same.
    await p.node.propose(encodeKv({ op: 'put', key: 'k', value: 'v' }));
    expect(p.node.status().slotOut).toBe(slotOut + 1);
    expect(p.node.status().config).toEqual(config);
    // The transport's own ids pass its check (base58btc, as the transport names peers).
    expect(p.transport.isPeerId(p.transport.id)).toBe(true);
  });
});

/**
 * Synod as a service of an app's own libp2p node (js-libp2p composition): the node keeps its
 * own protocols and connections, a createPeer peer joins its log by invite, stopping the node
 * stops the peer and leaves the data directory to the same node identity only. Real libp2p on
 * 127.0.0.1, real SQLite files, mDNS off.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPeer, proposeJson, synod, type Peer } from '../src/index.js';
import { freePort } from './free-port.js';
import { counter } from './counter.js';

const root = mkdtempSync(join(tmpdir(), 'synod-peer-service-'));
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((f) => Promise.resolve(f()).catch(() => undefined)));
  rmSync(root, { recursive: true, force: true });
});

const ECHO = '/app/echo/1.0.0';

/**
 * The app's node: its own protocol (echo), and Synod as one more service. On a fixed port, so
 * that the other peer finds it again after a restart (no mDNS here).
 */
async function appNode(key: PrivateKey, port: number) {
  const node = await createLibp2p({
    privateKey: key,
    addresses: { listen: [`/ip4/127.0.0.1/tcp/${port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      synod: synod({ dataDir: join(root, 'app'), stateMachine: counter() }),
    },
  });
  await node.handle(ECHO, (stream) => {
    stream.addEventListener('message', (evt) => stream.send(evt.data));
  });
  cleanup.push(() => node.stop());
  return node;
}

describe('synod(): a libp2p service on the app node', () => {
  it('runs a log beside the app protocols; a createPeer peer joins it; restarts', async () => {
    const key = await generateKeyPair('Ed25519');
    const port = await freePort();
    const node = await appNode(key, port);
    const app = await node.services.synod.ready;
    expect(app.id).toBe(node.peerId.toString());
    expect(app.created).toBe(true);
    expect(await proposeJson(app.node, 5)).toBe(5);

    // An all-in-one peer joins the service's log with an invite.
    const other: Peer<ReturnType<typeof counter>> = await createPeer({
      dataDir: join(root, 'other'),
      stateMachine: counter(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      join: (await app.invite()).text,
    });
    cleanup.push(() => other.stop());
    expect(await proposeJson(other.node, 2)).toBe(7);
    expect(await app.node.read((sm) => sm.state.total)).toBe(7);

    // The app's own protocol still works on the same node, to the same peer.
    const stream = await other.transport.libp2p.dialProtocol(node.peerId, ECHO);
    const echoed = new Promise<string>((resolve) =>
      stream.addEventListener('message', (evt) =>
        resolve(new TextDecoder().decode(evt.data.subarray())),
      ),
    );
    stream.send(new TextEncoder().encode('ping'));
    expect(await echoed).toBe('ping');
    await stream.close();

    // Stopping the node stops the peer (and frees the directory), not the other way round.
    await node.stop();
    expect(app.node.status().failure).toBeNull();
    await expect(app.node.propose(new TextEncoder().encode('1'))).rejects.toMatchObject({
      code: 'stopped',
    });
    // The directory belongs to the node's identity: another one is refused, changing nothing.
    await expect(
      createPeer({ dataDir: join(root, 'app'), stateMachine: counter(), listen: [], mdns: false }),
    ).rejects.toMatchObject({ code: 'invalid-peer-options' });

    // The same key on a new node: the same peer, its log and state back.
    const again = await appNode(key, port);
    const app2 = await again.services.synod.ready;
    expect(app2.created).toBe(false);
    expect(await proposeJson(app2.node, 1)).toBe(8);
    expect(await other.node.read((sm) => sm.state.total)).toBe(8);
  }, 60_000);
});

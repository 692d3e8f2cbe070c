/**
 * Stopping an app's libp2p node that carries the synod() service while the peer is still
 * opening: a join waiting on the inviter's app (which asks its user) must not hold the node's
 * stop up for the join's timeout. Real libp2p on 127.0.0.1, real SQLite files.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHost, inspectDataDir, synod } from '../src/index.js';
import { counter } from './counter.js';

const root = mkdtempSync(join(tmpdir(), 'synod-service-stop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('synod() service stop', () => {
  it("stops the node at once while its join waits on the inviter's app, and keeps the join for the next start", async () => {
    const a = await createHost({
      dataDir: join(root, 'a'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    // The inviter's app asks its user, who does not answer.
    let asked = false;
    const log = await a.createLog({
      stateMachine: counter(),
      admit: () => {
        asked = true;
        return new Promise<boolean>(() => undefined);
      },
    });
    const invite = (await log.invite()).text;
    const node = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        synod: synod({
          dataDir: join(root, 'b'),
          stateMachine: counter(),
          join: invite,
          joinTimeoutMs: 30_000,
        }),
      },
    });
    const deadline = Date.now() + 10_000;
    while (!asked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(asked).toBe(true);
    const t0 = Date.now();
    await node.stop();
    const took = Date.now() - t0;
    // Not the join's timeout (30 s here, 60 s by default).
    expect(took).toBeLessThan(5_000);
    // The join may have got through on the inviter's side: the next start asks again.
    expect((await inspectDataDir(join(root, 'b'))).joining).toBe(invite);
    await a.stop();
  }, 60_000);
});

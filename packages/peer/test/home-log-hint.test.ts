/**
 * The home log (peer.db, which the host keeps open) gets the node's WriteHint like any other
 * log's store: at one command in flight its writes are `awaited`, so io 'split' syncs them on
 * the caller's thread (core's WriteHint; storage-sqlite's io/split-io.ts). Real SQLite, real
 * libp2p on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StorageBatch, WriteHint } from '@synod/core';
import { createHost, createPeer, proposeJson } from '../src/index.js';
import { counter } from './counter.js';

const root = mkdtempSync(join(tmpdir(), 'synod-home-hint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the WriteHint reaches the store', () => {
  it('of the home log (createPeer) as of a log in logs/ (createHost)', async () => {
    const peer = await createPeer({
      dataDir: join(root, 'home'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      stateMachine: counter(),
    });
    const host = await createHost({
      dataDir: join(root, 'host'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    try {
      const other = await host.createLog({ stateMachine: counter() });
      for (const p of [peer, other]) {
        const hints: (WriteHint | undefined)[] = [];
        const write = p.storage.write.bind(p.storage);
        p.storage.write = (batch: StorageBatch, hint?: WriteHint) => {
          hints.push(hint);
          return write(batch, hint);
        };
        // One command at a time: each write is the only one in flight.
        for (let i = 0; i < 3; i++) await proposeJson(p.node, 1);
        expect(hints.length).toBeGreaterThan(0);
        expect(hints.some((h) => h?.awaited === true)).toBe(true);
      }
    } finally {
      await peer.stop();
      await host.stop();
    }
  }, 30_000);
});

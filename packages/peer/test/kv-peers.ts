/**
 * Real peers of a KvStateMachine for a test file: SQLite files under one temp dir, libp2p on
 * 127.0.0.1 at a port fixed per name (so a peer started again is found where it was), mDNS
 * off. Every peer still running is stopped, and the dir removed, after the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { KvStateMachine } from '@synod/core/testing';
import { createPeer, type Peer, type PeerOptions } from '../src/index.js';
import { freePort } from './free-port.js';

export function kvPeers(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  /** Peers to stop after the file; a test that stops one itself deletes it. */
  const running = new Set<Peer<KvStateMachine>>();
  const ports = new Map<string, number>();
  afterAll(async () => {
    await Promise.all([...running].map((p) => p.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  /** The same options on every start of `name`, plus `extra`. */
  async function start(
    name: string,
    extra: Partial<PeerOptions<KvStateMachine>> = {},
  ): Promise<Peer<KvStateMachine>> {
    if (!ports.has(name)) ports.set(name, await freePort());
    const p = await createPeer({
      dataDir: join(root, name),
      stateMachine: new KvStateMachine(),
      listen: [`/ip4/127.0.0.1/tcp/${ports.get(name)}`],
      mdns: false,
      ...extra,
    });
    running.add(p);
    return p;
  }

  return { start, running };
}

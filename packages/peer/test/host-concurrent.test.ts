/**
 * PeerHost calls made at once: listing the logs and opening several of them. Listing opens each
 * closed log's file for a moment (taking its exclusive lock), so calls at once must not collide
 * on a file. Real SQLite files, real libp2p on 127.0.0.1, mDNS off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHost } from '../src/index.js';
import { counter } from './counter.js';

const root = mkdtempSync(join(tmpdir(), 'synod-host-concurrent-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PeerHost, calls at once', () => {
  it('lists every closed log from calls at once, and opens several logs at once', async () => {
    const h = await createHost({
      dataDir: join(root, 'a'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    try {
      const names = ['l1', 'l2', 'l3', 'l4'];
      for (const logName of names) await h.createLog({ logName, stateMachine: counter() });
      for (let round = 0; round < 3; round++) {
        for (const n of names) await h.closeLog(n);
        const lists = await Promise.all([h.logs(), h.logs(), h.logs()]);
        for (const l of lists) expect(l.map((e) => e.logName)).toEqual(names);
        const out = await Promise.allSettled(
          names.map((log) => h.openLog({ log, stateMachine: counter() })),
        );
        expect(out.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []))).toEqual([]);
        expect(
          h
            .openLogs()
            .map((p) => p.logName())
            .sort(),
        ).toEqual(names);
      }
    } finally {
      await h.stop();
    }
  }, 60_000);

  it('gives a log name once, also to two logs created or renamed at once', async () => {
    const h = await createHost({
      dataDir: join(root, 'b'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    try {
      const out = await Promise.allSettled([
        h.createLog({ logName: 'x', stateMachine: counter() }),
        h.createLog({ logName: 'x', stateMachine: counter() }),
      ]);
      expect(out.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect((await h.logs()).filter((e) => e.logName === 'x')).toHaveLength(1);
      await h.closeLog('x');
      await h.openLog({ log: 'x', stateMachine: counter() });
      // Two logs renamed to one name at once, or one renamed while another is created with it.
      const [p, q, r] = [
        await h.createLog({ logName: 'p', stateMachine: counter() }),
        await h.createLog({ logName: 'q', stateMachine: counter() }),
        await h.createLog({ logName: 'r', stateMachine: counter() }),
      ];
      const renamed = await Promise.allSettled([p.setLogName('y'), q.setLogName('y')]);
      expect(renamed.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const mixed = await Promise.allSettled([
        r.setLogName('z'),
        h.createLog({ logName: 'z', stateMachine: counter() }),
      ]);
      expect(mixed.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const n of ['y', 'z']) {
        expect((await h.logs()).filter((e) => e.logName === n)).toHaveLength(1);
      }
    } finally {
      await h.stop();
    }
  }, 60_000);
});

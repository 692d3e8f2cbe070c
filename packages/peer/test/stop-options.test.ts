/**
 * stop()'s `removalHandoverWaitMs` is checked before anything stops: a stop must never hang on
 * a hand-over that may never be confirmed, so only a finite wait >= 0 is taken. (What the wait
 * does is in test/synod-cli-leave-force.test.ts: the desktop app's forced leave stops with 0.)
 * One real peer (SQLite file, libp2p on 127.0.0.1, mDNS off).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { encodeKv, KvStateMachine } from '@synod/core/testing';
import { createPeer, InvalidPeerOptionsError } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'synod-peer-stop-options-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('refuses a removalHandoverWaitMs that is not a finite number >= 0, and runs on', async () => {
  const p = await createPeer({
    dataDir: join(root, 'a'),
    stateMachine: new KvStateMachine(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
  });
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '0' as unknown as number]) {
    await expect(p.stop({ removalHandoverWaitMs: bad }), String(bad)).rejects.toBeInstanceOf(
      InvalidPeerOptionsError,
    );
  }
  // Still running: it takes writes.
  const put = () => p.node.propose(encodeKv({ op: 'append', key: 'k', value: 'v' }));
  await put();
  await p.stop({ removalHandoverWaitMs: 0 });
  await expect(put()).rejects.toMatchObject({ code: 'stopped' });
});

/**
 * A whole cluster loses power at once (issue 18): three `synod start` processes, each with its
 * data directory on a disk of its own (a power-cut filesystem, @synod/power-cut-fs), appending
 * from several clients; all three are SIGKILLed together and every disk forgets what was not yet
 * durable. Restarted on what the disks kept, every peer must come back as itself (same id, same
 * log: no silent reset to an empty store), and every append that was acknowledged must be in
 * the log, once, in the same order on every peer. Twice: a clean cut, then a torn one.
 *
 * Needs FUSE (and builds the filesystem on first use): without it the test fails, saying what to
 * install.
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PowerCutFs } from '@synod/power-cut-fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '@synod/desktop-app';
import { eventually, startCluster, synod, SynodPeer } from './helpers/synod-cli.js';

const root = mkdtempSync(join(tmpdir(), 'synod-power-'));
const names = ['alice', 'bob', 'carol'];
const disks = new Map<string, PowerCutFs>();
let peers: SynodPeer[] = [];
afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop('SIGKILL')));
  for (const d of disks.values()) await d.unmount();
  rmSync(root, { recursive: true, force: true });
});

const diskOf = (name: string) => disks.get(name)!.mountpoint;

/** Appends from `clients` concurrent clients until `stop`; the titles acknowledged. */
function appendUntil(stop: { now: boolean }, round: number, clients = 4) {
  const acked: string[] = [];
  const runs = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; !stop.now; i++) {
      const title = `r${round} c${c} #${i}`;
      try {
        await peers[(c + i) % peers.length]!.api.append({
          title,
          body: `body of ${title}`,
          timeoutMs: 10_000,
        });
        acked.push(title);
      } catch {
        // Killed mid-request (or no leader yet): the outcome is unknown, it may or may not be in.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  return { acked, done: Promise.all(runs) };
}

/** Every peer's history, once all have the same number of operations. */
async function converged(): Promise<(readonly HistoryRecord[])[]> {
  return eventually(
    'the restarted peers to converge',
    async () => {
      const all = await Promise.all(
        peers.map((p) => p.api.history({ read: 'local', limit: 10_000 })),
      );
      const counts = new Set(all.map((h) => h.operations));
      const statuses = await Promise.all(peers.map((p) => p.status()));
      const settled = statuses.every((s) => s.protocol?.catchup === null && s.majority?.ok);
      return counts.size === 1 && settled ? all.map((h) => h.records) : undefined;
    },
    120_000,
    250,
  );
}

describe('a whole cluster loses power at once', () => {
  it('every acknowledged append survives, on every peer, through a clean and a torn cut', async () => {
    for (const n of names) disks.set(n, await PowerCutFs.mount(join(root, `disk-${n}`)));
    peers = await startCluster(diskOf, names, { title: 'power' });
    const ids = await Promise.all(peers.map(async (p) => (await p.status()).id));
    const logId = (await peers[0]!.status()).logId;
    const everAcked: string[] = [];

    for (const [round, torn] of [
      [1, false],
      [2, true],
    ] as const) {
      const stop = { now: false };
      const load = appendUntil(stop, round);
      await eventually(`round ${round}: 20 appends acknowledged`, () =>
        load.acked.length >= 20 ? true : undefined,
      );
      // The plug: every process dies at once, then every disk forgets what was not durable.
      await Promise.all(peers.map((p) => p.stop('SIGKILL')));
      stop.now = true;
      await load.done;
      everAcked.push(...load.acked);
      const cuts = await Promise.all(
        names.map((n, i) => disks.get(n)!.cut({ torn, seed: round * 10 + i })),
      );
      expect(cuts.some((c) => c.files + c.dirs > 0)).toBe(true);
      // What the cut left of the local API's files (stale, empty or torn: they are not synced)
      // reads as "no peer is running".
      const status = await synod(['status', '--data', peers[0]!.dataDir]);
      expect(status.code, status.stderr).toBe(1);
      expect(status.stderr).toMatch(/^synod status: no peer is running on /m);

      // Power back: each peer restarts on what its disk kept, as itself.
      peers = await Promise.all(
        peers.map((p) => SynodPeer.start(diskOf(p.name), p.name, { port: p.port })),
      );
      const statuses = await Promise.all(peers.map((p) => p.status()));
      expect(statuses.map((s) => s.id)).toEqual(ids);
      for (const s of statuses) {
        expect(s.logId).toBe(logId);
        expect(s.state).toBe('running');
      }
      const histories = await converged();
      for (const h of histories.slice(1)) expect(h).toEqual(histories[0]);
      const titles = histories[0]!.filter((r) => r.type === 'append').map((r) => r.text);
      const missing = everAcked.filter((t) => !titles.includes(t));
      expect(missing, `acknowledged appends lost by the cut of round ${round}`).toEqual([]);
      expect(new Set(titles).size, 'an append applied twice').toBe(titles.length);
    }
  }, 420_000);
});

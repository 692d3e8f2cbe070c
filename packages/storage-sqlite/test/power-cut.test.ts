/**
 * The crash test under power cuts (issue 18): the harness of crash.test.ts on a power-cut
 * filesystem (@synod/power-cut-fs), each SIGKILL followed by a cut that forgets everything the
 * child wrote and did not make durable, half of them torn; then the file is reopened and every
 * promise and vote the child reported is checked. 30 cuts in `npm test` (SYNOD_POWER_CUTS; the
 * two broken stores below are caught within them), `npm run soak:storage -- --power-cuts 1000`
 * for more; SYNOD_CRASH_SEED
 * replays a schedule. Needs FUSE: without it these tests fail, saying what to install.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCrashTest } from '../src/testing/crash-harness.js';
import { tempDir } from './tmp.js';

const tmp = tempDir('synod-power-cut-');
afterAll(() => tmp.remove());
const seed = Number(process.env.SYNOD_CRASH_SEED ?? Date.now() % 1_000_000);
const powerCuts = Number(process.env.SYNOD_POWER_CUTS ?? 30);

describe('power cuts under load: SIGKILL, then forget everything not yet durable', () => {
  // `split` commits without a sync and fdatasyncs the WAL itself (io/split-io.ts): the cuts
  // check that this is as durable as SQLite's own sync in `inline`.
  it.each(['split', 'inline'] as const)(
    `io %s: keeps every promise and vote the child reported, through ${powerCuts} power cuts (seed ${seed})`,
    async (io) => {
      const r = await runCrashTest({
        dir: tmp.file(`power-${io}`),
        kills: powerCuts,
        seed,
        powerCuts: true,
        io,
      });
      expect(r.violations).toEqual([]);
      expect(r.powerCuts).toBe(powerCuts);
      expect(r.tornCuts).toBeGreaterThan(0);
      // The cuts land on real work, and some find unsynced bytes to forget (a commit in progress).
      expect(r.cutsThatForgot).toBeGreaterThan(0);
      expect(r.p2bs).toBeGreaterThan(powerCuts * 5);
      expect(r.maxSnapshotSlot).toBeGreaterThan(25);
    },
    300_000,
  );

  it('fails when the store commits without fsync, which a SIGKILL alone never shows', async () => {
    const cut = await runCrashTest({
      dir: tmp.file('skip-fsync-power'),
      kills: powerCuts,
      seed,
      powerCuts: true,
      hook: 'skip-fsync',
      stopAtFirstViolation: true,
    });
    expect(cut.violations.join('\n')).toMatch(/not in the file|below the reported/);
    // The same broken store passes the SIGKILL test: the page cache outlives the process.
    const killed = await runCrashTest({
      dir: tmp.file('skip-fsync-kill'),
      kills: 12,
      seed,
      hook: 'skip-fsync',
    });
    expect(killed.violations).toEqual([]);
  }, 120_000);

  it('fails when the store acknowledges before writing', async () => {
    const r = await runCrashTest({
      dir: tmp.file('ack-before-write-power'),
      kills: powerCuts,
      seed,
      powerCuts: true,
      hook: 'ack-before-write',
      stopAtFirstViolation: true,
    });
    expect(r.violations.join('\n')).toMatch(/not in the file|below the reported/);
  }, 120_000);
});

/**
 * The crash test as a soak: `npm run soak:storage [-- --kills N --seed S --lanes L]`, or with a
 * power cut after every kill: `npm run soak:storage -- --power-cuts N` (the disks are power-cut
 * filesystems, half the cuts torn). `--hook skip-fsync|ack-before-write` breaks the child on
 * purpose. Exits 1 and prints every violation if one is found.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CRASH_HOOKS, runCrashTest, type CrashHook } from './crash-harness.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '2000' },
    'power-cuts': { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    lanes: { type: 'string', default: '2' },
    hook: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const hook = values.hook as CrashHook | undefined;
if (hook !== undefined && !CRASH_HOOKS.includes(hook)) {
  console.error(`unknown --hook ${hook} (one of ${CRASH_HOOKS.join(', ')})`);
  process.exit(2);
}
const powerCuts = values['power-cuts'] !== undefined;
const kills = Number(powerCuts ? values['power-cuts'] : values.kills);
const dir = mkdtempSync(join(tmpdir(), 'synod-crash-soak-'));
const seed = Number(values.seed);
console.log(
  `crash soak: ${kills} ${powerCuts ? 'kills, each followed by a power cut' : 'kills'}, seed ${seed}, files in ${dir}`,
);
const r = await runCrashTest({
  dir,
  kills,
  seed,
  lanes: Number(values.lanes),
  powerCuts,
  ...(hook !== undefined ? { hook } : {}),
  log: (line) => console.log(line),
});
console.log(
  `${r.kills} kills (${r.killsDuringStartup} during startup) in ${(r.elapsedMs / 1000).toFixed(1)} s; ` +
    (powerCuts
      ? `${r.powerCuts} power cuts (${r.tornCuts} torn; ${r.cutsThatForgot} forgot unsynced data); `
      : '') +
    `${r.decided} slots decided, ${r.p2bs} P2b and ${r.p1bs} P1b checked, snapshots up to slot ${r.maxSnapshotSlot}`,
);
if (r.violations.length > 0) {
  console.log(`${r.violations.length} violations (seed ${seed}, files kept in ${dir}):`);
  for (const v of r.violations.slice(0, 50)) console.log(`  ${v}`);
  process.exit(1);
}
if (values.keep !== true) rmSync(dir, { recursive: true, force: true });
console.log('no violation');

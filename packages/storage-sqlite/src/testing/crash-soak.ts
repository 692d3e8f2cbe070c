/**
 * The crash test as a soak: `npm run soak:storage [-- --kills N --seed S --lanes L]`.
 * Exits 1 and prints every violation if one is found.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashTest } from './crash-harness.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '2000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    lanes: { type: 'string', default: '2' },
    hook: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'synod-crash-soak-'));
const seed = Number(values.seed);
console.log(`crash soak: ${values.kills} kills, seed ${seed}, files in ${dir}`);
const r = await runCrashTest({
  dir,
  kills: Number(values.kills),
  seed,
  lanes: Number(values.lanes),
  ...(values.hook === 'ack-before-write' ? { hook: 'ack-before-write' as const } : {}),
  log: (line) => console.log(line),
});
console.log(
  `${r.kills} kills (${r.killsDuringStartup} during startup) in ${(r.elapsedMs / 1000).toFixed(1)} s; ` +
    `${r.decided} slots decided, ${r.p2bs} P2b and ${r.p1bs} P1b checked, snapshots up to slot ${r.maxSnapshotSlot}`,
);
if (r.violations.length > 0) {
  console.log(`${r.violations.length} violations (seed ${seed}, files kept in ${dir}):`);
  for (const v of r.violations.slice(0, 50)) console.log(`  ${v}`);
  process.exit(1);
}
if (values.keep !== true) rmSync(dir, { recursive: true, force: true });
console.log('no violation');

#!/usr/bin/env node
// The benchmark dispatcher: `npm run bench -- <suite> [args]` runs bench/<suite>.mjs with the
// remaining arguments; `npm run bench` alone runs every suite in order (the physical limits
// first, so that later suites can compare with them), then `summary`, which appends the goals
// of issue 13 as met or not from this run's results. Each suite is a plain script that can also
// be run on its own; it writes bench/results/<suite>-<date>.json and appends a section to
// bench/REPORT.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ORDER = [
  'limits',
  'storage',
  'transport',
  'core',
  'cluster',
  'trace',
  'failover',
  'catchup',
  'restart',
  'summary',
];
const here = dirname(fileURLToPath(import.meta.url));
const found = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_'))
  .map((f) => f.slice(0, -'.mjs'.length));
const suites = [
  ...ORDER.filter((s) => found.includes(s)),
  ...found.filter((s) => !ORDER.includes(s)).sort(),
];
const [suite, ...args] = process.argv.slice(2);

/** @param {string} name @param {string[]} argv */
function run(name, argv) {
  const r = spawnSync(process.execPath, [join(here, `${name}.mjs`), ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}

if (suite === undefined) {
  const t0 = Date.now();
  const since = new Date(t0).toISOString();
  /** @type {string[]} */
  const failed = [];
  for (const s of suites) {
    console.error(`\n=== bench ${s} (${Math.round((Date.now() - t0) / 1000)} s so far) ===`);
    if (run(s, s === 'summary' ? ['--since', since] : []) !== 0) failed.push(s);
  }
  const mins = ((Date.now() - t0) / 60000).toFixed(1);
  console.error(
    `\n=== all suites done in ${mins} min${failed.length > 0 ? `; FAILED: ${failed.join(', ')}` : ''} ===`,
  );
  process.exit(failed.length > 0 ? 1 : 0);
}
if (!existsSync(join(here, `${suite}.mjs`)) || suite === 'run') {
  console.error(`usage: npm run bench [-- <suite> [args]]\nsuites: ${suites.join(', ')}`);
  process.exit(2);
}
process.exit(run(suite, args));

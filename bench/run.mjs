#!/usr/bin/env node
// The benchmark dispatcher: `npm run bench -- <suite> [args]` runs bench/<suite>.mjs with the
// remaining arguments. Each suite is a plain script that can also be run on its own; it writes
// bench/results/<suite>-<date>.json and appends a section to bench/REPORT.md.
/* global console, process */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const suites = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .map((f) => f.slice(0, -'.mjs'.length));
const [suite, ...args] = process.argv.slice(2);
if (suite === undefined || !existsSync(join(here, `${suite}.mjs`))) {
  console.error(`usage: npm run bench -- <suite> [args]\nsuites: ${suites.join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [join(here, `${suite}.mjs`), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);

/**
 * `npm run sim -- [--seeds N | --seed S] [--inject-bug NAME] [--soak MINUTES] ...`
 *
 * Runs simulator seeds 1..N (or one seed, replayed exactly, with its trace) and ends with one
 * JSON line: {"seeds":N,"failed":F,"commands":C,"elapsedMs":T,...}. Exit code 1 on any failure,
 * after printing the failing seed, its violations and the tail of its trace.
 */
import { parseArgs } from 'node:util';
import { isBugName, KNOWN_BUGS, type BugName } from '../bugs.js';
import { runSimulation, type SimRunOptions, type SimRunResult } from './simulator.js';

function usage(): string {
  return `usage: npm run sim -- [options]
  --seeds N            run seeds 1..N (default 100)
  --from S             first seed of the range (default 1)
  --seed S             run one seed and print its trace
  --soak MINUTES       run seeds from --from on until the time is up
  --inject-bug NAME    switch on a known bug (${KNOWN_BUGS.join(', ')})
  --until-failure      stop at the first failing seed
  --no-membership      no membership changes
  --peers N            initial peers (default: 3 or 5 by seed)
  --operations N       client operations per run (default 120)
  --verbose            print one line per seed`;
}

function fail(msg: string): never {
  process.stderr.write(`sim: ${msg}\n${usage()}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        seeds: { type: 'string' },
        from: { type: 'string' },
        seed: { type: 'string' },
        soak: { type: 'string' },
        'inject-bug': { type: 'string' },
        'until-failure': { type: 'boolean' },
        'no-membership': { type: 'boolean' },
        peers: { type: 'string' },
        operations: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (err) {
    fail((err as Error).message);
  }
})();

if (values.help === true) {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
  return n;
}

const bugs: BugName[] = [];
if (values['inject-bug'] !== undefined) {
  const b = values['inject-bug'];
  if (!isBugName(b)) fail(`unknown bug ${b}`);
  bugs.push(b);
}
const base: Omit<SimRunOptions, 'seed'> = {
  bugs,
  membership: values['no-membership'] !== true,
  ...(values.peers !== undefined ? { peers: int('peers', values.peers, 3) } : {}),
  ...(values.operations !== undefined
    ? { operations: int('operations', values.operations, 120) }
    : {}),
};

function report(r: SimRunResult): void {
  process.stdout.write(
    `\nseed ${r.seed} FAILED${bugs.length > 0 ? ` (bug ${bugs.join(',')})` : ''}\n`,
  );
  for (const v of r.violations) process.stdout.write(`  ${v}\n`);
  process.stdout.write(`  trace (last ${r.trace.length} lines):\n`);
  for (const line of r.trace) process.stdout.write(`    ${line}\n`);
  process.stdout.write(
    `  replay: npm run sim -- --seed ${r.seed}${bugs.length > 0 ? ` --inject-bug ${bugs[0]}` : ''}\n`,
  );
}

const started = Date.now();
if (values.seed !== undefined) {
  const r = runSimulation({ ...base, seed: int('seed', values.seed, 1), traceLimit: 100_000 });
  if (!r.ok) report(r);
  const { trace: _t, violations: _v, ...summary } = r;
  process.stdout.write(
    `${JSON.stringify({ ...summary, ok: r.ok, elapsedMs: Date.now() - started })}\n`,
  );
  process.exit(r.ok ? 0 : 1);
}

const from = int('from', values.from, 1);
const soakMs = values.soak !== undefined ? int('soak', values.soak, 1) * 60_000 : undefined;
const count = soakMs !== undefined ? Infinity : int('seeds', values.seeds, 100);
let failed = 0;
let seeds = 0;
let commands = 0;
let operations = 0;
const failedSeeds: number[] = [];
for (let seed = from; seeds < count; seed++) {
  if (soakMs !== undefined && Date.now() - started > soakMs) break;
  const r = runSimulation({ ...base, seed });
  seeds++;
  commands += r.commands;
  operations += r.operations;
  if (values.verbose === true) {
    process.stdout.write(
      `seed ${seed} ${r.ok ? 'ok' : 'FAILED'} ops=${r.operations} commands=${r.commands} slots=${r.slots} faults=${JSON.stringify(r.faults)}\n`,
    );
  }
  if (!r.ok) {
    failed++;
    failedSeeds.push(seed);
    report(r);
    if (values['until-failure'] === true) break;
  }
}
process.stdout.write(
  `${JSON.stringify({ seeds, failed, failedSeeds: failedSeeds.slice(0, 50), commands, operations, bugs, elapsedMs: Date.now() - started })}\n`,
);
process.exit(failed > 0 ? 1 : 0);

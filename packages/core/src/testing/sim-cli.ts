/**
 * `npm run sim -- [--seeds N | --seed S] [--profile NAME] [--inject-bug NAME] [--soak MINUTES]`
 *
 * Runs simulator seeds 1..N (or one seed, replayed exactly, with its trace) and ends with one
 * JSON line: {"seeds":N,"failed":F,"profile":P,"commands":C,"elapsedMs":T,...}. Exit code 1 on
 * any failure, after printing the failing seed, its violations and the tail of its trace.
 * `--profiles` prints the nemesis profiles' names, one per line. A soak without --profile takes
 * the profiles in turn (seed i runs profile i mod the number of profiles) and counts seeds per
 * profile.
 */
import { parseArgs } from 'node:util';
import { isBugName, KNOWN_BUGS, type BugName } from '../bugs.js';
import { isProfileName, PROFILE_NAMES, type ProfileName } from './profiles.js';
import { runSimulation, type SimRunOptions, type SimRunResult } from './simulator.js';

function usage(): string {
  return `usage: npm run sim -- [options]
  --seeds N            run seeds 1..N (default 100)
  --from S             first seed of the range (default 1)
  --seed S             run one seed and print its trace
  --profile NAME       the nemesis profile (default: drawn by each seed; --profiles lists them)
  --profiles           print the profile names, one per line, and exit
  --soak MINUTES       run seeds from --from on until the time is up (every profile in turn,
                       unless --profile)
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
        profile: { type: 'string' },
        profiles: { type: 'boolean' },
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
if (values.profiles === true) {
  process.stdout.write(`${PROFILE_NAMES.join('\n')}\n`);
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
let profile: ProfileName | undefined;
if (values.profile !== undefined) {
  if (!isProfileName(values.profile))
    fail(`unknown profile ${values.profile} (one of ${PROFILE_NAMES.join(', ')})`);
  profile = values.profile;
}
const base: Omit<SimRunOptions, 'seed'> = {
  bugs,
  ...(profile !== undefined ? { profile } : {}),
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
    `  replay: npm run sim -- --seed ${r.seed} --profile ${r.profile}${bugs.length > 0 ? ` --inject-bug ${bugs[0]}` : ''}\n`,
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
const perProfile: Record<string, number> = {};
let lastProgress = Date.now();
for (let seed = from; seeds < count; seed++) {
  if (soakMs !== undefined && Date.now() - started > soakMs) break;
  // A soak covers every profile: seed i runs profile i mod their number (unless --profile).
  const rotate = soakMs !== undefined && profile === undefined;
  const r = runSimulation({
    ...base,
    seed,
    ...(rotate ? { profile: PROFILE_NAMES[seed % PROFILE_NAMES.length]! } : {}),
  });
  seeds++;
  perProfile[r.profile] = (perProfile[r.profile] ?? 0) + 1;
  commands += r.commands;
  operations += r.operations;
  if (values.verbose === true) {
    process.stdout.write(
      `seed ${seed} ${r.ok ? 'ok' : 'FAILED'} profile=${r.profile} ops=${r.operations} commands=${r.commands} slots=${r.slots} faults=${JSON.stringify(r.faults)}\n`,
    );
  }
  if (!r.ok) {
    failed++;
    failedSeeds.push(seed);
    report(r);
    if (values['until-failure'] === true) break;
  }
  if (soakMs !== undefined && Date.now() - lastProgress > 60_000) {
    lastProgress = Date.now();
    process.stderr.write(
      `sim soak: ${seeds} seeds (to ${seed}), ${failed} failed, ${Math.round((Date.now() - started) / 60_000)} min; ${JSON.stringify(perProfile)}\n`,
    );
  }
}
process.stdout.write(
  `${JSON.stringify({ seeds, failed, failedSeeds: failedSeeds.slice(0, 50), profile: profile ?? (soakMs !== undefined ? 'each in turn' : 'drawn per seed'), perProfile, commands, operations, bugs, elapsedMs: Date.now() - started })}\n`,
);
process.exit(failed > 0 ? 1 : 0);

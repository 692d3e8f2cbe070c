// Hand-made mutants of packages/core/src, one at a time: does a test fail when the
// safety-critical code is wrong? For each mutant (mutants.mjs): apply it, build core, run the
// core tests and a simulator soak, restore the file. Results go to a JSON-lines file, one line
// per mutant (killed by what, or survived).
//
//   node scripts/mutation/run.mjs [--out FILE] [--soak MIN] [--from SEED] [--extra CMD] [ID...]
//
// --extra runs one more shell command per mutant (say, a root test file for SynodNode mutants);
// --tests a,b runs those test files instead of all of packages/core (a new test against the
// mutants it is meant to kill).
// vitest stops at its first failure (--bail): "killed by" names the first failing tests only,
// unless --all-failures.
// The file is restored from the text read before the change, also when the run is stopped
// (SIGINT, SIGTERM: the command under way is killed first). It refuses to start on a dirty
// packages/core/src: a mutant must never be committed.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MUTANTS } from './mutants.mjs';

const root = join(import.meta.dirname, '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: '/tmp/mutants.jsonl' },
    soak: { type: 'string', default: '1' },
    from: { type: 'string', default: '7000000' },
    extra: { type: 'string' },
    tests: { type: 'string' },
    'all-failures': { type: 'boolean' },
    'no-sim': { type: 'boolean' },
    'no-vitest': { type: 'boolean' },
  },
});

const dirty = execFileSync('git', ['status', '--porcelain', 'packages/core/src'], {
  cwd: root,
  encoding: 'utf8',
});
if (dirty.trim() !== '') throw new Error(`packages/core/src is not clean:\n${dirty}`);

const soak = values.soak ?? '1';
const chosen =
  positionals.length === 0 ? MUTANTS : MUTANTS.filter((m) => positionals.includes(m.id));
let restore = () => {};
/** The commands under way (the simulator and the tests run side by side). */
const children = new Set(/** @type {import('node:child_process').ChildProcess[]} */ ([]));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
    restore();
    process.exit(1);
  });
}

/**
 * @typedef {{ status: number | null, stdout: string, stderr: string, timedOut: boolean, ms: number }} Ran
 * @typedef {{ killed: boolean, by: string[], ms: number }} VitestResult
 * @typedef {{ killed: boolean, by: string, ms: number }} SimResult
 * @typedef {{ seeds: number, failed: number, failedSeeds: number[] }} SimSummary
 * @typedef {{ name: string, status: string, message: string, assertionResults: { status: string, fullName: string }[] }} VitestFile
 */

/**
 * Run a command (its own process group) with a deadline; a hang counts as a kill ("timeout").
 * `limit.ms` may be lowered while it runs.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ ms: number }} limit
 * @returns {Promise<Ran>}
 */
function run(cmd, args, limit) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd: root, detached: true });
    children.add(c);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    c.stdout.on('data', (/** @type {Buffer} */ d) => (stdout += d.toString()));
    c.stderr.on('data', (/** @type {Buffer} */ d) => (stderr += d.toString()));
    const timer = setInterval(() => {
      if (Date.now() - t0 < limit.ms) return;
      timedOut = true;
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
    }, 500);
    c.on('close', (/** @type {number | null} */ status) => {
      clearInterval(timer);
      children.delete(c);
      resolve({ status, stdout, stderr, timedOut, ms: Date.now() - t0 });
    });
  });
}

/**
 * The core tests, up to the first failure.
 * @param {{ ms: number }} limit
 * @returns {Promise<VitestResult>}
 */
async function vitest(limit) {
  const json = '/tmp/mutant-vitest.json';
  rmSync(json, { force: true });
  const r = await run(
    'npx',
    [
      'vitest',
      'run',
      ...(values.tests?.split(',') ?? ['packages/core']),
      ...(values['all-failures'] ? [] : ['--bail=1']),
      '--reporter=json',
      `--outputFile=${json}`,
    ],
    limit,
  );
  if (r.timedOut) return { killed: true, by: ['timeout'], ms: r.ms };
  /** @type {string[]} */
  let failed = [];
  try {
    /** @type {unknown} */
    const parsed = JSON.parse(readFileSync(json, 'utf8'));
    const report = /** @type {{ testResults: VitestFile[] }} */ (parsed);
    for (const f of report.testResults) {
      const file = f.name.replace(`${root}/`, '');
      const bad = f.assertionResults.filter((a) => a.status === 'failed');
      for (const a of bad) failed.push(`${file} > ${a.fullName}`);
      if (bad.length === 0 && f.status === 'failed')
        failed.push(`${file} (${f.message.slice(0, 120)})`);
    }
  } catch {
    failed = [`no report (exit ${r.status}): ${r.stderr.slice(-300)}`];
  }
  return { killed: r.status !== 0 || failed.length > 0, by: failed, ms: r.ms };
}

/**
 * A simulator soak from a fixed seed, up to the first failing seed.
 * @returns {Promise<SimResult>}
 */
async function sim() {
  const args = [
    'packages/core/dist/testing/sim-cli.js',
    '--soak',
    soak,
    '--from',
    values.from ?? '7000000',
  ];
  const r = await run('node', [...args, '--until-failure'], {
    ms: Number(soak) * 60_000 + 120_000,
  });
  if (r.timedOut) return { killed: true, by: 'timeout', ms: r.ms };
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  /** @type {SimSummary} */
  let summary;
  try {
    /** @type {unknown} */
    const parsed = JSON.parse(last);
    summary = /** @type {SimSummary} */ (parsed);
  } catch {
    return { killed: r.status !== 0, by: `exit ${r.status}: ${r.stderr.slice(-300)}`, ms: r.ms };
  }
  const seed = summary.failedSeeds[0];
  const why = r.stdout.match(/FAILED[^\n]*\n {2}([^\n]*)/)?.[1] ?? '';
  const profile = r.stdout.match(/--profile (\S+)/)?.[1] ?? '';
  return {
    killed: summary.failed > 0,
    by:
      seed === undefined
        ? `${summary.seeds} seeds ok`
        : `seed ${seed} (${profile}) after ${summary.seeds}: ${why.slice(0, 200)}`,
    ms: r.ms,
  };
}

for (const m of chosen) {
  const path = join(root, m.file);
  const original = readFileSync(path, 'utf8');
  const at = original.indexOf(m.find);
  if (at < 0 || original.indexOf(m.find, at + 1) >= 0)
    throw new Error(`${m.id}: the text to change is not found exactly once in ${m.file}`);
  restore = () => writeFileSync(path, original);
  writeFileSync(path, original.slice(0, at) + m.replace + original.slice(at + m.find.length));
  /** @type {{ id: string, area: string, file: string, what: string, compile?: string, sim?: SimResult, vitest?: VitestResult, extra?: { killed: boolean, ms: number, tail: string }, killed?: boolean }} */
  const result = { id: m.id, area: m.area, file: m.file, what: m.what };
  try {
    const build = await run('npx', ['tsc', '-b', 'packages/core'], { ms: 300_000 });
    if (build.status !== 0) {
      result.compile = build.stdout.slice(0, 500);
    } else {
      // Side by side. Once the simulator has killed the mutant, the tests get a shorter deadline:
      // a broken ballot order makes every test that elects a leader wait out its 30 s timeout
      // (a clean run takes 20-60 s).
      const limit = { ms: 600_000 };
      const simmed = values['no-sim']
        ? undefined
        : sim().then((r) => {
            if (r.killed) limit.ms = Math.min(limit.ms, 150_000);
            return r;
          });
      const tested = values['no-vitest'] ? undefined : vitest(limit);
      [result.sim, result.vitest] = await Promise.all([simmed, tested]);
      if (values.extra !== undefined) {
        const e = await run('sh', ['-c', values.extra], { ms: 900_000 });
        result.extra = {
          killed: e.status !== 0,
          ms: e.ms,
          tail: (e.stdout + e.stderr).slice(-600),
        };
      }
    }
  } finally {
    restore();
    restore = () => {};
  }
  result.killed = [result.vitest, result.sim, result.extra].some((x) => x?.killed === true);
  appendFileSync(values.out ?? '/tmp/mutants.jsonl', `${JSON.stringify(result)}\n`);
  const v = result.vitest?.killed ? `vitest ${result.vitest.by.length}` : 'vitest -';
  const s = result.sim?.killed ? `sim(${result.sim.by.slice(0, 60)})` : 'sim -';
  process.stdout.write(
    `${m.id} ${result.compile ? 'COMPILE ERROR' : result.killed ? 'killed' : 'SURVIVED'}: ${v}, ${s}\n`,
  );
}
// Leave dist as the source says.
await run('npx', ['tsc', '-b', 'packages/core'], { ms: 300_000 });

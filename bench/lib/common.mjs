// Shared helpers of the benchmark suites: machine description, statistics, the machine's load,
// results files, REPORT.md sections and SVG charts (vega-lite rendered in Node, no browser).
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');

/**
 * The project's shared folder (data sets, the etcd anchor) beside the repository: `../shared`
 * of a clone, `../../shared` of a worktree under wt/, or SYNOD_SHARED.
 */
export const SHARED_DIR =
  process.env.SYNOD_SHARED ??
  [join(ROOT, '..', 'shared'), join(ROOT, '..', '..', 'shared')].find((d) => existsSync(d)) ??
  join(ROOT, '..', 'shared');

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** JSON.parse, typed unknown (cast the result where it is used). @param {string} text */
export function parseJson(text) {
  /** @type {unknown} */
  const v = JSON.parse(text);
  return v;
}

// ------------------------------------------------------------------ statistics

/** @param {readonly number[]} xs */
export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * @typedef {{ median: number, min: number, max: number, n: number }} Stat
 * @param {readonly number[]} xs @returns {Stat}
 */
export function summary(xs) {
  const ok = xs.filter((x) => Number.isFinite(x));
  if (ok.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length };
}

/**
 * Nearest-rank percentile of an ascending array (the same rule as the etcd anchor's bench.mjs).
 * @param {ArrayLike<number>} sorted @param {number} p
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Latency summary (ms) of an unsorted list of samples. @param {ArrayLike<number>} xs */
export function latencySummary(xs) {
  const s = Float64Array.from(xs).sort();
  let sum = 0;
  for (const x of s) sum += x;
  return {
    n: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    mean: s.length > 0 ? sum / s.length : NaN,
    max: s.length > 0 ? s[s.length - 1] : NaN,
  };
}

// ------------------------------------------------------------------ formatting

/** Thousands with separators, or a few significant digits for small numbers. @param {number} x */
export function fmt(x) {
  if (!Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

/** "median (min–max)" @param {Stat} s @param {(x: number) => string} [f] */
export function range(s, f = fmt) {
  if (s.n <= 1) return f(s.median);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** @param {number} x */
export const pctStr = (x) => `${Math.round(x * 100)}%`;

// ------------------------------------------------------------------ the machine

/** @param {string} pkg */
export function versionOf(pkg) {
  try {
    const text = readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8');
    return String(/** @type {{ version: string }} */ (parseJson(text)).version);
  } catch {
    return 'unknown';
  }
}

/** @param {string} path */
export function filesystemOf(path) {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 2 && path.startsWith(f[1]))
      .sort((a, b) => b[1].length - a[1].length);
    return mounts[0] ? `${mounts[0][2]} (${mounts[0][0]} on ${mounts[0][1]})` : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** @param {string} dir */
export function machineInfo(dir = '/tmp') {
  return {
    cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    libp2p: versionOf('libp2p'),
    betterSqlite3: versionOf('better-sqlite3'),
    filesystem: filesystemOf(dir),
    gitHead: git(['rev-parse', '--short', 'HEAD']),
    coreDirty: git(['status', '--porcelain', 'packages/core/src']) !== '',
  };
}

/** @param {string[]} args */
function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** @param {ReturnType<typeof machineInfo>} m */
export function machineLine(m) {
  return `Machine: ${m.cpu}, ${m.memoryGiB} GiB, ${m.kernel}; files on ${m.filesystem}.`;
}

/** @param {ReturnType<typeof machineInfo>} m @param {string} [extra] */
export function versionsLine(m, extra = '') {
  const dirty = m.coreDirty ? ' (with uncommitted changes in packages/core/src)' : '';
  return (
    `Versions: node ${m.node}, libp2p ${m.libp2p}, better-sqlite3 ${m.betterSqlite3}` +
    `${extra}; Synod at ${m.gitHead}${dirty}.`
  );
}

// ------------------------------------------------------------------ the machine's load

/** Busy and total jiffies of all cores. */
function procStat() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
  const n = f.map(Number);
  const idle = n[3] + (n[4] || 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** CPU jiffies (user + system) of a process; NaN once it is gone. @param {number} pid */
export function procTicks(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in MiB; NaN once it is gone. @param {number} pid */
export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Watch the machine while something runs: system-wide busy share of all cores, the CPU share of
 * given processes (% of one core) and their peak RSS. `stop()` returns the figures.
 * @param {Record<string, number>} pids name -> pid
 */
export function watchMachine(pids = {}, everyMs = 200) {
  const a = procStat();
  const t0 = performance.now();
  const ticks0 = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, procTicks(p)]));
  const self0 = process.cpuUsage();
  /** @type {Record<string, number>} */
  const peak = {};
  const sample = () => {
    for (const [k, p] of Object.entries(pids)) {
      const r = rssMiB(p);
      if (Number.isFinite(r) && !(r <= (peak[k] ?? 0))) peak[k] = r;
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const b = procStat();
      const dt = (performance.now() - t0) / 1000;
      const self = process.cpuUsage(self0);
      /** @type {Record<string, number>} */
      const cpu = {};
      for (const [k, p] of Object.entries(pids)) {
        cpu[k] = (100 * (procTicks(p) - ticks0[k])) / 100 / dt;
      }
      const busy = b.total - a.total > 0 ? 1 - (b.idle - a.idle) / (b.total - a.total) : NaN;
      return {
        seconds: dt,
        systemBusyPct: 100 * busy,
        cores: cpus().length,
        cpuPctOfOneCore: cpu,
        selfCpuPct: (100 * (self.user + self.system)) / 1e6 / dt,
        peakRssMiB: peak,
        loadavg: loadavg()[0],
      };
    },
  };
}

/**
 * System-wide busy % over `ms` (the machine is shared: report what else ran).
 * @param {number} ms
 */
export async function busyPct(ms) {
  const a = procStat();
  await sleep(ms);
  const b = procStat();
  return b.total - a.total > 0 ? 100 * (1 - (b.idle - a.idle) / (b.total - a.total)) : NaN;
}

/**
 * Wait (at most maxMs) until the machine is quiet: busy < pct over 1 s. Returns the last busy %.
 * Other sessions share this machine; this reduces (not removes) their interference.
 */
export async function waitQuiet(pct = 15, maxMs = 20_000) {
  const t0 = performance.now();
  let p = await busyPct(1000);
  while (p >= pct && performance.now() - t0 < maxMs) p = await busyPct(1000);
  return p;
}

// ------------------------------------------------------------------ results and REPORT.md

export function stamp(date = new Date()) {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** @param {string} suite @param {string} date @param {unknown} data @returns {string} file name */
export function saveResults(suite, date, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const name = `${suite}-${stamp(new Date(date))}.json`;
  writeFileSync(join(RESULTS_DIR, name), `${JSON.stringify(data, null, 2)}\n`);
  return name;
}

/**
 * Append a section to bench/REPORT.md, then format the file as the repository's Prettier would
 * (`npm run lint` checks it), so that its tables stay aligned.
 * @param {string[]} lines
 */
export async function appendReport(lines) {
  const report = join(BENCH_DIR, 'REPORT.md');
  if (!existsSync(report)) writeFileSync(report, '# Benchmark reports\n\nNewest sections last.\n');
  appendFileSync(report, ['', ...lines, ''].join('\n'));
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(report)) ?? {};
    const text = readFileSync(report, 'utf8');
    writeFileSync(report, await prettier.format(text, { ...options, filepath: report }));
  } catch (e) {
    log(`REPORT.md not formatted: ${String(e)}`);
  }
}

/** A markdown table. @param {string[]} head @param {string[][]} rows @param {string} [align] */
export function table(head, rows, align) {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r')).join('');
  const sep = [...a].map((c) => (c === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`);
}

// ------------------------------------------------------------------ charts

/**
 * Render a vega-lite spec to an SVG file in bench/results; returns its file name.
 * @param {string} name file name without extension @param {Record<string, unknown>} spec
 */
export async function renderChart(name, spec) {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const compiled = vl.compile(
    /** @type {import('vega-lite').TopLevelSpec} */ ({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      background: 'white',
      ...spec,
    }),
  ).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${name}.svg`;
  writeFileSync(join(RESULTS_DIR, file), svg);
  return file;
}

/** Print and flush a progress line to stderr (stdout stays for summaries). @param {string} s */
export function log(s) {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
}

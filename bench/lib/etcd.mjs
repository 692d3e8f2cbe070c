// The etcd side of the comparison: install Debian's etcd when missing, start and stop a 3-member
// cluster on 127.0.0.1 with the anchor's scripts (copied into bench/etcd/), and run the
// closed-loop load in its own process: through etcd's native gRPC client (the anchor's
// grpcbench, built offline, the fair comparison) or its HTTP/JSON gateway (bench/etcd/etcd-load.mjs).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, log, parseJson, SHARED_DIR } from './common.mjs';

const SCRIPTS = join(BENCH_DIR, 'etcd');
export const ETCD_DIR = process.env.ETCD_BENCH_DIR ?? '/tmp/synod-bench-etcd';

/** The etcd version, installing Debian's etcd-server and etcd-client when missing. */
export function ensureEtcd() {
  if (!existsSync('/usr/bin/etcd') || !existsSync('/usr/bin/etcdctl')) {
    log('etcd is missing: installing Debian etcd-server and etcd-client with apt-get');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    const inst =
      upd.status === 0
        ? spawnSync('apt-get', ['install', '-y', 'etcd-server', 'etcd-client'], {
            stdio: 'inherit',
            env,
          })
        : upd;
    if (inst.status !== 0 || !existsSync('/usr/bin/etcd')) {
      throw new Error(
        'could not install etcd: `apt-get install -y etcd-server etcd-client` failed ' +
          '(it needs root and access to the Debian archive). Install it by hand, or run the ' +
          'cluster suite with --no-etcd to measure Synod alone.',
      );
    }
  }
  const out = execFileSync('/usr/bin/etcd', ['--version'], { encoding: 'utf8' });
  return /etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown';
}

/** Start a fresh 3-member cluster (the anchor's run-cluster.sh). */
export function startEtcd() {
  stopEtcd();
  const r = spawnSync('bash', [join(SCRIPTS, 'run-cluster.sh')], {
    env: { ...process.env, BENCH_DIR: ETCD_DIR },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`etcd did not start:\n${r.stdout}\n${r.stderr}`);
}

/** Stop it by its saved PIDs and remove its data (the anchor's stop-cluster.sh). */
export function stopEtcd() {
  spawnSync('bash', [join(SCRIPTS, 'stop-cluster.sh')], {
    env: { ...process.env, BENCH_DIR: ETCD_DIR },
    stdio: 'ignore',
  });
}

/** @returns {Record<string, number>} member name -> pid */
export function etcdPids() {
  /** @type {Record<string, number>} */
  const out = {};
  for (const m of ['m0', 'm1', 'm2']) {
    try {
      out[`etcd-${m}`] = Number(readFileSync(join(ETCD_DIR, `${m}.pid`), 'utf8').trim());
    } catch {
      // not running
    }
  }
  return out;
}

/**
 * @typedef {{ conc: number, opsPerSec: number, p50: number, p99: number, p999: number,
 *   okInWindow: number, errorsInWindow: number, revisionCheck: string, errors: Record<string, number>,
 *   putsPerLeaderFsync: number, walFsyncs: number[] }} EtcdLoadResult
 * @param {number} conc @param {number} durationS @param {number} warmupS
 * @returns {Promise<EtcdLoadResult>}
 */
export function etcdLoad(conc, durationS, warmupS) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(SCRIPTS, 'etcd-load.mjs'),
        '--conc',
        String(conc),
        '--duration',
        String(durationS),
        '--warmup',
        String(warmupS),
      ],
      { maxBuffer: 16 << 20, timeout: (durationS + warmupS + 60) * 1000 },
      (err, stdout, stderr) => {
        if (err !== null) {
          reject(new Error(`etcd load failed: ${err.message}\n${stderr}`));
          return;
        }
        resolve(/** @type {EtcdLoadResult} */ (parseJson(stdout.trim().split('\n').pop() ?? '')));
      },
    );
  });
}

// ------------------------------------------------------------------ native gRPC client

/** The etcd anchor beside the repository (its grpcbench is built from there, never copied). */
const ANCHOR = process.env.SYNOD_ETCD_ANCHOR ?? join(SHARED_DIR, 'anchors', 'etcd');
/** Where grpcbench and Go's build cache go (not in the repository). */
const CACHE = process.env.SYNOD_BENCH_CACHE ?? join(tmpdir(), 'synod-bench-cache');
const GRPCBENCH = join(CACHE, 'grpcbench');
const GOPATH = '/usr/share/gocode';

/**
 * The path of etcd's native gRPC load generator (the anchor's grpcbench/main.go: Go clientv3,
 * the same closed loop as the Synod side), built offline from Debian's golang-go and
 * golang-etcd-server-dev (installed with apt-get when missing) into a cache directory.
 */
export function ensureGrpcBench() {
  const source = join(ANCHOR, 'grpcbench', 'main.go');
  if (!existsSync(source)) {
    throw new Error(
      `no etcd anchor at ${ANCHOR} (grpcbench/main.go): set SYNOD_ETCD_ANCHOR, or pass --etcd-client http`,
    );
  }
  if (!existsSync('/usr/bin/go') || !existsSync(join(GOPATH, 'src', 'go.etcd.io', 'etcd'))) {
    log('Go or etcd sources missing: installing Debian golang-go and golang-etcd-server-dev');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const inst = spawnSync('apt-get', ['install', '-y', 'golang-go', 'golang-etcd-server-dev'], {
      stdio: 'inherit',
      env,
    });
    if (inst.status !== 0 || !existsSync('/usr/bin/go')) {
      throw new Error(
        'could not install golang-go and golang-etcd-server-dev with apt-get (root and the Debian ' +
          'archive are needed); install them, or pass --etcd-client http',
      );
    }
  }
  const fresh = existsSync(GRPCBENCH) && statSync(GRPCBENCH).mtimeMs > statSync(source).mtimeMs;
  if (!fresh) {
    mkdirSync(CACHE, { recursive: true });
    log(`building grpcbench from ${ANCHOR} into ${CACHE} (offline, GOPATH mode)`);
    const b = spawnSync('go', ['build', '-o', GRPCBENCH, './grpcbench'], {
      cwd: ANCHOR,
      stdio: 'inherit',
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH,
        GOCACHE: join(CACHE, 'gocache'),
      },
    });
    if (b.status !== 0) throw new Error('building grpcbench failed (see above)');
  }
  return GRPCBENCH;
}

/**
 * @typedef {{ opsPerSec: number, p50ms: number, p99ms: number, okInWindow: number,
 *   errorsInWindow: number, errors: Record<string, number>, revisionCheck: string,
 *   cpu: { etcdPctOfOneCore: Record<string, number>, etcdTotalPct: number, clientPct: number,
 *     systemBusyPctOfAllCores: number, otherProcsPct: number } }} GrpcLoadResult
 * @param {number} conc @param {number} durationS @param {number} warmupS
 * @returns {Promise<GrpcLoadResult>}
 */
export function grpcLoad(conc, durationS, warmupS) {
  return new Promise((resolve, reject) => {
    execFile(
      GRPCBENCH,
      [
        '--op',
        'put',
        '--conc',
        String(conc),
        '--target',
        'leader',
        '--duration',
        String(durationS),
        '--warmup',
        String(warmupS),
        '--pid-dir',
        ETCD_DIR,
      ],
      { maxBuffer: 16 << 20, timeout: (durationS + warmupS + 60) * 1000 },
      (err, stdout, stderr) => {
        if (err !== null) {
          reject(new Error(`grpcbench failed: ${err.message}\n${stderr}`));
          return;
        }
        resolve(/** @type {GrpcLoadResult} */ (parseJson(stdout.trim().split('\n').pop() ?? '')));
      },
    );
  });
}

/** Times a member became leader so far, from the members' logs (raft's own log line). */
export function etcdElections() {
  let n = 0;
  for (const m of ['m0', 'm1', 'm2']) {
    try {
      const text = readFileSync(join(ETCD_DIR, `${m}.log`), 'utf8');
      n += text.split('\n').filter((l) => /became leader at term/.test(l)).length;
    } catch {
      // no log
    }
  }
  return n;
}

// The etcd side of the comparison: install Debian's etcd when missing, start and stop a 3-member
// cluster on 127.0.0.1 with the anchor's scripts (copied into bench/etcd/), and run the
// closed-loop load (bench/etcd/etcd-load.mjs) in its own process.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, log, parseJson } from './common.mjs';

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

/**
 * `synod start`, and `npm start`'s launcher in browser mode (the peer in its own process), run
 * with a libuv thread pool sized for many logs (src/thread-pool.cts: every log's WAL sync runs on
 * that pool; 4 threads let logs on a slow disk hold up one on a fast one), unless the user set
 * UV_THREADPOOL_SIZE. The pool is counted as it is: the threads of the
 * running peer process (/proc/<pid>/task), whose pool started as its first file was read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../bin/synod.cjs', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('../bin/launch.cjs', import.meta.url));
const PEER_ARGS = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'];
const root = mkdtempSync(join(tmpdir(), 'synod-thread-pool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The threads of the peer process `args` start, once it leads its log; stopped after. */
async function threadsOfPeer(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no leader within 30 s:\n${out}`)), 30_000);
      const read = (d: Buffer) => {
        out += d.toString();
        if (/leader: .*this peer/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', () => reject(new Error(`the peer exited:\n${out}`)));
    });
    return readdirSync(`/proc/${child.pid}/task`).length;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe.runIf(process.platform === 'linux')('synod start', () => {
  it("sizes libuv's thread pool for many logs, unless UV_THREADPOOL_SIZE is set", async () => {
    const data = join(root, 'd');
    const init = spawnSync(process.execPath, [CLI, 'init', '--data', data], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    // 64 pool threads, beside Node's own (main, V8 platform workers, signal and inspector threads).
    const start = [CLI, 'start', '--data', data, ...PEER_ARGS];
    expect(await threadsOfPeer(start, env)).toBeGreaterThanOrEqual(64);
    expect(await threadsOfPeer(start, { ...env, UV_THREADPOOL_SIZE: '4' })).toBeLessThan(30);
    // npm start in browser mode (--headless: even where Electron is installed).
    const launch = [LAUNCHER, '--headless', '--data', data, ...PEER_ARGS, '--api', '127.0.0.1:0'];
    expect(await threadsOfPeer(launch, env)).toBeGreaterThanOrEqual(64);
  }, 120_000);
});

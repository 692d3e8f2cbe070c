// A peer of the chaos suite (peer.mjs) as a child process, driven by JSON lines: the harness's
// (in a network namespace of its own) and the rolling-upgrade test's (on 127.0.0.1).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('./peer.mjs', import.meta.url));

/** One peer process (one incarnation of a host). */
export class PeerProcess {
  /**
   * @param {string | undefined} ns its network namespace (undefined: this one, on 127.0.0.1)
   * @param {Record<string, unknown>} config
   * @param {(line: string) => void} log
   * @param {string} name
   */
  constructor(ns, config, log, name) {
    this.name = name;
    const node = [process.execPath, PEER, JSON.stringify(config)];
    const [cmd, ...args] = ns === undefined ? node : ['ip', 'netns', 'exec', ns, ...node];
    this.proc = spawn(/** @type {string} */ (cmd), args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C meant for the harness must not look like a crash. The
      // peer exits when the harness's pipe closes.
      detached: true,
    });
    this.pid = this.proc.pid ?? -1;
    this.stderr = '';
    this.exited = false;
    /** @type {number | null} */
    this.exitCode = null;
    /** @type {string | null} */
    this.exitSignal = null;
    this.nextId = 1;
    /** @type {Map<number, (a: Record<string, unknown>) => void>} */
    this.waiting = new Map();
    this.proc.stderr.on('data', (d) => {
      this.stderr = (this.stderr + String(d)).slice(-20_000);
    });
    this.exit = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        for (const w of this.waiting.values()) w({ ok: false, code: 'exited', error: 'exited' });
        this.waiting.clear();
        resolve(undefined);
      });
    });
    this.proc.stdin.on('error', () => undefined);
    /** @type {Promise<Record<string, unknown>>} */
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${name} not ready: ${this.stderr}`)), 30_000);
      void this.exit.then(() => reject(new Error(`${name} exited at start: ${this.stderr}`)));
      createInterface({ input: this.proc.stdout }).on('line', (line) => {
        /** @type {Record<string, unknown>} */
        let msg;
        try {
          /** @type {unknown} */
          const raw = JSON.parse(line);
          msg = /** @type {Record<string, unknown>} */ (raw);
        } catch {
          log(`${name} stdout: ${line}`);
          return;
        }
        if (msg.event === 'ready') {
          clearTimeout(t);
          resolve(msg);
          return;
        }
        const w = this.waiting.get(Number(msg.id));
        if (w !== undefined) {
          this.waiting.delete(Number(msg.id));
          w(msg);
        }
      });
    });
    this.ready.catch(() => undefined);
  }

  /**
   * Send a command; resolves with the answer ({ ok: false, code: 'timeout' } when none came in
   * time: the command may still run).
   * @param {string} cmd
   * @param {Record<string, unknown>} args
   * @param {number} timeoutMs
   * @returns {Promise<Record<string, unknown>>}
   */
  request(cmd, args, timeoutMs) {
    if (this.exited) return Promise.resolve({ ok: false, code: 'exited', error: 'exited' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ ok: false, code: 'harness-timeout', error: `no answer in ${timeoutMs} ms` });
      }, timeoutMs);
      this.waiting.set(id, (a) => {
        clearTimeout(t);
        resolve(a);
      });
      this.proc.stdin.write(JSON.stringify({ id, cmd, ...args }) + '\n');
    });
  }

  /** @param {NodeJS.Signals} sig */
  signal(sig) {
    if (this.exited) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Exited meanwhile.
    }
  }
}

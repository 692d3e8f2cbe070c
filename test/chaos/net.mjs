// The chaos suite's network (test/chaos/README.md): one network namespace per peer, each with
// one interface (a TAP device) into a userspace switch (netswitch.py) that runs in a namespace of
// its own and applies partitions, loss, delay, reordering and duplication per directed link.
// Nothing is created in the machine's default namespace, so no frame (mDNS multicast included)
// can leave the switch's ports.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SWITCH = fileURLToPath(new URL('./netswitch.py', import.meta.url));
/** The prefix of every namespace this suite creates (with the harness's pid after it). */
export const NS_PREFIX = 'syc';

/** @param {string[]} args */
export function ip(...args) {
  return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/** Namespaces left by chaos runs whose harness is gone (killed with SIGKILL, say). */
function removeStale() {
  let list = '';
  try {
    list = ip('netns', 'list');
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${NS_PREFIX}(\\d+)-`).exec(name);
    if (m !== null && !alive(Number(m[1]))) {
      // Its processes first (a peer left SIGSTOPped would never notice its harness is gone).
      try {
        for (const pid of ip('netns', 'pids', name).split('\n').filter(Boolean)) {
          process.kill(Number(pid), 'SIGKILL');
        }
      } catch {
        // None left.
      }
      try {
        ip('netns', 'del', name);
      } catch {
        // Gone already.
      }
    }
  }
}

/**
 * Why namespaces cannot be made here, or undefined when they can.
 * @returns {string | undefined}
 */
export function unavailableReason() {
  if (process.platform !== 'linux') return `network namespaces need Linux (${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'network namespaces need root';
  }
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'the userspace switch needs python3';
  }
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun (TAP devices)';
  const probe = `${NS_PREFIX}${process.pid}-probe`;
  try {
    ip('netns', 'add', probe);
  } catch (err) {
    return `cannot create a network namespace (${String(/** @type {Error} */ (err).message).split('\n')[0]})`;
  } finally {
    try {
      ip('netns', 'del', probe);
    } catch {
      // Not created.
    }
  }
  return undefined;
}

/**
 * @typedef {{ block?: boolean, loss?: number, delay_ms?: number, jitter_ms?: number, dup?: number }} LinkRule
 */

export class ChaosNet {
  /** @param {number} subnet third octet of 10.233.<subnet>.0/24 */
  constructor(subnet = 7) {
    this.tag = `${NS_PREFIX}${process.pid}`;
    this.switchNs = `${this.tag}-sw`;
    this.subnet = subnet;
    /** @type {Map<number, string>} host index -> namespace */
    this.hosts = new Map();
    /** @type {import('node:child_process').ChildProcess | undefined} */
    this.proc = undefined;
    this.nextId = 1;
    /** @type {Map<number, (a: Record<string, unknown>) => void>} */
    this.waiting = new Map();
    /** @type {((a: Record<string, unknown>) => void) | undefined} */
    this.onReady = undefined;
    /** @type {Record<string, unknown>} */
    this.lastStats = {};
    this.defaultLinks = new Set();
  }

  /** Create the switch's namespace and start the switch. */
  async start(seed = 1) {
    removeStale();
    this.defaultLinks = new Set(this.defaultNamespaceLinks());
    ip('netns', 'add', this.switchNs);
    ip('-n', this.switchNs, 'link', 'set', 'lo', 'up');
    const proc = spawn('ip', ['netns', 'exec', this.switchNs, 'python3', '-u', SWITCH], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, SWITCH_SEED: String(seed) },
      // Its own process group: a Ctrl-C meant for the harness must not kill the LAN mid-round.
      detached: true,
    });
    this.proc = proc;
    let stderr = '';
    proc.stderr.on('data', (d) => {
      stderr = (stderr + String(d)).slice(-4000);
    });
    const ready = new Promise((resolve, reject) => {
      this.onReady = resolve;
      proc.once('exit', (code) => reject(new Error(`the switch exited (${code}): ${stderr}`)));
    });
    createInterface({ input: proc.stdout }).on('line', (line) => {
      /** @type {Record<string, unknown>} */
      /** @type {unknown} */
      const raw = JSON.parse(line);
      const msg = /** @type {Record<string, unknown>} */ (raw);
      if (msg.event === 'ready') this.onReady?.(msg);
      const w = this.waiting.get(Number(msg.id));
      if (w !== undefined) {
        this.waiting.delete(Number(msg.id));
        w(msg);
      }
    });
    await ready;
  }

  /**
   * @param {string} cmd
   * @param {Record<string, unknown>} args
   * @returns {Promise<Record<string, unknown>>}
   */
  async request(cmd, args = {}) {
    const proc = this.proc;
    if (proc === undefined) throw new Error('the switch is not running');
    const id = this.nextId++;
    /** @type {Record<string, unknown>} */
    const answer = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`switch: ${cmd} timed out`)), 10_000);
      this.waiting.set(id, (a) => {
        clearTimeout(t);
        resolve(a);
      });
      proc.stdin?.write(JSON.stringify({ id, cmd, ...args }) + '\n');
    });
    if (answer.ok !== true) throw new Error(`switch: ${cmd} failed: ${String(answer.error)}`);
    this.lastStats = /** @type {Record<string, unknown>} */ (answer.stats);
    return answer;
  }

  /** The address of host `n`. @param {number} n */
  addr(n) {
    return `10.233.${this.subnet}.${n + 10}`;
  }

  /** @param {number} n */
  nsOf(n) {
    return `${this.tag}-p${n}`;
  }

  /**
   * Create host `n`'s namespace, with one interface (eth0) into the switch. Idempotent.
   * @param {number} n
   */
  async addHost(n) {
    if (this.hosts.has(n)) return this.hosts.get(n);
    const ns = this.nsOf(n);
    const dev = `${this.tag.slice(-8)}t${n}`;
    ip('netns', 'add', ns);
    await this.request('add', { port: `p${n}`, dev });
    ip('-n', this.switchNs, 'link', 'set', dev, 'netns', ns);
    ip('-n', ns, 'link', 'set', dev, 'name', 'eth0');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${this.addr(n)}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    // mDNS: multicast goes out of eth0, the namespace's only link.
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
    this.hosts.set(n, ns);
    return ns;
  }

  /**
   * Replace every fault: `base` applies to every link, `links` to single directed links
   * (`p0>p1`: frames from host 0 to host 1).
   * @param {LinkRule} base
   * @param {Record<string, LinkRule>} links
   */
  async setRules(base = {}, links = {}) {
    await this.request('rules', { default: base, links });
  }

  async stats() {
    await this.request('stats');
    return this.lastStats;
  }

  /** @returns {string[]} the names of the links in the machine's default namespace */
  defaultNamespaceLinks() {
    return ip('-o', 'link', 'show')
      .split('\n')
      .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
      .filter((s) => s !== '');
  }

  /**
   * Where multicast could go: each host namespace must hold exactly lo and eth0, and the default
   * namespace no link this suite made. Returns problems found (none is the expected answer).
   */
  containment() {
    /** @type {string[]} */
    const problems = [];
    for (const ns of [...this.hosts.values(), this.switchNs]) {
      const links = ip('-n', ns, '-o', 'link', 'show')
        .split('\n')
        .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
        .filter((s) => s !== '');
      const extra = links.filter((l) => l !== 'lo' && l !== 'eth0');
      if (extra.length > 0) problems.push(`${ns} has links ${extra.join(', ')}`);
    }
    const now = this.defaultNamespaceLinks().filter((l) => !this.defaultLinks.has(l));
    if (now.some((l) => l.includes(this.tag.slice(-8)))) {
      problems.push(`the default namespace has links ${now.join(', ')}`);
    }
    return problems;
  }

  /** Stop the switch and delete every namespace; safe to call twice, and after a failure. */
  stop() {
    try {
      this.proc?.kill('SIGKILL');
    } catch {
      // Gone.
    }
    this.proc = undefined;
    for (const ns of [...this.hosts.values(), this.switchNs]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // Not created, or gone.
      }
    }
    this.hosts.clear();
  }
}

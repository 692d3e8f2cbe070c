// One Synod host of the many-logs benchmark (bench/logs.mjs), in its own process: @synod/peer's
// createHost — one data directory, one libp2p node (TCP + Noise + yamux on 127.0.0.1, mDNS off),
// any number of logs, each with its own core and SQLite file (WAL, synchronous=FULL unless told
// otherwise) — driven over the IPC channel. The closed-loop load runs here, in the process of
// the logs' leader, as an app's proposals would.
const { createHost } = await import('@synod/peer');
const { BenchStateMachine } = await import('./bench-sm.mjs');
const { now, startLoad } = await import('./load.mjs');
const { benchCommand } = await import('./bench-sm.mjs');

/** @typedef {{ id: number, cmd: string, [arg: string]: unknown }} Request */

/** @type {Awaited<ReturnType<typeof createHost>> | undefined} */
let host;
/** @type {Map<string, import('@synod/peer').Peer<import('./bench-sm.mjs').BenchStateMachine>>} */
const logs = new Map();
/** @type {Map<string, { stop: () => Promise<import('./load.mjs').LoadResult> }>} */
const loads = new Map();

function running() {
  if (host === undefined) throw new Error('the host is not started');
  return host;
}

/** @param {string} name */
function logOf(name) {
  const p = logs.get(name);
  if (p === undefined) throw new Error(`no log ${name}`);
  return p;
}

/** @type {Record<string, (r: Request) => Promise<Record<string, unknown>>>} */
const handlers = {
  async start(r) {
    host = await createHost({
      dataDir: String(r.dir),
      listen: [`/ip4/127.0.0.1/tcp/${Number(r.port)}`],
      mdns: false,
      durability: r.durability === 'normal-unsafe' ? 'normal-unsafe' : 'full',
    });
    return { peer: host.id, addrs: host.addresses() };
  },
  async create(r) {
    const name = String(r.name);
    logs.set(
      name,
      await running().createLog({
        logName: name,
        stateMachine: new BenchStateMachine(Number(r.keyspace ?? 0)),
      }),
    );
    return {};
  },
  async invite(r) {
    return { text: (await logOf(String(r.name)).invite()).text };
  },
  async join(r) {
    const name = String(r.name);
    const peer = await running().joinLog({
      invite: String(r.invite),
      logName: name,
      stateMachine: new BenchStateMachine(Number(r.keyspace ?? 0)),
    });
    logs.set(name, peer);
    return {};
  },
  status() {
    /** @type {Record<string, { slotOut: number, acceptors: number, leading: boolean, connected: number }>} */
    const out = {};
    for (const [name, p] of logs) {
      const s = p.node.status();
      out[name] = {
        slotOut: s.slotOut,
        acceptors: s.config?.acceptors.length ?? 0,
        leading: s.leader.active,
        connected: s.links.filter((l) => l.connected).length,
      };
    }
    return Promise.resolve({ logs: out, rss: process.memoryUsage().rss });
  },
  /** A closed loop of `conc` proposals of `size` bytes on each named log, counted from `from`. */
  load(r) {
    const names = /** @type {string[]} */ (r.names);
    for (const name of names) {
      const node = logOf(name).node;
      loads.set(
        name,
        startLoad((cmd, opts) => node.propose(cmd, opts), {
          conc: Number(r.conc),
          size: Number(r.size),
          from: Number(r.from),
          timeoutMs: 30_000,
        }),
      );
    }
    return Promise.resolve({ at: now() });
  },
  /**
   * Write `count` commands of `size` bytes to log `name`, `conc` at a time (the keys of a
   * state machine made with `keyspace` ≥ count keep them all: an app state that large).
   */
  async fill(r) {
    const node = logOf(String(r.name)).node;
    const count = Number(r.count);
    let next = 0;
    const worker = async () => {
      while (next < count) await node.propose(benchCommand(next++, Number(r.size)));
    };
    await Promise.all(Array.from({ length: Number(r.conc ?? 4) }, worker));
    return { slotOut: node.status().slotOut };
  },
  /** Stop every load: commands counted per log, and the window they were counted in. */
  async stopLoad() {
    /** @type {Record<string, { counted: number, firstStart: number, lastEnd: number, errors: Record<string, number>, latency: import('./load.mjs').LoadResult['latency'] }>} */
    const out = {};
    const all = [...loads.entries()];
    loads.clear();
    for (const [name, l] of all) {
      const res = await l.stop();
      out[name] = {
        counted: res.counted,
        firstStart: res.firstStart,
        lastEnd: res.lastEnd,
        errors: res.errors,
        latency: res.latency,
      };
    }
    return { logs: out };
  },
  async stop() {
    await host?.stop();
    host = undefined;
    return {};
  },
  exit() {
    setImmediate(() => process.exit(0));
    return Promise.resolve({});
  },
};

process.on('message', (m) => {
  const r = /** @type {Request} */ (m);
  const handler = handlers[r.cmd];
  if (handler === undefined) {
    process.send?.({ id: r.id, ok: false, error: `unknown command ${r.cmd}` });
    return;
  }
  handler(r).then(
    (a) => process.send?.({ id: r.id, ok: true, ...a }),
    (/** @type {unknown} */ e) =>
      process.send?.({ id: r.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.send?.({ event: 'ready' });

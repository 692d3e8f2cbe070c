// One Synod peer of the multi-process benchmarks, in its own process: core's startNode with
// SQLite storage (WAL, synchronous=FULL unless told otherwise) and the libp2p transport (TCP +
// Noise + yamux on 127.0.0.1, mDNS off). The benchmark drives it over the IPC channel (see
// peer.mjs); the closed-loop load runs here, in the peer's process, as an app's proposals would.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const bootAt = performance.timeOrigin + performance.now();
const { initLog, startNode } = await import('@synod/core');
const { openSqliteStorage } = await import('@synod/storage-sqlite');
const { createLibp2pTransport } = await import('@synod/transport-libp2p');
const { BenchStateMachine, benchCommand } = await import('./bench-sm.mjs');
const { TextStateMachine } = await import('./text-sm.mjs');
const { startTracePrep } = await import('./trace-prep.mjs');
const { now, startLoad } = await import('./load.mjs');
const { startCpuProfile } = await import('./cpu-profile.mjs');
const latTrace =
  process.env.SYNOD_BENCH_LAT_TRACE === undefined ? undefined : await import('./latency-trace.mjs');
const loadedAt = performance.timeOrigin + performance.now();

/**
 * @typedef {{ id: number, cmd: string, [arg: string]: unknown }} Request
 * @typedef {import('@synod/core').SynodNode<import('./bench-sm.mjs').BenchStateMachine>} Node
 */

/** @type {import('@synod/storage-sqlite').SqliteStorage | undefined} */
let storage;
/** @type {Awaited<ReturnType<typeof createLibp2pTransport>> | undefined} */
let transport;
/** @type {Node | undefined} */
let node;
/** Which state machine this peer runs: the benchmarks' counter, a bare text, or the document log. */
let smKind = 'bench';
let nextCommand = Math.floor(Math.random() * 2 ** 40) + 2 ** 41;

/** @returns {Node} */
function running() {
  if (node === undefined) throw new Error('the node is not started');
  return node;
}

/** @param {unknown} msg */
function send(msg) {
  if (process.send !== undefined) process.send(msg);
}

/**
 * The running closed-loop load, if any.
 * @type {{ stop: () => Promise<import('./load.mjs').LoadResult> } | undefined}
 */
let load;
/** @type {{ stop: (file: string) => Promise<string> } | undefined} */
let profiler;
/** @typedef {{ at: string, from: string, to: string, activeLeader: string }} BallotEvent */
/** @type {{ timer: ReturnType<typeof setInterval>, seen: { ballots: number, leaders: number, events: BallotEvent[] } } | undefined} */
let watcher;

/** Storage writes (one transaction and one fsync each) and the time spent in them. */
const writes = { count: 0, ms: 0, maxMs: 0, slots: 0 };

/**
 * Count the storage's writes: each is one runtime turn's batch (group commit), one fsync.
 * @param {import('@synod/storage-sqlite').SqliteStorage} st
 */
function countWrites(st) {
  const write = st.write.bind(st);
  st.write = async (b, hint) => {
    const t = now();
    try {
      await write(b, hint);
    } finally {
      const ms = now() - t;
      writes.count++;
      writes.ms += ms;
      if (ms > writes.maxMs) writes.maxMs = ms;
      if (ms > 100) slowWriteLog?.(ms, b);
      writes.slots += (b.accepted?.length ?? 0) + (b.decisions?.length ?? 0);
    }
  };
}

/**
 * Diagnostics (SYNOD_BENCH_IO_TRACE=1): log every storage write, send and receive of this peer
 * with its time, to stderr, to see where a command's latency goes.
 * @param {import('@synod/storage-sqlite').SqliteStorage} st
 * @param {Awaited<ReturnType<typeof createLibp2pTransport>>} tr
 */
function traceIo(st, tr) {
  const me = process.env.SYNOD_BENCH_NAME ?? String(process.pid);
  // Wall-clock ms (mod 100 s), comparable between the peers' processes.
  const out = (/** @type {string} */ s) =>
    process.stderr.write(`${(now() % 100_000).toFixed(3).padStart(10)} ${me} ${s}\n`);
  const write = st.write.bind(st);
  st.write = async (b, hint) => {
    const t = now();
    const kinds = Object.entries(b)
      .map(([k, v]) => `${k}${Array.isArray(v) ? `[${v.length}]` : ''}`)
      .join(',');
    await write(b, hint);
    out(`write ${kinds} ${(now() - t).toFixed(3)} ms`);
  };
  const sendFn = tr.send.bind(tr);
  tr.send = (to, msgs) => {
    out(`send ${to.slice(-4)} ${msgs.map((m) => m.type).join(',')}`);
    return sendFn(to, msgs);
  };
  const startFn = tr.start.bind(tr);
  tr.start = (h) =>
    startFn((from, msgs) => {
      out(`recv ${from.slice(-4)} ${msgs.map((m) => m.type).join(',')}`);
      h(from, msgs);
    });
}

/**
 * Diagnostics (SYNOD_BENCH_DIAG=1): why leaders change. To stderr, with the wall-clock time
 * (comparable between the peers' processes): the core's election events (who runs for office
 * and how long ago it last heard its leader, who is adopted, who steps down and why), event-loop
 * stalls over 100 ms (a 10 ms interval firing late), GC pauses over 50 ms, storage writes over
 * 100 ms, and every 10 s the event-loop delay histogram's p99 and max (perf_hooks).
 * @returns {((line: string) => void) | undefined} the trace sink for startNode
 */
function diagnose() {
  if (process.env.SYNOD_BENCH_DIAG === undefined) return undefined;
  const me = process.env.SYNOD_BENCH_NAME ?? String(process.pid);
  const out = (/** @type {string} */ s) =>
    process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${me} ${s}\n`);
  let last = now();
  setInterval(() => {
    const t = now();
    if (t - last > 110) out(`stall: the event loop was ${(t - last - 10).toFixed(0)} ms late`);
    last = t;
  }, 10).unref();
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  setInterval(() => {
    out(
      `loop delay 10 s: p99 ${(h.percentile(99) / 1e6).toFixed(0)} ms, max ${(h.max / 1e6).toFixed(0)} ms`,
    );
    h.reset();
  }, 10_000).unref();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration > 50) out(`gc ${e.duration.toFixed(0)} ms`);
  }).observe({ entryTypes: ['gc'] });
  slowWriteLog = (ms, b) =>
    out(
      `slow write ${ms.toFixed(0)} ms (${(b.accepted?.length ?? 0) + (b.decisions?.length ?? 0)} slots)`,
    );
  return (line) => {
    if (/ runs for | leads config | steps down | is preempted | takes over /.test(line)) out(line);
  };
}

/** @type {((ms: number, b: import('@synod/core').StorageBatch) => void) | undefined} */
let slowWriteLog;

/** @type {Record<string, (r: Request) => Promise<Record<string, unknown>>>} */
const handlers = {
  start: async (r) => {
    const openAt = now();
    storage = await openSqliteStorage(String(r.db), {
      logId: 'bench',
      durability: r.durability === 'normal-unsafe' ? 'normal-unsafe' : 'full',
      ...(r.io === 'worker' || r.io === 'inline' || r.io === 'split' ? { io: r.io } : {}),
    });
    const openedAt = now();
    transport = await createLibp2pTransport({
      storage,
      listen: [`/ip4/127.0.0.1/tcp/${Number(r.port ?? 0)}`],
      mdns: false,
      logId: 'bench',
      backoffMaxMs: 1000,
      ...(Array.isArray(r.bootstrap) ? { bootstrap: /** @type {string[]} */ (r.bootstrap) } : {}),
    });
    countWrites(storage);
    if (process.env.SYNOD_BENCH_IO_TRACE !== undefined) traceIo(storage, transport);
    if (latTrace !== undefined) latTrace.traceIo(storage, transport);
    smKind = r.sm === 'text' || r.sm === 'document' ? r.sm : 'bench';
    const sm =
      smKind === 'document'
        ? /** @type {BenchStateMachine} */ (
            /** @type {unknown} */ (new (await import('./doc-sm.mjs')).DocumentBenchLog())
          )
        : smKind === 'text'
          ? /** @type {BenchStateMachine} */ (/** @type {unknown} */ (new TextStateMachine()))
          : new BenchStateMachine(Number(r.keyspace ?? 0));
    const protocol = /** @type {Partial<import('@synod/core').ProtocolOptions>} */ (
      r.protocol ?? {}
    );
    if (r.init === true) await initLog(storage, transport.id, sm, protocol);
    const trace = diagnose();
    node = await startNode({
      id: transport.id,
      storage,
      transport,
      stateMachine: sm,
      protocol,
      ...(trace === undefined ? {} : { trace }),
    });
    if (latTrace !== undefined) latTrace.traceNode(node);
    const startedAt = now();
    transport.onJoinRequest(async ({ peer }) => {
      await running().addPeer(peer, undefined, { timeoutMs: 30_000 });
    });
    return {
      peer: transport.id,
      addrs: transport.multiaddrs(),
      times: { bootAt, loadedAt, openAt, openedAt, startedAt },
    };
  },
  invite: async () => {
    if (transport === undefined) throw new Error('no transport');
    return { text: (await transport.createInvite()).text };
  },
  join: async (r) => {
    if (transport === undefined) throw new Error('no transport');
    const j = await transport.join(String(r.invite), { timeoutMs: 60_000 });
    return { members: j.members.map((m) => m.peer) };
  },
  status: () => {
    const n = running();
    const s = n.status();
    return Promise.resolve({
      status: {
        activeLeader: s.activeLeader,
        leaderActive: s.leader.active,
        slotIn: s.slotIn,
        slotOut: s.slotOut,
        snapshotSlot: s.snapshotSlot,
        acceptors: s.config?.acceptors ?? [],
        links: s.links.map((l) => ({ peer: l.peer, connected: l.connected })),
        catchup: s.catchup,
        failure: s.failure,
      },
      sm: { count: n.stateMachine.count, hash: n.stateMachine.hash },
      memory: process.memoryUsage(),
      metrics: transport?.getMetrics(),
      storage: storage?.info?.() ?? null,
    });
  },
  /**
   * Where this process's memory is (issue 13's footprint): V8's heap spaces, external and
   * ArrayBuffer memory, the storage's SQLite memory, the resident memory by kind of mapping
   * (smaps.mjs); with `snapshot`, a heap snapshot written to that file (for Chrome DevTools'
   * Memory tab).
   */
  memory: async (r) => {
    const v8 = await import('node:v8');
    const { smapsBreakdown } = await import('./smaps.mjs');
    const file = typeof r.snapshot === 'string' ? v8.writeHeapSnapshot(r.snapshot) : undefined;
    return {
      usage: process.memoryUsage(),
      heap: v8.getHeapStatistics(),
      spaces: v8.getHeapSpaceStatistics(),
      storage: storage?.info?.() ?? null,
      resident: smapsBreakdown(process.pid),
      ...(file === undefined ? {} : { file }),
    };
  },
  /** Counters to difference over a window: storage writes, transport frames, CPU. */
  counters: () => {
    const m = transport?.getMetrics();
    const cpu = process.cpuUsage();
    const out = {
      at: now(),
      writes: { ...writes },
      cpuUs: cpu.user + cpu.system,
      framesSent: m?.framesSent ?? 0,
      messagesSent: m?.messagesSent ?? 0,
      bytesSent: m?.bytesSent ?? 0,
      framesReceived: m?.framesReceived ?? 0,
      applied: node?.stateMachine.count ?? 0,
      slotOut: node?.status().slotOut ?? 0,
      commits: storage?.commits ?? 0,
    };
    writes.maxMs = 0;
    return Promise.resolve(out);
  },
  /** Wait until this replica has applied up to `slot` (slotOut > slot) or `count` commands. */
  waitApplied: async (r) => {
    const n = running();
    const deadline = now() + Number(r.timeoutMs ?? 60_000);
    const want = Number(r.count ?? 0);
    const slot = Number(r.slot ?? 0);
    while (n.stateMachine.count < want || n.status().slotOut < slot) {
      if (now() > deadline) {
        throw new Error(
          `not applied in time: count ${n.stateMachine.count}/${want}, slotOut ${n.status().slotOut}/${slot}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return { at: now(), count: n.stateMachine.count, slotOut: n.status().slotOut };
  },
  read: async (r) => {
    const n = running();
    const t = now();
    const count = await n.read((sm) => sm.count, { timeoutMs: Number(r.timeoutMs ?? 30_000) });
    return { at: now(), ms: now() - t, count };
  },
  /**
   * Watch for leader changes until `watchStop`: every 20 ms, the ballot this peer's acceptor has
   * promised (it rises whenever any peer runs for leader and gets this acceptor's promise) and
   * the active leader this peer knows of. The first ballot changes are kept with their time and
   * the active leader then, to tell a new leader from the same one running again (check quorum).
   */
  watchStart: () => {
    const n = running();
    const seen = {
      ballots: 0,
      leaders: 0,
      lastBallot: '',
      lastLeader: '',
      /** @type {BallotEvent[]} */
      events: [],
    };
    const check = () => {
      const s = n.status();
      const b = `${s.acceptor.ballot.round}/${s.acceptor.ballot.leader}`;
      if (b !== seen.lastBallot) {
        if (seen.lastBallot !== '') {
          seen.ballots++;
          if (seen.events.length < 20) {
            const at = new Date().toISOString();
            seen.events.push({
              at,
              from: seen.lastBallot,
              to: b,
              activeLeader: s.activeLeader ?? '',
            });
          }
        }
        seen.lastBallot = b;
      }
      const l = s.activeLeader ?? '';
      if (l !== '' && l !== seen.lastLeader) {
        if (seen.lastLeader !== '') seen.leaders++;
        seen.lastLeader = l;
      }
    };
    check();
    watcher = { timer: setInterval(check, 20), seen };
    return Promise.resolve({});
  },
  watchStop: () => {
    if (watcher === undefined) throw new Error('not watching');
    clearInterval(watcher.timer);
    const { ballots, leaders, events } = watcher.seen;
    watcher = undefined;
    return Promise.resolve({
      ballotChanges: ballots,
      leaderChanges: leaders,
      ballotEvents: events,
    });
  },
  loadStart: (r) => {
    if (load !== undefined) throw new Error('a load is running');
    const n = running();
    load = startLoad((cmd, opts) => n.propose(cmd, opts), {
      conc: Number(r.conc),
      size: Number(r.size ?? 100),
      from: Number(r.from ?? 0),
      timeline: r.timeline === true,
      ...(r.timeoutMs === undefined ? {} : { timeoutMs: Number(r.timeoutMs) }),
    });
    return Promise.resolve({ at: now() });
  },
  loadStop: async () => {
    if (load === undefined) throw new Error('no load is running');
    const l = load;
    load = undefined;
    return l.stop();
  },
  /** Propose `count` commands with `conc` outstanding; resolves when all are applied here. */
  fill: async (r) => {
    const n = running();
    const count = Number(r.count);
    const size = Number(r.size ?? 100);
    const t = now();
    let issued = 0;
    const worker = async () => {
      while (issued < count) {
        issued++;
        await n.propose(benchCommand(nextCommand++, size));
      }
    };
    await Promise.all(Array.from({ length: Number(r.conc ?? 256) }, () => worker()));
    return { ms: now() - t, count };
  },
  /** Allocation sites by bytes over a window (heap-sample.mjs). */
  heapSample: async (r) => {
    const { sampleHeap } = await import('./heap-sample.mjs');
    return sampleHeap(/** @type {any} */ (r));
  },
  profileStart: async () => {
    if (profiler === undefined) profiler = await startCpuProfile();
    return {};
  },
  profileStop: async (r) => {
    if (profiler === undefined) throw new Error('not profiling');
    const p = profiler;
    profiler = undefined;
    return { file: await p.stop(String(r.file)) };
  },
  /**
   * Propose every edit of an editing trace ({ startContent, txns: [{ patches: [[pos, del, ins]] }] },
   * gzipped JSON) in order, with `conc` outstanding, as one typist; resolves when all are applied
   * here. With the document log (sm 'document'), the trace is one entry: an `append` of
   * startContent first (not timed), then one `edit` command per patch, each against the version
   * its predecessor makes (@synod/desktop-app/document's traceEditCommands); a refused edit
   * counts as failed. With the bare text (sm 'text'), each patch is an encodeEdit command.
   */
  trace: async (r) => {
    const n = running();
    // Read, parse and encode on a worker thread: this event loop keeps serving the protocol.
    const prep = startTracePrep(String(r.file), smKind === 'document' ? 'document' : 'text');
    const { startContent } = await prep.parsed;
    /** @type {import('./trace-prep.mjs').Commands} */
    let cmds;
    /** @type {(result: Uint8Array) => boolean} */
    let refused = () => false;
    if (smKind === 'document') {
      const doc = await import('@synod/desktop-app/document');
      const created = doc.decodeResult(
        await n.propose(
          doc.encodeCommand({
            type: 'append',
            time: Date.now(),
            author: 'bench',
            title: 'paper',
            body: startContent,
          }),
        ),
      );
      if (!created.ok) throw new Error(`the trace's entry was refused: ${created.message}`);
      cmds = await prep.commands({ id: created.id, version: created.version });
      refused = (res) => res[0] !== 0;
    } else {
      cmds = await prep.commands({});
    }
    const conc = Number(r.conc ?? 1024);
    const t = now();
    let next = 0;
    let failed = 0;
    /** @type {string | undefined} */
    let firstError;
    const worker = async () => {
      while (next < cmds.length) {
        const c = cmds.at(next++);
        try {
          if (refused(await n.propose(c))) failed++;
        } catch (e) {
          failed++;
          firstError ??= String(e);
        }
      }
    };
    await Promise.all(Array.from({ length: conc }, () => worker()));
    return { startAt: t, endAt: now(), edits: cmds.length, failed, firstError };
  },
  text: () => {
    const sm = /** @type {{ text?: () => string }} */ (
      /** @type {unknown} */ (running().stateMachine)
    );
    return Promise.resolve({ text: sm.text?.() ?? null });
  },
  stop: async () => {
    if (load !== undefined) await load.stop();
    if (node !== undefined) await node.stop();
    else if (transport !== undefined) await transport.stop();
    return {};
  },
  /** With SYNOD_BENCH_LAT_TRACE: forget the events so far (`dump: false`), or write them. */
  latencyTrace: (r) => {
    if (latTrace === undefined) throw new Error('SYNOD_BENCH_LAT_TRACE is not set');
    const dir = String(process.env.SYNOD_BENCH_LAT_TRACE);
    latTrace.dumpLatencyTrace(dir, r.dump === true ? String(process.env.SYNOD_BENCH_NAME) : '');
    return Promise.resolve({});
  },
  exit: () => {
    setTimeout(() => process.exit(0), 10);
    return Promise.resolve({});
  },
};

process.on('message', (m) => {
  const r = /** @type {Request} */ (m);
  const h = handlers[r.cmd];
  if (h === undefined) {
    send({ id: r.id, ok: false, error: `unknown command ${r.cmd}` });
    return;
  }
  h(r).then(
    (result) => send({ id: r.id, ok: true, ...result }),
    (/** @type {unknown} */ err) =>
      send({ id: r.id, ok: false, error: err instanceof Error ? String(err.stack) : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ event: 'ready', pid: process.pid, bootAt, loadedAt });

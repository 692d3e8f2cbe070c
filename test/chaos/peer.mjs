// One peer of the chaos suite (test/chaos/README.md), run from the compiled packages inside a
// network namespace of its own: core's startNode + SqliteStorage (a real file, WAL,
// synchronous=FULL) + the libp2p transport (TCP, Noise, yamux, mDNS on the namespace's LAN, the
// first peer's address as the bootstrap fallback) + KvStateMachine.
//
// Its configuration is one JSON argument; the harness drives it with JSON lines (commands on
// stdin, answers on stdout; diagnostics on stderr). Every command it applies is also appended to
// `<dir>/applied.log` as `slot index client seq sha256(op)`, so the harness can compare the logs
// of every peer and every incarnation of a peer, SIGKILLs included (a killed peer may lose the
// tail of its file, never change a line of it). On a power-cut disk (`syncAppliedLog`) the log is
// fsynced after every flush, so that a power cut loses at most its last 50 ms (and may leave a
// torn last line, which the checker skips).
import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { initLog, isBugName, startNode } from '@synod/core';
import { decodeKvResult, encodeKv, KvStateMachine } from '@synod/core/testing';
import { openSqliteStorage } from '@synod/storage-sqlite';
import { createLibp2pTransport } from '@synod/transport-libp2p';

/**
 * @typedef {{ id: number, cmd: string, [arg: string]: unknown }} Command
 * @typedef {{
 *   dir: string, logId: string, listen: string[], bootstrap: string[], mdns: boolean,
 *   init: boolean, bugs?: string[], opTimeoutMs: number, syncAppliedLog?: boolean,
 *   protocol?: Partial<import('@synod/core').ProtocolOptions>, nextRelease?: boolean,
 * }} PeerConfig
 */

/** @type {PeerConfig} */
/** @type {unknown} */
const rawConfig = JSON.parse(String(process.argv[2]));
const config = /** @type {PeerConfig} */ (rawConfig);
mkdirSync(config.dir, { recursive: true });
const bugs = new Set((config.bugs ?? []).filter((b) => isBugName(b)));

/** @param {Record<string, unknown>} event */
function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

const storage = await openSqliteStorage(join(config.dir, 'peer.db'), { logId: config.logId });
const transport = await createLibp2pTransport({
  storage,
  listen: config.listen,
  bootstrap: config.bootstrap,
  mdns: config.mdns ? { intervalMs: 1000 } : false,
  logId: config.logId,
  backoffMaxMs: 1000,
  silenceTimeoutMs: 3000,
  dialTimeoutMs: 3000,
  // The rolling-upgrade test's "release N+1" (transport's next-release.ts).
  ...(config.nextRelease === true ? { testing: { nextRelease: true } } : {}),
});
const sm = new KvStateMachine();
sm.keepLog = false;
if (config.init && (await storage.load()).snapshot === null) {
  await initLog(storage, transport.id, sm, config.protocol ?? {});
}
const node = await startNode({
  id: transport.id,
  storage,
  transport,
  stateMachine: sm,
  protocol: config.protocol ?? {},
  operationTimeoutMs: config.opTimeoutMs,
  ...(bugs.size > 0 ? { bugs: /** @type {Set<import('@synod/core').BugName>} */ (bugs) } : {}),
});

// The applied log, one line per command, as it is applied here.
const appliedFd = openSync(join(config.dir, 'applied.log'), 'a');
if (config.syncAppliedLog === true) {
  // Its name too: the directory's entry for a new file is durable only once the directory is.
  const dirFd = openSync(config.dir, 'r');
  fsyncSync(dirFd);
  closeSync(dirFd);
}
/** @type {string[]} */
let appliedLines = [];
function flushApplied() {
  if (appliedLines.length === 0) return;
  writeSync(appliedFd, appliedLines.join(''));
  appliedLines = [];
  if (config.syncAppliedLog === true) fdatasyncSync(appliedFd);
}
let lastSlot = -1;
let indexInSlot = 0;
node.subscribe((e) => {
  indexInSlot = e.slot === lastSlot ? indexInSlot + 1 : 0;
  lastSlot = e.slot;
  const hash = createHash('sha256').update(e.op).digest('hex').slice(0, 16);
  appliedLines.push(`${e.slot} ${indexInSlot} ${e.kind} ${e.client} ${e.seq} ${hash}\n`);
});
setInterval(flushApplied, 50).unref();

// A member admits a joiner by adding it to the configuration, then answers it.
transport.onJoinRequest(async ({ peer }) => {
  await node.addPeer(peer, undefined, { timeoutMs: 15_000 });
});

/** @param {unknown} err */
function codeOf(err) {
  const e = /** @type {{ code?: unknown, name?: unknown }} */ (err);
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'error';
}

/** @type {Record<string, (cmd: Command) => Promise<Record<string, unknown>>>} */
const handlers = {
  /** A client operation: put/append through the log, get as a linearizable read. */
  op: async (cmd) => {
    const key = String(cmd.key);
    const timeoutMs = Number(cmd.timeoutMs ?? config.opTimeoutMs);
    if (cmd.op === 'get') {
      return { value: await node.read((s) => s.get(key), { timeoutMs }) };
    }
    const op = cmd.op === 'put' ? 'put' : 'append';
    const r = await node.propose(
      encodeKv({ op, key, value: String(cmd.value), id: String(cmd.opId) }),
      { timeoutMs },
    );
    return { value: decodeKvResult(r) };
  },
  invite: async () => ({ text: (await transport.createInvite({ ttlMs: 120_000 })).text }),
  join: async (cmd) => {
    const r = await transport.join(String(cmd.invite), { timeoutMs: Number(cmd.timeoutMs) });
    return { members: r.members.map((m) => m.peer) };
  },
  addPeerAddress: async (cmd) => {
    await transport.addPeerAddress(String(cmd.addr));
    return {};
  },
  add: async (cmd) => {
    await node.addPeer(String(cmd.peer), undefined, { timeoutMs: Number(cmd.timeoutMs) });
    return {};
  },
  remove: async (cmd) => {
    await node.removePeer(String(cmd.peer), { timeoutMs: Number(cmd.timeoutMs) });
    return {};
  },
  replace: async (cmd) => {
    await node.replacePeer(String(cmd.peer), String(cmd.next), {
      timeoutMs: Number(cmd.timeoutMs),
    });
    return {};
  },
  status: () => {
    const s = node.status();
    return Promise.resolve({
      status: {
        initialized: s.initialized,
        removed: s.removed,
        config: s.config,
        activeLeader: s.activeLeader,
        leaderActive: s.leader.active,
        slotIn: s.slotIn,
        slotOut: s.slotOut,
        pending: s.pending,
        queued: s.queued,
        snapshotSlot: s.snapshotSlot,
        catchup: s.catchup !== null,
        reconfigPending: s.reconfigPending,
        failure: s.failure,
        connected: s.links.filter((l) => l.connected).map((l) => l.peer),
        protocols: Object.fromEntries(s.links.map((l) => [l.peer, l.protocol ?? null])),
      },
      metrics: transport.getMetrics(),
      discovered: transport.discoveredPeers().map((d) => d.peer),
      rss: process.memoryUsage().rss,
    });
  },
  /** The replica's state, read locally (the harness waits for convergence first). */
  state: () =>
    Promise.resolve({
      slotOut: node.status().slotOut,
      data: Object.fromEntries(sm.data),
      appliedIds: Object.fromEntries(sm.appliedIds),
    }),
  stop: async () => {
    await node.stop();
    flushApplied();
    setImmediate(() => process.exit(0));
    return {};
  },
};

createInterface({ input: process.stdin }).on('line', (line) => {
  /** @type {Command} */
  /** @type {unknown} */
  const raw = JSON.parse(line);
  const cmd = /** @type {Command} */ (raw);
  const handler = handlers[cmd.cmd];
  if (handler === undefined) {
    emit({ id: cmd.id, ok: false, code: 'unknown-command', error: `unknown command ${cmd.cmd}` });
    return;
  }
  handler(cmd).then(
    (result) => emit({ id: cmd.id, ok: true, ...result }),
    (/** @type {unknown} */ err) =>
      emit({
        id: cmd.id,
        ok: false,
        code: codeOf(err),
        error: err instanceof Error ? err.message : String(err),
      }),
  );
});
// The harness going away (its stdin closes) ends the peer too.
process.stdin.on('end', () => process.exit(0));

emit({ event: 'ready', id: transport.id, addrs: transport.multiaddrs() });

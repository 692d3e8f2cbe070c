/**
 * An in-process cluster for the attack tests: SynodNodes on real SQLite files and the libp2p
 * transport (TCP, Noise, yamux on 127.0.0.1, mDNS off), plus helpers to play a misbehaving
 * member with a bare libp2p node that holds a member's key, and to record the transport's logs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { ComponentLogger, Libp2p, Logger, PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { initLog, startNode, type ProtocolOptions, type SynodNode } from '@synod/core';
import { encodeKv, KvStateMachine } from '@synod/core/testing';
import { openSqliteStorage, type SqliteStorage } from '@synod/storage-sqlite';
import {
  createLibp2pTransport,
  generateIdentity,
  type Libp2pTransport,
  type Libp2pTransportOptions,
} from '@synod/transport-libp2p';
import { createLibp2p } from 'libp2p';

/**
 * Snapshots every 100 slots (default 1000): a configuration, and with it the transport's trust in
 * a peer removed from the log, is dropped at the first snapshot after its last slot, and the
 * tests want that to happen within a few seconds of commits.
 */
export const PROTOCOL: Partial<ProtocolOptions> = { snapshotInterval: 100 };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A logger that keeps the lines of one component (e.g. synod:transport), errors included. */
export function recordingLogger(lines: string[], match = 'synod:transport'): ComponentLogger {
  const make = (name: string): Logger => {
    const keep = name.startsWith(match);
    const fmt = (level: string, args: unknown[]) => {
      if (keep && lines.length < 100_000)
        lines.push(`${level} ${name}: ${args.map(String).join(' ')}`);
    };
    const log = ((...args: unknown[]) => fmt('debug', args)) as unknown as Logger;
    log.error = (...args: unknown[]) => fmt('error', args);
    log.trace = () => undefined;
    log.enabled = keep;
    log.newScope = (scope: string) => make(`${name}:${scope}`);
    return log;
  };
  return { forComponent: (name: string) => make(name) };
}

export interface Member {
  node: SynodNode<KvStateMachine>;
  transport: Libp2pTransport;
  storage: SqliteStorage;
  logs: string[];
  /** Every peer whose messages reached this node's core, with when it last did (ms). */
  senders: Map<string, number>;
  /**
   * The same, for messages other than catch-up requests (all a former member may get through:
   * docs/protocol.md, "A former member gets the members' progress, nothing else").
   */
  beyondAsks: Map<string, number>;
}

/** Record who gets messages through to the core: wrap the handler the node registers. */
export function recordSenders(t: Libp2pTransport): {
  senders: Map<string, number>;
  beyondAsks: Map<string, number>;
} {
  const senders = new Map<string, number>();
  const beyondAsks = new Map<string, number>();
  const start = t.start.bind(t);
  t.start = (handler) =>
    start((from, messages) => {
      senders.set(from, Date.now());
      if (messages.some((m) => m.type !== 'catchupReq')) beyondAsks.set(from, Date.now());
      handler(from, messages);
    });
  return { senders, beyondAsks };
}

export interface Cluster {
  members: Member[];
  dir: string;
  stop(): Promise<void>;
}

/**
 * `count` peers forming one log through addPeer (peer 0 creates it), plus, for each entry of
 * `extra`, a member id with the given roles that no node runs (the attacker's slot).
 */
export async function startCluster(
  count: number,
  opts: {
    extra?: { id: string; replica: boolean; leader: boolean; acceptor: boolean }[];
    transport?: Partial<Libp2pTransportOptions>;
  } = {},
): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'synod-attacks-'));
  const members: Member[] = [];
  for (let i = 0; i < count; i++) {
    const storage = await openSqliteStorage(join(dir, `p${i}.db`), { logId: 'attacks' });
    const logs: string[] = [];
    const transport = await createLibp2pTransport({
      storage,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      logId: 'attacks',
      backoffMaxMs: 500,
      logger: recordingLogger(logs),
      ...(i > 0 ? { initialMembers: [members[0]!.transport.id] } : {}),
      ...opts.transport,
    });
    const { senders, beyondAsks } = recordSenders(transport);
    const sm = new KvStateMachine();
    sm.keepLog = false;
    if (i === 0) await initLog(storage, transport.id, sm);
    for (const m of members) {
      await transport.addPeerAddress(m.transport.multiaddrs()[0]!);
      await m.transport.addPeerAddress(transport.multiaddrs()[0]!);
    }
    const node = await startNode({
      id: transport.id,
      storage,
      transport,
      stateMachine: sm,
      operationTimeoutMs: 10_000,
      protocol: PROTOCOL,
    });
    transport.onJoinRequest(async ({ peer }) => {
      await node.addPeer(peer, undefined, { timeoutMs: 10_000 });
    });
    members.push({ node, transport, storage, logs, senders, beyondAsks });
  }
  const first = members[0]!.node;
  for (const m of members.slice(1)) await first.addPeer(m.transport.id);
  for (const e of opts.extra ?? []) {
    await first.addPeer(e.id, { replica: e.replica, leader: e.leader, acceptor: e.acceptor });
  }
  return {
    members,
    dir,
    async stop() {
      for (const m of members) await m.node.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A peer with its own fresh file and a running node that holds no log yet (it may join one), or
 * with a log of its own when `ownLog`.
 */
export async function freshPeer(
  dir: string,
  name: string,
  opts: { ownLog?: boolean; logId?: string; transport?: Partial<Libp2pTransportOptions> } = {},
): Promise<Member> {
  const logId = opts.logId ?? 'attacks';
  const storage = await openSqliteStorage(join(dir, `${name}.db`), { logId });
  const logs: string[] = [];
  const transport = await createLibp2pTransport({
    storage,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    logId,
    backoffMaxMs: 500,
    logger: recordingLogger(logs),
    ...opts.transport,
  });
  const { senders, beyondAsks } = recordSenders(transport);
  const sm = new KvStateMachine();
  sm.keepLog = false;
  if (opts.ownLog === true) await initLog(storage, transport.id, sm);
  const node = await startNode({
    id: transport.id,
    storage,
    transport,
    stateMachine: sm,
    operationTimeoutMs: 10_000,
    protocol: PROTOCOL,
  });
  return { node, transport, storage, logs, senders, beyondAsks };
}

/** A bare libp2p node with `key` (a member's identity, say), on 127.0.0.1. */
export async function bareNode(key?: PrivateKey): Promise<Libp2p> {
  return createLibp2p({
    privateKey: key ?? (await generateIdentity()),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
}

export async function attackerIdentity(): Promise<{ key: PrivateKey; id: string }> {
  const key = await generateIdentity();
  return { key, id: peerIdFromPrivateKey(key).toString() };
}

let counter = 0;

/**
 * Propose puts on `node` one after another for `ms`; returns how many committed and the slowest.
 */
export async function commitFor(
  node: SynodNode<KvStateMachine>,
  ms: number,
): Promise<{ ok: number; failed: number; maxMs: number }> {
  const until = Date.now() + ms;
  let ok = 0;
  let failed = 0;
  let maxMs = 0;
  while (Date.now() < until) {
    const t = performance.now();
    try {
      // 10 s: the machines these tests run on may be shared and busy; a commit that takes that
      // long under attack is a failure.
      await node.propose(encodeKv({ op: 'put', key: 'k', value: `v${counter++}` }), {
        timeoutMs: 10_000,
      });
      ok++;
      maxMs = Math.max(maxMs, performance.now() - t);
    } catch {
      failed++;
    }
  }
  return { ok, failed, maxMs };
}

export function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

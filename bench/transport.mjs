#!/usr/bin/env node
// Transport benchmark (issues 5 and 14): what a message costs on Synod's libp2p transport next to
// a raw node:net connection carrying the same frames with the same codec, and next to a stock
// js-libp2p stream (TCP + @chainsafe Noise + @chainsafe yamux, the same frames, no Synod code),
// and next to the same bare libp2p stream over Synod's link components (src/link: its Noise
// records and yamux, none of the transport above them: what the link costs, apart from gating,
// peer bookkeeping and queues), all measured in the same run, every peer in its own process, on
// 127.0.0.1:
//
// - RTT: one 100-byte request, echoed; p50 and p99 of sequential round trips, and the CPU time
//   per round trip of both processes (what of the latency is computing rather than waiting).
// - First of two replies: one process sends a request to two others and waits for the first
//   answer (what a leader waits for from a majority of three); then for the second, before the
//   next round.
// - CPU per message, sender + receiver (process.cpuUsage of both), 100-byte decisions sent one
//   by one (each send in its own turn of the event loop, so its own frame and flush) and 100 per
//   send; and the messages per second this came to. A send Synod's transport refuses (its 8 MiB
//   send buffer full: 100 per send outruns the receiver) waits until the link reports itself
//   connected again and goes again; the other kinds buffer without bound and never refuse.
// - Socket writes per flushed frame, counted at both ends (net.Socket's _write/_writev on TCP
//   sockets, in every process): the sender's and the receiver's (window updates) separately.
// The load average (1 min) is recorded beside each figure. Every wait fails the run after 60 s
// without progress, and the forked peers end with it (they would otherwise hold its output pipe).
//
// Goals (issue 14), from this run: first of two p50 <= 2x raw; RTT p50 <= 2x raw; CPU per
// message <= 1.5x raw, one by one and batched; <= 1.2 socket writes per flushed frame; no window
// update per frame (the receiver writes at most once per 10 frames).
//
//   npm run bench -- transport [--runs 3] [--rtt-samples 2000] [--messages 20000]
//                              [--batched-messages 200000] [--kinds raw,stock,link,synod]
//
// Needs the packages built (npm run build). Writes bench/results/transport-<date>.json and
// appends a section to bench/REPORT.md.
import { fork } from 'node:child_process';
import { connect, createServer, Socket } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './lib/args.mjs';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import {
  createLibp2pTransport,
  decodeFrameBody,
  encodeMessages,
  FrameDecoder,
  noiseRecords,
  yamuxMuxer,
} from '@synod/transport-libp2p';
import { createLibp2p } from 'libp2p';
import {
  appendReport,
  fmt,
  latencySummary,
  log,
  machineInfo,
  machineLine,
  range,
  saveResults,
  summary,
  table,
  versionsLine,
} from './lib/common.mjs';

const { values: opts } = benchArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'rtt-samples': { type: 'string', default: '2000' },
    messages: { type: 'string', default: '20000' },
    // Sent 100 per send, 20,000 took 0.1-0.2 s: too short a window at a load of 15-20 (raw's
    // own figure moved 2.5x between runs).
    'batched-messages': { type: 'string', default: '200000' },
    kinds: { type: 'string', default: 'raw,stock,link,synod' },
    peer: { type: 'string' },
  },
});
const RUNS = Number(opts.runs);
const RTT_SAMPLES = Number(opts['rtt-samples']);
const MESSAGES = Number(opts.messages);
const BATCHED_MESSAGES = Number(opts['batched-messages']);
const KINDS = opts.kinds.split(',');
const PAYLOAD = 100;
const BATCH = 100;
const MAX_FRAME = 16 << 20;
const ECHO_PROTOCOL = '/synod-bench/echo/1.0.0';
const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const payload = new Uint8Array(PAYLOAD).fill(0x5a);

/**
 * @typedef {import('@synod/core').Message} Message
 * @typedef {(messages: readonly Message[]) => void} Handler
 * @typedef {{ send(messages: Message[]): boolean, room(): Promise<void>, onMessages(h: Handler): void }} End
 * @typedef {{ count: number, cpuUs: number, writes: number }} Stats
 * @typedef {{ address: string, id: string, stats(): Promise<Stats>, arrived(n: number): Promise<Stats>, linked(peer: string): Promise<void>, stop(): Promise<void> }} Remote
 */

/**
 * How long a wait may last before the run fails (a lost message or a dead peer would otherwise
 * leave it waiting for ever, printing nothing): a round trip, a congested link's room, the
 * last decisions' arrival after the final send, a link coming up.
 */
const STALL_MS = 60_000;

// ------------------------------------------------------------------ counting socket writes

/** Writes handed to TCP sockets by this process (what becomes a write syscall, or part of one). */
let socketWrites = 0;
{
  /** @typedef {(this: Socket, ...args: unknown[]) => unknown} WriteFn */
  const proto = /** @type {{ _write: WriteFn, _writev: WriteFn }} */ (
    /** @type {unknown} */ (Socket.prototype)
  );
  const write = proto._write;
  const writev = proto._writev;
  proto._write = function (...args) {
    if (this.remotePort !== undefined) socketWrites++;
    return write.apply(this, args);
  };
  proto._writev = function (...args) {
    if (this.remotePort !== undefined) socketWrites++;
    return writev.apply(this, args);
  };
}

const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const tick = () => new Promise((resolve) => setImmediate(resolve));
/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {'request' | 'decision'} type @param {number} n @param {number} from @returns {Message[]} */
function batch(type, n, from) {
  /** @type {Message[]} */
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(
      type === 'request'
        ? { type: 'request', commands: payload, hops: from + i }
        : { type: 'decision', slot: from + i, value: payload },
    );
  }
  return out;
}

/**
 * The receiving peer's behaviour, the same everywhere: echo requests, count decisions.
 * @param {(messages: Message[]) => void} reply
 */
function receiver(reply) {
  let count = 0;
  /** @type {Handler} */
  const handle = (messages) => {
    if (messages[0]?.type === 'request') {
      reply([...messages]);
      return;
    }
    count += messages.length;
    if (count >= arrival.target) {
      arrival.target = Infinity;
      arrival.reached();
    }
  };
  return { handle, count: () => count };
}

/**
 * In a remote peer: the decision count at which to tell the parent (so that it need not poll,
 * which would cost both processes CPU while it waits).
 */
const arrival = { target: Infinity, reached: () => undefined };

/**
 * Frames over a byte pipe with Synod's codec: `write` sends bytes; returns the End and the
 * function to feed received bytes to.
 * @param {(bytes: Uint8Array) => void} write
 */
function framedEnd(write) {
  /** @type {Handler} */
  let handler = () => undefined;
  const decoder = new FrameDecoder(MAX_FRAME, {
    frame: (body, owned) => {
      const d = decodeFrameBody(body, owned);
      if (d.ok && d.messages.length > 0) handler(d.messages);
    },
    oversized: () => undefined,
    fatal: (reason) => {
      throw new Error(reason);
    },
  });
  /** @type {End} */
  const end = {
    send: (messages) => {
      for (const f of encodeMessages(messages, MAX_FRAME).frames) write(f);
      return true;
    },
    // A socket or a libp2p stream takes every frame (it buffers past its high-water mark):
    // send() never refuses, so there is never room to wait for.
    room: () => Promise.resolve(),
    onMessages: (h) => {
      handler = h;
    },
  };
  return {
    end,
    feed: (/** @type {Uint8Array | import('uint8arraylist').Uint8ArrayList} */ d) =>
      decoder.push(d),
  };
}

/** @param {import('node:net').Socket} socket */
function rawEnd(socket) {
  socket.setNoDelay(true);
  const { end, feed } = framedEnd((b) => socket.write(b));
  socket.on('data', feed);
  return end;
}

/** @param {import('@libp2p/interface').Stream} stream */
function streamEnd(stream) {
  const { end, feed } = framedEnd((b) => stream.send(b));
  stream.addEventListener('message', (evt) => feed(evt.data));
  return end;
}

/**
 * A bare libp2p node: with the stock components (`stock`, what js-libp2p users get) or with
 * Synod's link components in their place (`link`).
 * @param {'stock' | 'link'} kind @param {import('@libp2p/interface').PrivateKey} privateKey
 */
function bareNode(kind, privateKey) {
  return createLibp2p({
    privateKey,
    addresses: { listen: LOOPBACK },
    transports: [tcp()],
    connectionEncrypters: [kind === 'link' ? noiseRecords() : noise()],
    streamMuxers: [kind === 'link' ? yamuxMuxer() : yamux()],
    connectionMonitor: { enabled: false },
  });
}

// ------------------------------------------------------------------ the remote peers (B, C)

/**
 * Start a remote peer of `kind` in this (child) process.
 * @param {string} kind @param {import('@libp2p/interface').PrivateKey} key @param {string[]} members
 * @returns {Promise<{ address: string, count: () => number, close: () => Promise<void>, linked?: (peer: string) => Promise<void> }>}
 */
async function startRemote(kind, key, members) {
  if (kind === 'raw') {
    /** @type {ReturnType<typeof receiver> | undefined} */
    let r;
    const server = createServer((socket) => {
      const end = rawEnd(socket);
      r = receiver((m) => end.send(m));
      end.onMessages(r.handle);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
    return {
      address: String(port),
      count: () => r?.count() ?? 0,
      close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
    };
  }
  if (kind === 'stock' || kind === 'link') {
    const node = await bareNode(kind, key);
    /** @type {ReturnType<typeof receiver> | undefined} */
    let r;
    await node.handle(ECHO_PROTOCOL, (stream) => {
      const end = streamEnd(stream);
      r = receiver((m) => end.send(m));
      end.onMessages(r.handle);
    });
    return {
      address: String(node.getMultiaddrs()[0]),
      count: () => r?.count() ?? 0,
      close: () => node.stop(),
    };
  }
  const t = await createLibp2pTransport({ identity: key, listen: LOOPBACK, mdns: false });
  /** @type {import('@synod/core').PeerId} */
  let last = '';
  const r = receiver((m) => t.send(last, m));
  await t.start((from, messages) => {
    last = from;
    r.handle(messages);
  });
  t.setMembers(members);
  return {
    address: String(t.multiaddrs()[0]),
    count: () => r.count(),
    close: () => t.stop(),
    linked: (peer) => untilConnected(t, peer, 'the remote link back to the sender'),
  };
}

/**
 * Until `t`'s link to `peer` is connected: open, answered, and not congested (a congested link
 * reports itself not connected until its send buffer has drained to half; the transport has no
 * drain event, so this polls, every millisecond, which is what an app watching peers() would
 * do). Throws after STALL_MS.
 * @param {Awaited<ReturnType<typeof createLibp2pTransport>>} t @param {string} peer @param {string} what
 */
async function untilConnected(t, peer, what) {
  const deadline = performance.now() + STALL_MS;
  while (!t.linkDetails(peer).connected) {
    if (performance.now() > deadline) {
      const d = t.linkDetails(peer);
      throw new Error(
        `${what} not connected after ${STALL_MS / 1000} s (state ${d.state}, ${d.queuedBytes} bytes queued)`,
      );
    }
    await sleep(1);
  }
}

/** Child process mode: run a remote peer, answer the parent's requests over IPC. */
async function runChild() {
  const key = privateKeyFromProtobuf(Buffer.from(process.env.BENCH_KEY ?? '', 'hex'));
  const members = (process.env.BENCH_MEMBERS ?? '').split(',');
  // The parent gone (failed, killed) closes the IPC channel: a peer left running would hold its
  // ports and a core for ever.
  process.on('disconnect', () => process.exit(1));
  const b = await startRemote(String(opts.peer), key, members);
  const report = () =>
    process.send?.({ stats: { count: b.count(), cpuUs: cpuUs(), writes: socketWrites } });
  process.on('message', (/** @type {unknown} */ m) => {
    if (m === 'stats') report();
    if (m === 'stop') void b.close().then(() => process.exit(0));
    if (typeof m === 'object' && m !== null && 'expect' in m) {
      arrival.target = b.count() + Number(m.expect);
      arrival.reached = () => void report();
    }
    if (typeof m === 'object' && m !== null && 'linked' in m) {
      void (b.linked?.(String(m.linked)) ?? Promise.resolve()).then(
        () => process.send?.({ linked: true }),
        (/** @type {unknown} */ err) => process.send?.({ linked: false, error: String(err) }),
      );
    }
  });
  process.send?.({ address: b.address });
}

/** The remote peers running now: killed when this process exits, whatever ends it. */
const children = new Set(/** @type {import('node:child_process').ChildProcess[]} */ ([]));
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.once(signal, () =>
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)),
  );
}

/**
 * Fork a remote peer of `kind`.
 * @param {string} kind @param {import('@libp2p/interface').PrivateKey} key @param {string[]} members
 * @returns {Promise<Remote>}
 */
async function spawnRemote(kind, key, members) {
  const child = fork(fileURLToPath(import.meta.url), ['--peer', kind], {
    env: {
      ...process.env,
      BENCH_KEY: Buffer.from(privateKeyToProtobuf(key)).toString('hex'),
      BENCH_MEMBERS: members.join(','),
    },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  /** @typedef {{ address?: string, stats?: Stats, linked?: boolean, error?: string }} Answer */
  /** @type {((m: Answer) => void)[]} */
  const waiters = [];
  child.on('message', (/** @type {Answer} */ m) => waiters.shift()?.(m));
  /** @returns {Promise<Answer>} */
  const next = () => new Promise((resolve) => waiters.push(resolve));
  const { address } = await next();
  return {
    address: String(address),
    id: peerIdFromPrivateKey(key).toString(),
    stats: async () => {
      const answer = next();
      child.send('stats');
      return /** @type {Stats} */ ((await answer).stats);
    },
    // Resolves once `n` more decisions have arrived, with the stats at that moment.
    arrived: async (n) => {
      const answer = next();
      child.send({ expect: n });
      return /** @type {Stats} */ ((await answer).stats);
    },
    // Resolves once the remote's own link to `peer` is connected (its replies would be dropped
    // before).
    linked: async (peer) => {
      const answer = next();
      child.send({ linked: peer });
      const a = await answer;
      if (a.linked !== true) throw new Error(String(a.error));
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', () => resolve(undefined)));
      child.send('stop');
      await exited;
    },
  };
}

// ------------------------------------------------------------------ the sender (A)

/**
 * A with ends to B and C, all of `kind`.
 * @param {string} kind
 * @returns {Promise<{ b: End, c: End, remotes: Remote[], close(): Promise<void> }>}
 */
async function setUp(kind) {
  const keys = await Promise.all([0, 1, 2].map(() => generateKeyPair('Ed25519')));
  const ids = keys.map((k) => peerIdFromPrivateKey(k).toString());
  const remotes = await Promise.all([1, 2].map((i) => spawnRemote(kind, keys[i], ids)));
  if (kind === 'raw') {
    const sockets = await Promise.all(
      remotes.map(
        (r) =>
          /** @type {Promise<import('node:net').Socket>} */ (
            new Promise((resolve) => {
              const s = connect(Number(r.address), '127.0.0.1', () => resolve(s));
            })
          ),
      ),
    );
    const [b, c] = sockets.map(rawEnd);
    return {
      b: /** @type {End} */ (b),
      c: /** @type {End} */ (c),
      remotes,
      close: async () => {
        for (const s of sockets) s.destroy();
        await Promise.all(remotes.map((r) => r.stop()));
      },
    };
  }
  if (kind === 'stock' || kind === 'link') {
    const node = await bareNode(kind, keys[0]);
    const streams = await Promise.all(
      remotes.map((r) => node.dialProtocol(multiaddr(r.address), ECHO_PROTOCOL)),
    );
    const [b, c] = streams.map(streamEnd);
    return {
      b: /** @type {End} */ (b),
      c: /** @type {End} */ (c),
      remotes,
      close: async () => {
        await node.stop();
        await Promise.all(remotes.map((r) => r.stop()));
      },
    };
  }
  const t = await createLibp2pTransport({ identity: keys[0], listen: LOOPBACK, mdns: false });
  /** @type {Map<string, Handler>} */
  const handlers = new Map();
  await t.start((from, messages) => handlers.get(from)?.(messages));
  t.setMembers(ids);
  for (const r of remotes) await t.addPeerAddress(r.address);
  // Both ways: a remote replies over its own link to A, which opens after A's reached it; a
  // request answered before then would lose its reply (send refused) and the round trip would
  // wait for ever.
  for (const r of remotes) await untilConnected(t, r.id, `the link to ${r.id}`);
  await Promise.all(remotes.map((r) => r.linked(ids[0] ?? '')));
  /** @param {Remote} r @returns {End} */
  const end = (r) => ({
    send: (messages) => t.send(r.id, messages),
    room: () => untilConnected(t, r.id, `the congested link to ${r.id}`),
    onMessages: (h) => void handlers.set(r.id, h),
  });
  return {
    b: end(/** @type {Remote} */ (remotes[0])),
    c: end(/** @type {Remote} */ (remotes[1])),
    remotes,
    close: async () => {
      await t.stop();
      await Promise.all(remotes.map((r) => r.stop()));
    },
  };
}

/**
 * Sequential round trips of one request to each of `ends`, waiting for the first answer (RTT:
 * one end; first of two: two ends, then also for the second before the next round). Also the
 * CPU time per round trip of this process and of the `remotes` (user + system): next to the
 * latency, it tells time spent computing from time spent waiting (wake-ups, scheduling).
 * @param {End[]} ends @param {Remote[]} remotes
 */
async function roundTrips(ends, remotes) {
  let got = 0;
  /** @type {() => void} */
  let wake = () => undefined;
  /** @type {(err: Error) => void} */
  let stall = () => undefined;
  for (const e of ends) {
    e.onMessages(() => {
      got++;
      wake();
    });
  }
  /** @param {number} n */
  const until = (n) =>
    new Promise((resolve, reject) => {
      wake = () => {
        if (got >= n) resolve(undefined);
      };
      stall = reject;
      wake();
    });
  // One timer for the whole series, not one per round trip (which A's CPU figure would count).
  let seen = -1;
  let since = performance.now();
  const guard = setInterval(() => {
    if (got !== seen) {
      seen = got;
      since = performance.now();
    } else if (performance.now() - since > STALL_MS) {
      stall(new Error(`no answer in ${STALL_MS / 1000} s (${got} answers so far)`));
    }
  }, 5000);
  /** @type {number[]} */
  const samples = [];
  const warmup = Math.min(300, RTT_SAMPLES);
  let expected = 0;
  /** @type {Stats[]} */
  let before = [];
  let c0 = 0;
  try {
    for (let i = 0; i < warmup + RTT_SAMPLES; i++) {
      if (i === warmup) {
        before = await Promise.all(remotes.map((r) => r.stats()));
        c0 = cpuUs();
      }
      const t0 = performance.now();
      const base = expected;
      for (const e of ends) {
        if (!e.send(batch('request', 1, i))) throw new Error('send refused in a round trip');
        expected++;
      }
      await until(base + 1);
      if (i >= warmup) samples.push(performance.now() - t0);
      await until(expected);
    }
  } finally {
    clearInterval(guard);
  }
  const cpuA = cpuUs() - c0;
  const after = await Promise.all(remotes.map((r) => r.stats()));
  const cpuRemotes = after.reduce((sum, s, i) => sum + s.cpuUs - (before[i]?.cpuUs ?? 0), 0);
  return { ...latencySummary(samples), cpuUsPerRoundTrip: (cpuA + cpuRemotes) / RTT_SAMPLES };
}

/**
 * `total` decisions to B, `perSend` per send and one send per turn of the event loop; CPU of A
 * and B, socket writes of A and B, until B counted them all. A refused send (Synod's link
 * buffers at most 8 MiB: the sender outruns the receiver) waits for the link's room and is sent
 * again, as an app that must deliver every message would; the waits are counted.
 * @param {End} b @param {Remote} remote @param {number} total @param {number} perSend
 */
async function stream(b, remote, total, perSend) {
  const before = await remote.stats();
  const done = remote.arrived(total);
  const w0 = socketWrites;
  const c0 = cpuUs();
  const t0 = performance.now();
  let sent = 0;
  let sends = 0;
  let refused = 0;
  while (sent < total) {
    const messages = batch('decision', perSend, sent);
    while (!b.send(messages)) {
      refused++;
      await b.room();
    }
    sent += perSend;
    sends++;
    await tick();
  }
  const sentWrites = socketWrites - w0;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const late = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the last decisions did not arrive in ${STALL_MS / 1000} s`)),
      STALL_MS,
    );
  });
  const after = await Promise.race([done, late]);
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const cpuA = cpuUs() - c0;
  const cpuB = after.cpuUs - before.cpuUs;
  if (after.count - before.count < sent) throw new Error('not every message arrived');
  return {
    messages: sent,
    frames: sends,
    cpuUsPerMessage: (cpuA + cpuB) / sent,
    senderCpuUsPerMessage: cpuA / sent,
    receiverCpuUsPerMessage: cpuB / sent,
    messagesPerSec: sent / seconds,
    writesPerFrame: (sentWrites + (after.writes - before.writes)) / sends,
    senderWritesPerFrame: sentWrites / sends,
    receiverWritesPerFrame: (after.writes - before.writes) / sends,
    refused,
    load: loadavg()[0],
  };
}

const METRICS = /** @type {const} */ ([
  'rttP50',
  'rttP99',
  'rttMean',
  'rttCpu',
  'firstOfTwoP50',
  'firstOfTwoP99',
  'cpuOne',
  'cpuBatch',
  'rateOne',
  'rateBatch',
  'writesOne',
  'writesBatch',
  'receiverWritesOne',
  'receiverWritesBatch',
  'refusedBatch',
]);

async function runParent() {
  const machine = machineInfo();
  log(
    `transport bench: ${RUNS} runs of ${KINDS.join(', ')}; ${RTT_SAMPLES} round trips; ` +
      `${MESSAGES} messages of ${PAYLOAD} B one by one, ${BATCHED_MESSAGES} ${BATCH} per send`,
  );
  /** @type {Record<string, Record<string, number[]>>} */
  const acc = {};
  /** @type {Record<string, Record<string, number[]>>} */
  const loads = {};
  for (let run = 0; run < RUNS; run++) {
    // Alternate the kinds, so that drift in the machine's load hits all alike.
    for (const kind of KINDS) {
      const a = (acc[kind] ??= Object.fromEntries(METRICS.map((m) => [m, []])));
      const l = (loads[kind] ??= Object.fromEntries(METRICS.map((m) => [m, []])));
      /** @param {string} metric @param {number} value */
      const put = (metric, value) => {
        a[metric]?.push(value);
        l[metric]?.push(loadavg()[0]);
      };
      const s = await setUp(kind);
      const rtt = await roundTrips([s.b], [/** @type {Remote} */ (s.remotes[0])]);
      put('rttP50', rtt.p50);
      put('rttP99', rtt.p99);
      put('rttMean', rtt.mean);
      put('rttCpu', rtt.cpuUsPerRoundTrip);
      const two = await roundTrips([s.b, s.c], s.remotes);
      put('firstOfTwoP50', two.p50);
      put('firstOfTwoP99', two.p99);
      const remote = /** @type {Remote} */ (s.remotes[0]);
      const one = await stream(s.b, remote, MESSAGES, 1);
      put('cpuOne', one.cpuUsPerMessage);
      put('rateOne', one.messagesPerSec);
      put('writesOne', one.writesPerFrame);
      put('receiverWritesOne', one.receiverWritesPerFrame);
      const many = await stream(s.b, remote, BATCHED_MESSAGES, BATCH);
      put('cpuBatch', many.cpuUsPerMessage);
      put('rateBatch', many.messagesPerSec);
      put('writesBatch', many.writesPerFrame);
      put('receiverWritesBatch', many.receiverWritesPerFrame);
      put('refusedBatch', many.refused);
      await s.close();
      log(
        `run ${run + 1} ${kind.padEnd(5)} RTT p50 ${fmt(rtt.p50)} ms (CPU ${fmt(rtt.cpuUsPerRoundTrip)} µs); first of two p50 ${fmt(two.p50)} ms; ` +
          `CPU/msg one by one ${fmt(one.cpuUsPerMessage)} µs (${fmt(one.writesPerFrame)} writes/frame, ` +
          `receiver ${fmt(one.receiverWritesPerFrame)}), ${BATCH}/send ${fmt(many.cpuUsPerMessage)} µs ` +
          `(${fmt(many.writesPerFrame)} writes/frame, ${many.refused} refused); load ${loadavg()[0].toFixed(1)}`,
      );
    }
  }
  const results = Object.fromEntries(
    Object.entries(acc).map(([kind, m]) => [
      kind,
      Object.fromEntries(
        Object.entries(m).map(([k, xs]) => [
          k,
          { ...summary(xs), load: summary(loads[kind]?.[k] ?? []).median },
        ]),
      ),
    ]),
  );
  /** @param {string} metric */
  const ratio = (metric) =>
    (results.synod?.[metric]?.median ?? NaN) / (results.raw?.[metric]?.median ?? NaN);
  const synod = results.synod ?? {};
  const goals = {
    firstOfTwoP50: { ratio: ratio('firstOfTwoP50'), limit: 2 },
    rttP50: { ratio: ratio('rttP50'), limit: 2 },
    cpuOneByOne: { ratio: ratio('cpuOne'), limit: 1.5 },
    cpuBatched: { ratio: ratio('cpuBatch'), limit: 1.5 },
    writesPerFrame: {
      value: Math.max(synod.writesOne?.median ?? NaN, synod.writesBatch?.median ?? NaN),
      limit: 1.2,
    },
    receiverWritesPerFrame: {
      value: Math.max(
        synod.receiverWritesOne?.median ?? NaN,
        synod.receiverWritesBatch?.median ?? NaN,
      ),
      // At least 10 frames per window update: yamux grants window once half of it is used
      // (128 KiB at first, more as it grows), so small frames go thousands to an update and
      // frames of 11 KB (100 messages) about a dozen; stock yamux sends one per frame (1.0).
      limit: 0.1,
    },
  };
  /** @param {{ ratio?: number, value?: number, limit: number }} g */
  const met = (g) => (g.ratio ?? g.value ?? NaN) <= g.limit;
  const date = new Date().toISOString();
  const file = saveResults('transport', date, {
    suite: 'transport',
    date,
    machine,
    method: {
      runs: RUNS,
      rttSamples: RTT_SAMPLES,
      messages: MESSAGES,
      batchedMessages: BATCHED_MESSAGES,
      payload: PAYLOAD,
      batch: BATCH,
    },
    results,
    goals: Object.fromEntries(Object.entries(goals).map(([k, g]) => [k, { ...g, met: met(g) }])),
  });

  const names = {
    raw: 'raw node:net, Synod frames',
    stock: 'stock js-libp2p stream (TCP, @chainsafe Noise, yamux)',
    link: "bare libp2p stream over Synod's link (src/link)",
    synod: 'Synod libp2p transport',
  };
  /** @param {string} kind @param {string} metric @param {(x: number) => string} [f] */
  const cell = (kind, metric, f = fmt) => {
    const s = results[kind]?.[metric];
    return s === undefined || s.n === 0 ? '—' : `${range(s, f)} [${s.load.toFixed(1)}]`;
  };
  /** @param {{ ratio?: number, value?: number, limit: number }} g @param {string} what */
  const goalLine = (g, what) =>
    `- ${what}: ${met(g) ? 'met' : '**NOT met**'} (${
      g.ratio !== undefined ? `${g.ratio.toFixed(2)}x raw` : fmt(g.value ?? NaN)
    }; limit ${g.ratio !== undefined ? `${g.limit}x` : g.limit})`;
  await appendReport([
    `## transport — ${date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    machineLine(machine),
    versionsLine(machine),
    '',
    `Method: ${RUNS} runs alternating the transports (${KINDS.join(', ')}) carrying the same Synod`,
    'frames, every peer in its own process on 127.0.0.1: a raw node:net connection; a stock',
    'js-libp2p stream (TCP, @chainsafe/libp2p-noise, @chainsafe/libp2p-yamux: the defaults, no',
    "Synod code); the same bare libp2p stream over Synod's link components (src/link/: its Noise",
    "records and yamux, nothing above them); and Synod's transport (the link plus gating, peer",
    `bookkeeping, queues). RTT: ${RTT_SAMPLES} sequential round trips of a ${PAYLOAD}-byte request,`,
    'and the CPU time they took in both processes, per round trip.',
    'First of two: the request to two peers, timed to the first answer. CPU per message: sender +',
    `receiver CPU (user + system) over ${MESSAGES} decisions of ${PAYLOAD} B sent one by one (one`,
    `send per turn of the event loop), and over ${BATCHED_MESSAGES} sent ${BATCH} per send (a send`,
    "Synod's transport refuses, its 8 MiB send buffer full, waits until the link reports itself",
    'connected again, then goes again; the others buffer without bound). Socket writes: TCP writes of both',
    'processes per flushed frame (of the receiver alone: window updates). Figures: median',
    '(min–max) over the runs, [load average].',
    '',
    ...table(
      ['', ...KINDS.map((k) => names[/** @type {'raw'} */ (k)] ?? k)],
      [
        ['RTT p50, ms', ...KINDS.map((k) => cell(k, 'rttP50'))],
        ['RTT p99, ms', ...KINDS.map((k) => cell(k, 'rttP99'))],
        ['RTT mean, ms', ...KINDS.map((k) => cell(k, 'rttMean'))],
        ['CPU µs per round trip (both ends)', ...KINDS.map((k) => cell(k, 'rttCpu'))],
        ['first of two p50, ms', ...KINDS.map((k) => cell(k, 'firstOfTwoP50'))],
        ['first of two p99, ms', ...KINDS.map((k) => cell(k, 'firstOfTwoP99'))],
        ['CPU µs/message, one by one', ...KINDS.map((k) => cell(k, 'cpuOne'))],
        [`CPU µs/message, ${BATCH} per send`, ...KINDS.map((k) => cell(k, 'cpuBatch'))],
        ['messages/s, one by one', ...KINDS.map((k) => cell(k, 'rateOne'))],
        [`messages/s, ${BATCH} per send`, ...KINDS.map((k) => cell(k, 'rateBatch'))],
        ['socket writes/frame, one by one', ...KINDS.map((k) => cell(k, 'writesOne'))],
        [`socket writes/frame, ${BATCH} per send`, ...KINDS.map((k) => cell(k, 'writesBatch'))],
        ['of which the receiver (one by one)', ...KINDS.map((k) => cell(k, 'receiverWritesOne'))],
        [
          `of which the receiver (${BATCH}/send)`,
          ...KINDS.map((k) => cell(k, 'receiverWritesBatch')),
        ],
        [
          `sends refused (then waited for room), ${BATCH}/send`,
          ...KINDS.map((k) => cell(k, 'refusedBatch')),
        ],
      ],
      `l${'r'.repeat(KINDS.length)}`,
    ),
    '',
    'Goals (issue 14), Synod against raw node:net in this run:',
    goalLine(goals.firstOfTwoP50, 'first of two replies p50 <= 2x raw'),
    goalLine(goals.rttP50, 'two-process RTT p50 <= 2x raw'),
    goalLine(goals.cpuOneByOne, 'CPU per message, one by one, <= 1.5x raw'),
    goalLine(goals.cpuBatched, `CPU per message, ${BATCH} per send, <= 1.5x raw`),
    goalLine(goals.writesPerFrame, 'socket writes per flushed frame <= 1.2'),
    goalLine(goals.receiverWritesPerFrame, 'no window update per frame (receiver writes/frame)'),
    '',
    `Raw data: bench/results/${file}.`,
  ]);
  console.log(JSON.stringify(goals));
}

if (opts.peer !== undefined) await runChild();
else await runParent();

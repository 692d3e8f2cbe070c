#!/usr/bin/env node
// Transport benchmark (issue 5): round-trip time and messages/s of the libp2p transport (TCP +
// Noise + yamux, Synod frames) next to a raw node:net loopback baseline carrying the same frames
// with the same codec (varint length, version byte, protobuf Frame), measured in the same run.
// A third row, a bare libp2p stream echoing the same frame bytes, shows what libp2p itself
// costs (the floor under the Synod transport). Messages carry 100-byte payloads. Goals: p50 RTT
// within 2x of raw TCP; >= 500k messages/s with batching.
//
//   npm run bench -- transport [--runs 3] [--seconds 3] [--rtt-samples 2000]
//                              [--batches 1,100] [--layouts two-process,one-process]
//
// Layouts: `two-process` puts the receiving peer in a child process (as real peers are);
// `one-process` runs both ends on one event loop. Everything on 127.0.0.1; mDNS off. Needs the
// packages built (npm run build). Writes bench/results/transport-<date>.json and appends a
// section to bench/REPORT.md.
import { fork } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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
} from '@synod/transport-libp2p';
import { createLibp2p } from 'libp2p';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    'rtt-samples': { type: 'string', default: '2000' },
    batches: { type: 'string', default: '1,100' },
    layouts: { type: 'string', default: 'two-process,one-process' },
    peer: { type: 'string' },
  },
});
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const RTT_SAMPLES = Number(opts['rtt-samples']);
const BATCHES = opts.batches.split(',').map(Number);
const LAYOUTS = opts.layouts.split(',');
const PAYLOAD = 100;
const MAX_FRAME = 16 << 20;
/** Stop queueing above this many buffered bytes, resume below (both transports). */
const HIGH_WATER = 4 << 20;
const ECHO_PROTOCOL = '/synod-bench/echo/1.0.0';
const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const here = dirname(fileURLToPath(import.meta.url));
const payload = new Uint8Array(PAYLOAD).fill(0x5a);

/**
 * @typedef {import('@synod/core').Message} Message
 * @typedef {(messages: readonly Message[]) => void} Handler
 * @typedef {{ send(messages: Message[]): boolean, onMessages(h: Handler): void, queued(): number }} End
 * @typedef {{ kind: string, layout: string, a: End, count(): Promise<number>, close(): Promise<void> }} Pair
 */

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
 * The receiving peer's behaviour, the same everywhere: echo requests (RTT), count decisions
 * (throughput).
 * @param {(messages: Message[]) => void} reply
 */
function receiver(reply) {
  let count = 0;
  /** @type {Handler} */
  const handle = (messages) => {
    if (messages[0]?.type === 'request') reply([...messages]);
    else count += messages.length;
  };
  return { handle, count: () => count };
}

/**
 * Frames over any byte pipe: `write` sends bytes; returns the End and the function to feed
 * received bytes to.
 * @param {(bytes: Uint8Array) => void} write @param {() => number} queued
 */
function framedEnd(write, queued) {
  /** @type {Handler} */
  let handler = () => undefined;
  const decoder = new FrameDecoder(MAX_FRAME, {
    frame: (body) => {
      const d = decodeFrameBody(body);
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
      if (queued() > HIGH_WATER) return false;
      for (const f of encodeMessages(messages, MAX_FRAME).frames) write(f);
      return true;
    },
    onMessages: (h) => {
      handler = h;
    },
    queued,
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
  const { end, feed } = framedEnd(
    (b) => socket.write(b),
    () => socket.writableLength,
  );
  socket.on('data', feed);
  return end;
}

/** @param {import('@libp2p/interface').Stream} stream */
function streamEnd(stream) {
  const { end, feed } = framedEnd(
    (b) => stream.send(b),
    () => stream.writeBufferLength,
  );
  stream.addEventListener('message', (evt) => feed(evt.data));
  return end;
}

/** @param {import('@libp2p/interface').PrivateKey} privateKey */
function bareNode(privateKey) {
  return createLibp2p({
    privateKey,
    addresses: { listen: LOOPBACK },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
}

// ------------------------------------------------------------------ the receiving side (B)

/**
 * Start B for `kind`; returns where to reach it and its counter. Runs in the child process
 * (two-process layout) or in this one.
 * @param {string} kind @param {{ key: import('@libp2p/interface').PrivateKey, peerOfA: string }} ids
 * @returns {Promise<{ address: string, count: () => number, close: () => Promise<void> }>}
 */
async function startB(kind, ids) {
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
  if (kind === 'bare') {
    const node = await bareNode(ids.key);
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
  const t = await createLibp2pTransport({ identity: ids.key, listen: LOOPBACK, mdns: false });
  const r = receiver((m) => t.send(ids.peerOfA, m));
  await t.start((_from, messages) => r.handle(messages));
  t.setMembers([t.id, ids.peerOfA]);
  return {
    address: String(t.multiaddrs()[0]),
    count: () => r.count(),
    close: () => t.stop(),
  };
}

/** Child process mode: run B, answer the parent's count requests over IPC. */
async function runChild() {
  const key = privateKeyFromProtobuf(Buffer.from(process.env.BENCH_KEY ?? '', 'hex'));
  const b = await startB(String(opts.peer), { key, peerOfA: process.env.BENCH_PEER_A ?? '' });
  process.on('message', (/** @type {unknown} */ m) => {
    if (m === 'count') process.send?.({ count: b.count() });
    if (m === 'stop') void b.close().then(() => process.exit(0));
  });
  process.send?.({ address: b.address });
}

// ------------------------------------------------------------------ the sending side (A)

/** @param {string} kind @param {string} layout @returns {Promise<Pair>} */
async function makePair(kind, layout) {
  const keyA = await generateKeyPair('Ed25519');
  const keyB = await generateKeyPair('Ed25519');
  const idA = peerIdFromPrivateKey(keyA).toString();
  const idB = peerIdFromPrivateKey(keyB).toString();
  /** @type {{ address: string, count(): Promise<number>, close(): Promise<void> }} */
  let b;
  if (layout === 'one-process') {
    const local = await startB(kind, { key: keyB, peerOfA: idA });
    b = { address: local.address, count: () => Promise.resolve(local.count()), close: local.close };
  } else {
    const child = fork(fileURLToPath(import.meta.url), ['--peer', kind], {
      env: {
        ...process.env,
        BENCH_KEY: Buffer.from(privateKeyToProtobuf(keyB)).toString('hex'),
        BENCH_PEER_A: idA,
      },
    });
    /** @type {((m: { address?: string, count?: number }) => void)[]} */
    const waiters = [];
    child.on('message', (/** @type {{ address?: string, count?: number }} */ m) =>
      waiters.shift()?.(m),
    );
    /** @returns {Promise<{ address?: string, count?: number }>} */
    const next = () => new Promise((resolve) => waiters.push(resolve));
    const { address } = await next();
    b = {
      address: String(address),
      count: async () => {
        const answer = next();
        child.send('count');
        return (await answer).count ?? 0;
      },
      close: async () => {
        const exited = new Promise((resolve) => child.once('exit', () => resolve(undefined)));
        child.send('stop');
        await exited;
      },
    };
  }
  if (kind === 'raw') {
    const socket = connect(Number(b.address), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    return {
      kind,
      layout,
      a: rawEnd(socket),
      count: () => b.count(),
      close: async () => {
        socket.destroy();
        await b.close();
      },
    };
  }
  if (kind === 'bare') {
    const node = await bareNode(keyA);
    const stream = await node.dialProtocol(multiaddr(b.address), ECHO_PROTOCOL);
    return {
      kind,
      layout,
      a: streamEnd(stream),
      count: () => b.count(),
      close: async () => {
        await node.stop();
        await b.close();
      },
    };
  }
  const t = await createLibp2pTransport({
    identity: keyA,
    listen: LOOPBACK,
    mdns: false,
    maxSendBufferBytes: 2 * HIGH_WATER,
  });
  /** @type {Handler} */
  let handler = () => undefined;
  await t.start((_from, messages) => handler(messages));
  t.setMembers([idA, idB]);
  await t.addPeerAddress(b.address);
  const deadline = Date.now() + 10_000;
  while (!t.peers().some((p) => p.connected)) {
    if (Date.now() > deadline) throw new Error('the libp2p transports did not link up');
    await sleep(10);
  }
  return {
    kind,
    layout,
    a: {
      send: (messages) => t.send(idB, messages),
      onMessages: (h) => {
        handler = h;
      },
      queued: () => t.linkDetails(idB).queuedBytes,
    },
    count: () => b.count(),
    close: async () => {
      await t.stop();
      await b.close();
    },
  };
}

/** Sequential round trips of one 100-byte request: A sends, B echoes, A receives. @param {Pair} pair */
async function rtt(pair) {
  /** @type {() => void} */
  let arrived = () => undefined;
  pair.a.onMessages(() => arrived());
  /** @type {number[]} */
  const samples = [];
  const warmup = Math.min(300, RTT_SAMPLES);
  for (let i = 0; i < warmup + RTT_SAMPLES; i++) {
    const back = new Promise((resolve) => (arrived = () => resolve(undefined)));
    const t0 = performance.now();
    if (!pair.a.send(batch('request', 1, i))) throw new Error('send refused during the RTT test');
    await back;
    if (i >= warmup) samples.push(performance.now() - t0);
  }
  samples.sort((x, y) => x - y);
  /** @param {number} q */
  const pct = (q) =>
    /** @type {number} */ (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]);
  return { p50: pct(0.5), p99: pct(0.99) };
}

/**
 * A streams sends of `size` decisions for SECONDS, refilling whenever less than HIGH_WATER is
 * queued; messages/s counted at B until all arrived.
 * @param {Pair} pair @param {number} size
 */
async function throughput(pair, size) {
  const before = await pair.count();
  const start = performance.now();
  const stopAt = start + SECONDS * 1000;
  let sent = 0;
  while (performance.now() < stopAt) {
    for (let k = 0; k < 64 && pair.a.queued() < HIGH_WATER; k++) {
      if (!pair.a.send(batch('decision', size, sent))) break;
      sent += size;
    }
    await tick();
  }
  const drainBy = performance.now() + 30_000;
  let got = 0;
  while ((got = (await pair.count()) - before) < sent && performance.now() < drainBy) {
    await sleep(1);
  }
  const elapsed = (performance.now() - start) / 1000;
  if (got < sent) throw new Error(`${pair.kind}: only ${got} of ${sent} messages arrived`);
  return got / elapsed;
}

/** @param {number[]} xs */
function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    median: /** @type {number} */ (s[Math.floor(s.length / 2)]),
    min: /** @type {number} */ (s[0]),
    max: /** @type {number} */ (s[s.length - 1]),
  };
}

/** @param {number} x */
function fmt(x) {
  return Math.round(x).toLocaleString('en-US');
}

async function runParent() {
  const libp2pVersion =
    /"version":\s*"([^"]+)"/.exec(
      readFileSync(join(here, '..', 'node_modules', 'libp2p', 'package.json'), 'utf8'),
    )?.[1] ?? 'unknown';
  const machine = {
    cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    libp2p: libp2pVersion,
  };
  console.log(
    `transport bench: ${RUNS} runs; RTT over ${RTT_SAMPLES} round trips; ${SECONDS} s per ` +
      `throughput run; sends of ${BATCHES.join(', ')} messages of ${PAYLOAD} B; ${LAYOUTS.join(', ')}`,
  );
  console.log(JSON.stringify(machine));
  const KINDS = ['raw', 'bare', 'synod'];
  /** @type {Record<string, { p50: number[], p99: number[], tput: Record<number, number[]> }>} */
  const acc = {};
  for (let run = 0; run < RUNS; run++) {
    for (const layout of LAYOUTS) {
      // Alternate the kinds, so that drift in the machine's load hits all alike.
      for (const kind of KINDS) {
        const key = `${kind}/${layout}`;
        const r = (acc[key] ??= { p50: [], p99: [], tput: {} });
        const pair = await makePair(kind, layout);
        const t = await rtt(pair);
        r.p50.push(t.p50);
        r.p99.push(t.p99);
        const line = [`RTT p50 ${t.p50.toFixed(3)} ms p99 ${t.p99.toFixed(3)} ms`];
        if (kind !== 'bare') {
          for (const size of BATCHES) {
            const rate = await throughput(pair, size);
            (r.tput[size] ??= []).push(rate);
            line.push(`${size}/send: ${fmt(rate)} msg/s`);
          }
        }
        await pair.close();
        console.log(`run ${run + 1} ${key.padEnd(18)} ${line.join('; ')}`);
      }
    }
  }
  const results = Object.fromEntries(
    Object.entries(acc).map(([key, r]) => [
      key,
      {
        rttP50Ms: summary(r.p50),
        rttP99Ms: summary(r.p99),
        messagesPerSec: Object.fromEntries(
          Object.entries(r.tput).map(([s, xs]) => [s, summary(xs)]),
        ),
      },
    ]),
  );
  const bestBatch = Math.max(...BATCHES);
  const goals = LAYOUTS.map((layout) => {
    const synod = results[`synod/${layout}`];
    const raw = results[`raw/${layout}`];
    const bare = results[`bare/${layout}`];
    const ratio = (synod?.rttP50Ms.median ?? NaN) / (raw?.rttP50Ms.median ?? NaN);
    const bareRatio = (bare?.rttP50Ms.median ?? NaN) / (raw?.rttP50Ms.median ?? NaN);
    const rate = synod?.messagesPerSec[bestBatch]?.median ?? 0;
    return {
      layout,
      rttRatio: ratio,
      bareLibp2pRttRatio: bareRatio,
      rttMet: ratio <= 2,
      messagesPerSec: rate,
      throughputMet: rate >= 500_000,
    };
  });
  const date = new Date().toISOString();
  const out = {
    suite: 'transport',
    date,
    machine,
    method: {
      runs: RUNS,
      rttSamples: RTT_SAMPLES,
      secondsPerThroughputRun: SECONDS,
      payloadBytes: PAYLOAD,
      batches: BATCHES,
      layouts: LAYOUTS,
    },
    results,
    goals: {
      description: `p50 RTT <= 2x raw TCP; >= 500k messages/s of ${PAYLOAD} B at ${bestBatch} per send`,
      byLayout: goals,
    },
  };
  const file = join(here, 'results', `transport-${date.slice(0, 19).replace(/:/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);

  const report = join(here, 'REPORT.md');
  if (!existsSync(report)) writeFileSync(report, '# Benchmark reports\n\nNewest sections last.\n');
  /** @param {{ median: number, min: number, max: number } | undefined} s @param {(x: number) => string} f */
  const range = (s, f) => (s === undefined ? '—' : `${f(s.median)} (${f(s.min)}–${f(s.max)})`);
  /** @param {number} x */
  const ms = (x) => x.toFixed(3);
  const names = {
    raw: 'raw node:net, Synod frames',
    bare: 'bare libp2p stream (floor)',
    synod: 'Synod libp2p transport',
  };
  appendFileSync(
    report,
    [
      '',
      `## transport — ${date.slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `Machine: ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.kernel}.`,
      `Versions: node ${machine.node}, libp2p ${machine.libp2p}.`,
      '',
      `Method: ${RUNS} runs alternating (a) a raw node:net connection carrying Synod frames with the`,
      'same codec, (b) a bare libp2p stream (TCP + Noise + yamux) echoing the same frames, with no',
      'Synod code between (what libp2p itself costs), and (c) two Synod libp2p transports. All on',
      '127.0.0.1. `two-process`: the receiving peer runs in a child process; `one-process`: both',
      `ends share one event loop. RTT: a request with a ${PAYLOAD}-byte payload sent, echoed and`,
      `received, ${RTT_SAMPLES} times in sequence after a warm-up. Throughput: ${SECONDS} s of sends`,
      `of N decisions with ${PAYLOAD}-byte values, refilled whenever less than 4 MiB is queued,`,
      'counted at the receiver until all arrived. Figures: median (min–max) over the runs.',
      '',
      '| transport | layout | RTT p50 ms | RTT p99 ms | ' +
        BATCHES.map((s) => `msg/s, ${s} per send`).join(' | ') +
        ' |',
      '| --- | --- | ---: | ---: | ' + BATCHES.map(() => '---:').join(' | ') + ' |',
      ...LAYOUTS.flatMap((layout) =>
        KINDS.map((kind) => {
          const r = results[`${kind}/${layout}`];
          return (
            `| ${names[/** @type {'raw'} */ (kind)]} | ${layout} | ${range(r?.rttP50Ms, ms)} | ` +
            `${range(r?.rttP99Ms, ms)} | ` +
            BATCHES.map((s) => range(r?.messagesPerSec[s], fmt)).join(' | ') +
            ' |'
          );
        }),
      ),
      '',
      ...goals.map(
        (g) =>
          `Goals, ${g.layout}: p50 RTT within 2x of raw TCP: ${g.rttMet ? 'met' : 'NOT met'} ` +
          `(${g.rttRatio.toFixed(2)}x; the bare libp2p stream alone is ${g.bareLibp2pRttRatio.toFixed(2)}x); ` +
          `>= 500k msg/s with batching: ${g.throughputMet ? 'met' : 'NOT met'} ` +
          `(${fmt(g.messagesPerSec)} msg/s at ${bestBatch} per send).`,
      ),
      `Raw data: bench/results/${file.split('/').pop()}.`,
      '',
    ].join('\n'),
  );
  console.log(`wrote ${file} and a section of bench/REPORT.md`);
}

if (opts.peer !== undefined) await runChild();
else await runParent();

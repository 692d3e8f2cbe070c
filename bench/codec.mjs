#!/usr/bin/env node
// Codec benchmark (issue 14): encoding and decoding of every protocol message type with Synod's
// table-driven codec (packages/transport-libp2p/src/codec/), next to protons' codec generated
// from the same .proto (the reference the tests compare bytes with) and the hand-written codec
// it replaced ("today", read from git at BASELINE_REV), in the same run. Also a frame of 100
// decisions of 100 B, the batched hot path (Synod's frame codec against protons' Frame).
// Goals: decode at least as fast as protons for every type; encode no slower than today.
//
//   npm run bench -- codec [--rounds 7] [--ms 40]
//
// Figures are CPU time per operation (process.cpuUsage, user + system), the median over
// `rounds` rounds in which the codecs alternate, so that a busy machine slows all alike; the
// load average is printed beside each row. Writes bench/results/codec-<date>.json and appends a
// section to bench/REPORT.md.
import { loadavg } from 'node:os';
import { benchArgs } from './lib/args.mjs';
import { ByteReader } from '@synod/core';
import { sampleMessages } from '@synod/core/testing';
import { decodeFrameBody, encodeMessages, MESSAGE_TYPES } from '@synod/transport-libp2p';
import { MessageUnion } from '../packages/transport-libp2p/dist/codec/paxos-schema.js';
import {
  appendReport,
  fmt,
  log,
  machineInfo,
  machineLine,
  median,
  saveResults,
  table,
  versionsLine,
} from './lib/common.mjs';
import { BASELINE_REV, loadBaseline, loadProtons } from './lib/reference-codecs.mjs';

const { values: opts } = benchArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    ms: { type: 'string', default: '40' },
  },
});
const ROUNDS = Number(opts.rounds);
const MS = Number(opts.ms);
const PEER = '12D3KooWMXQdHcNbg95Dn9oAwFgLRG1gvqxTxJnsvyWZrnwkSQfz';

const protons = await loadProtons();
const today = await loadBaseline();
const LIMITS = { maxEntries: 65_536 };

/**
 * CPU ns per call of `fn`: calibrate a count that takes about MS ms, then time that many calls.
 * @param {() => unknown} fn
 */
function cpuNsPerOp(fn) {
  let n = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    if (performance.now() - t >= MS / 4) break;
    n *= 4;
  }
  n *= 4;
  const c = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const d = process.cpuUsage(c);
  return ((d.user + d.system) * 1000) / n;
}

/**
 * Median over ROUNDS of each implementation's ns/op, the implementations alternating.
 * @param {Record<string, () => unknown>} impls
 */
function compare(impls) {
  /** @type {Record<string, number[]>} */
  const xs = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of Object.entries(impls)) xs[k].push(cpuNsPerOp(fn));
  }
  return Object.fromEntries(Object.entries(xs).map(([k, v]) => [k, median(v)]));
}

/**
 * protons' shape of a core message: the body named after the type.
 * @param {import('@synod/core').Message} m
 */
function asReference(m) {
  const { type, ...fields } = m;
  return { [type]: fields };
}

const samples = sampleMessages(PEER);

/**
 * The cases measured: each type's sample, and where today's codec cannot carry all of it (fields
 * and types added since BASELINE_REV, such as the store stamps of amnesia detection), the sample
 * as today carries it too (what its encoder keeps of it, read back by Synod's decoder), so that
 * "today" is compared on the same bytes, and the new fields' cost shows beside.
 * @type {{ name: string, m: import('@synod/core').Message, today: boolean }[]}
 */
const cases = [];
for (const type of MESSAGE_TYPES) {
  const m = samples[type];
  /** @type {Uint8Array | undefined} */
  let todayBytes;
  try {
    todayBytes = today.encodeMessage(m);
  } catch {
    // A type added since BASELINE_REV.
  }
  const full = MessageUnion.encode(m);
  if (todayBytes === undefined) {
    cases.push({ name: type, m, today: false });
  } else if (todayBytes.length === full.length) {
    cases.push({ name: type, m, today: true });
  } else {
    cases.push({ name: type, m: MessageUnion.decode(todayBytes), today: true });
    cases.push({ name: `${type}, all fields`, m, today: false });
  }
}

// Warm up every codec on every type first: in a running peer all types flow through the same
// code, so each is measured in that steady state (not the first type while the code has seen
// only it, the last after the JIT has reoptimized for all).
/** @param {Uint8Array} bytes */
const todayDecode = (bytes) => {
  const r = new today.Reader(bytes);
  const tag = today.readTag(r);
  return today.readBody(r, tag >>> 3, tag & 7, LIMITS);
};
for (let i = 0; i < 3000; i++) {
  for (const c of cases) {
    const bytes = MessageUnion.encode(c.m);
    MessageUnion.decode(bytes);
    if (c.today) todayDecode(today.encodeMessage(c.m));
    protons.Message.decode(protons.Message.encode(asReference(c.m)));
  }
}
/** @type {{ type: string, bytes: number, load: number, encode: Record<string, number>, decode: Record<string, number> }[]} */
const rows = [];
for (const c of cases) {
  const { m } = c;
  const ref = asReference(m);
  const bytes = MessageUnion.encode(m);
  const load = loadavg()[0];
  const encode = compare({
    synod: () => MessageUnion.encode(m),
    ...(c.today ? { today: () => today.encodeMessage(m) } : {}),
    protons: () => protons.Message.encode(ref),
  });
  const decode = compare({
    synod: () => MessageUnion.decode(bytes),
    ...(c.today ? { today: () => todayDecode(bytes) } : {}),
    protons: () => protons.Message.decode(bytes),
  });
  rows.push({ type: c.name, bytes: bytes.length, load, encode, decode });
  log(
    `${c.name.padEnd(24)} ${String(bytes.length).padStart(5)} B  encode ${fmt(encode.synod)} ns ` +
      `(today ${fmt(encode.today ?? NaN)}, protons ${fmt(encode.protons)})  decode ${fmt(decode.synod)} ns ` +
      `(today ${fmt(decode.today ?? NaN)}, protons ${fmt(decode.protons)})  load ${load.toFixed(1)}`,
  );
}

// The batched hot path: one frame of 100 decisions of 100 B.
const payload = new Uint8Array(100).fill(0x5a);
/** @type {import('@synod/core').Message[]} */
const batch = Array.from({ length: 100 }, (_, i) => ({
  type: 'decision',
  slot: 1_000_000 + i,
  value: payload,
}));
const refFrame = { messages: batch.map(asReference) };
const [frame] = encodeMessages(batch, 16 << 20).frames;
const prefix = new ByteReader(frame);
const body = prefix.raw(prefix.uint());
const protonsBody = body.subarray(1);
const frameLoad = loadavg()[0];
const frameEncode = compare({
  synod: () => encodeMessages(batch, 16 << 20),
  protons: () => protons.Frame.encode(refFrame),
});
const frameDecode = compare({
  synod: () => decodeFrameBody(body),
  protons: () => protons.Frame.decode(protonsBody),
});
log(
  `frame of 100 decisions (${frame.length} B): encode ${fmt(frameEncode.synod)} ns ` +
    `(protons ${fmt(frameEncode.protons)}), decode ${fmt(frameDecode.synod)} ns ` +
    `(protons ${fmt(frameDecode.protons)})  load ${frameLoad.toFixed(1)}`,
);

const decodeSlower = rows.filter((r) => r.decode.synod > r.decode.protons);
const withToday = rows.filter((r) => r.encode.today !== undefined);
const encodeSlower = withToday.filter((r) => r.encode.synod > (r.encode.today ?? 0));
const goals = {
  decodeAtLeastAsFastAsProtons: {
    met: decodeSlower.length === 0,
    worstRatio: Math.max(...rows.map((r) => r.decode.synod / r.decode.protons)),
    slower: decodeSlower.map((r) => r.type),
  },
  encodeNoSlowerThanToday: {
    met: encodeSlower.length === 0,
    worstRatio: Math.max(...withToday.map((r) => r.encode.synod / (r.encode.today ?? NaN))),
    slower: encodeSlower.map((r) => r.type),
  },
};
const date = new Date().toISOString();
const machine = machineInfo();
const file = saveResults('codec', date, {
  suite: 'codec',
  date,
  machine,
  method: { rounds: ROUNDS, msPerMeasurement: MS, baselineRev: BASELINE_REV, leader: PEER },
  messages: rows,
  frame100: { bytes: frame.length, load: frameLoad, encode: frameEncode, decode: frameDecode },
  goals,
});

const ns = (/** @type {number} */ x) => fmt(x);
const ratio = (/** @type {number} */ a, /** @type {number} */ b) => `${(a / b).toFixed(2)}x`;
await appendReport([
  `## codec — ${date.slice(0, 16).replace('T', ' ')} UTC`,
  '',
  machineLine(machine),
  versionsLine(machine),
  '',
  'Method: each message type of the core, as `sampleMessages()` builds it (every field set, a',
  `real peer id as leader), encoded and decoded by Synod's table-driven codec, by the hand codec`,
  `it replaced (\`wire-codec.ts\` at ${BASELINE_REV}, "today") and by protons' codec generated from`,
  'the same .proto, each first warmed up on every type. CPU ns per operation (user + system),' +
    ` median of ${ROUNDS} rounds in which the codecs alternate; load average (1 min) beside each row.`,
  "Decoding yields the core's message objects, validated (Synod, today) or protons' own objects",
  '(protons, no validation); bytes fields are views of the input in all three. Where the sample',
  `has fields or a type that today's codec cannot carry (added since ${BASELINE_REV}: the store`,
  "stamps of amnesia detection, `rolledBack`), the type's row is the sample as today carries it",
  '(those fields absent), and the row "all fields" is the whole sample, without today.',
  '',
  ...table(
    [
      'type',
      'bytes',
      'encode Synod',
      'today',
      'protons',
      'Synod/today',
      'decode Synod',
      'today',
      'protons',
      'Synod/protons',
      'load',
    ],
    [
      ...rows.map((r) => [
        r.type,
        String(r.bytes),
        ns(r.encode.synod),
        r.encode.today === undefined ? '—' : ns(r.encode.today),
        ns(r.encode.protons),
        r.encode.today === undefined ? '—' : ratio(r.encode.synod, r.encode.today),
        ns(r.decode.synod),
        r.decode.today === undefined ? '—' : ns(r.decode.today),
        ns(r.decode.protons),
        ratio(r.decode.synod, r.decode.protons),
        r.load.toFixed(1),
      ]),
      [
        'frame, 100 decisions',
        String(frame.length),
        ns(frameEncode.synod),
        '—',
        ns(frameEncode.protons),
        '—',
        ns(frameDecode.synod),
        '—',
        ns(frameDecode.protons),
        ratio(frameDecode.synod, frameDecode.protons),
        frameLoad.toFixed(1),
      ],
    ],
  ),
  '',
  `Goals: decode at least as fast as protons for every type: ${goals.decodeAtLeastAsFastAsProtons.met ? 'met' : 'NOT met'} ` +
    `(worst ${goals.decodeAtLeastAsFastAsProtons.worstRatio.toFixed(2)}x` +
    `${decodeSlower.length > 0 ? `; slower: ${decodeSlower.map((r) => r.type).join(', ')}` : ''}); ` +
    `encode no slower than today: ${goals.encodeNoSlowerThanToday.met ? 'met' : 'NOT met'} ` +
    `(worst ${goals.encodeNoSlowerThanToday.worstRatio.toFixed(2)}x` +
    `${encodeSlower.length > 0 ? `; slower: ${encodeSlower.map((r) => r.type).join(', ')}` : ''}).`,
  `Raw data: bench/results/${file}.`,
]);
console.log(JSON.stringify(goals));

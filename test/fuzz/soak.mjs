// `npm run fuzz:soak`: the wire decoder and every message handler under at least a million
// fast-check cases (issue 9, "fuzzing and bad input"). Four targets, run in chunks of fixed seeds
// until the case budget is spent:
//
//   wire       decodeFrameBody on random bodies, on random bodies behind the right version byte,
//              and on valid frames of random messages mutated (bytes flipped or overwritten, cut,
//              extended, spliced, the length or version changed). It must never throw, must
//              name a known drop reason when it refuses, and what it accepts must re-encode and
//              decode to the same messages.
//   stream     FrameDecoder on several frames (valid, oversized, empty) cut into random chunks:
//              exactly the frames under the limit come out, byte for byte, the oversized are
//              reported, and nothing throws.
//   handlers   every message type (random fields, and fields near the cluster's real ballots,
//              slots and configs) stepped into a peer of a running simulated 3-peer cluster,
//              from members and from strangers, then the cluster runs on: nothing throws out of
//              step, tick or the Ready loop, and the peer goes on answering.
//   pipeline   mutated valid frames through the wire decoder, and whatever it accepts stepped
//              into a running peer, as the transport does.
//
// A failure prints the target, its seed and how to replay it, and the process exits 1. Members
// are trusted by the protocol (Paxos is not Byzantine-tolerant, docs/security.md), so a forged
// decision may change what a peer believes: the properties are "no crash, keeps serving", not
// agreement.
//
//   npm run fuzz:soak                                  # 1,000,000 cases, a random seed
//   npm run fuzz:soak -- --cases 5000000 --seed 42
//   npm run fuzz:soak -- --target handlers --seed 1234 --chunks 1   # replay one chunk
import { isDeepStrictEqual, parseArgs } from 'node:util';
import fc from 'fast-check';
import { ByteWriter, encodeBatch, NOOP } from '@synod/core';
import { encodeKv, SimCluster } from '@synod/core/testing';
import {
  decodeFrameBody,
  DROP_REASONS,
  encodeMessages,
  FrameDecoder,
  MESSAGE_TYPES,
  WIRE_VERSION,
} from '@synod/transport-libp2p';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    target: { type: 'string', default: 'all' },
    chunks: { type: 'string' },
    'from-chunk': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    'allow-known': { type: 'boolean', default: false },
    'skip-far-slots': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const TOTAL = Number(values.cases);
const SEED0 = values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000_000;
const TARGETS = ['wire', 'stream', 'handlers', 'pipeline'];
/** Share of the case budget per target (handler cases are the slow ones). */
/** @type {Record<string, number>} */
const SHARE = { wire: 0.55, stream: 0.2, handlers: 0.15, pipeline: 0.1 };
/** Cases per chunk: one seed, one replay unit. */
/** @type {Record<string, number>} */
const CHUNK = { wire: 20_000, stream: 10_000, handlers: 2_000, pipeline: 2_000 };
const chosen = values.target === 'all' ? TARGETS : values.target.split(',');
for (const t of chosen) {
  if (!TARGETS.includes(t)) {
    console.error(`unknown target ${t} (one of ${TARGETS.join(', ')})`);
    process.exit(2);
  }
}
const MAX_FRAME = 64 * 1024;
const stackOf = (/** @type {unknown} */ e) =>
  e instanceof Error ? (e.stack ?? e.message) : String(e);

/**
 * Core bugs this soak has found and reported (issue 9), recognised by their stack. A chunk that
 * hits one fails the run like any other failure, unless --allow-known: then it is counted and
 * printed with its replay command, and the soak goes on with the next chunk.
 */
const KNOWN = [
  {
    id: 'unbounded-gap-fill',
    what:
      'a leader adopted after a forged far-future slot fills every slot up to it with no-ops ' +
      '(Leader.adopted): a Map of millions of entries, then RangeError',
    match: /Map maximum size exceeded[\s\S]*Leader\.adopted/,
  },
];

// ------------------------------------------------------------------ arbitraries

const uint = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.nat(),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
const IDS = ['p1', 'p2', 'p3'];
/** Ids as the handlers see them: members, a stranger, nonsense. */
const peerId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...IDS) },
  { weight: 1, arbitrary: fc.constantFrom('stranger', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
/** Near the values a young simulated cluster really has, with an edge now and then. */
const near = (/** @type {number} */ max) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.nat({ max }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 32, 2 ** 31) },
  );
const slotN = near(80);
const configN = near(3);
const kvCommand = (/** @type {string} */ client, /** @type {number} */ seq) =>
  encodeBatch([
    {
      kind: 'app',
      client,
      inc: 1,
      seq,
      ack: 0,
      op: encodeKv({ op: 'put', key: 'k', value: `v${seq}` }),
    },
  ]);
const value = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.constant(NOOP),
  fc.tuple(fc.constantFrom('x', 'y', 'p1'), fc.nat({ max: 5 })).map(([c, s]) => kvCommand(c, s)),
);

/** @typedef {import('@synod/core').Message} Message */
/**
 * @param {fc.Arbitrary<number>} num
 * @param {fc.Arbitrary<number>} slot
 * @param {fc.Arbitrary<number>} config
 * @param {fc.Arbitrary<string>} leader
 * @param {fc.Arbitrary<Uint8Array>} bytes
 * @returns {Record<string, fc.Arbitrary<Message>>}
 */
function messageArbs(num, slot, config, leader, bytes) {
  const ballot = fc.record({ round: num, leader });
  const pvalue = fc.record({ config, ballot, slot, value: bytes });
  // Store stamps (amnesia detection) are optional: absent on probes and from older peers.
  const stamp = fc.record({ run: num, start: num, seq: num });
  /** @param {Record<string, fc.Arbitrary<unknown>>} model */
  const stamped = (model) =>
    fc.record({ ...model, store: stamp }, { requiredKeys: Object.keys(model) });
  return {
    p1a: stamped({
      type: fc.constant('p1a'),
      config,
      ballot,
      fromSlot: slot,
      probe: fc.boolean(),
    }),
    p1b: stamped({
      type: fc.constant('p1b'),
      config,
      ballot,
      accepted: fc.array(pvalue, { maxLength: 4 }),
      watermark: slot,
      probe: fc.boolean(),
    }),
    p2a: stamped({ type: fc.constant('p2a'), config, ballot, slot, value: bytes }),
    p2b: stamped({ type: fc.constant('p2b'), config, ballot, slot, proposal: ballot }),
    // A decision carries its value, or names the voted pvalue by its ballot (voters have it).
    decision: fc.oneof(
      fc.record({ type: fc.constant('decision'), slot, value: bytes }),
      fc.record({ type: fc.constant('decision'), slot, ballot }),
    ),
    request: stamped({ type: fc.constant('request'), commands: bytes, hops: fc.nat({ max: 5 }) }),
    heartbeat: fc.record(
      {
        type: fc.constant('heartbeat'),
        config,
        ballot,
        seq: num,
        slotOut: slot,
        snapshotSlot: slot,
        stores: fc.array(fc.record({ peer: leader, run: num, start: num, seq: num }), {
          maxLength: 4,
        }),
      },
      { requiredKeys: ['type', 'config', 'ballot', 'seq', 'slotOut', 'snapshotSlot'] },
    ),
    heartbeatAck: stamped({
      type: fc.constant('heartbeatAck'),
      config,
      ballot,
      seq: num,
      slotOut: slot,
    }),
    readIndexReq: fc.record({ type: fc.constant('readIndexReq'), id: num }),
    readIndexResp: fc.record({
      type: fc.constant('readIndexResp'),
      id: num,
      index: fc.oneof(fc.constant(-1), slot),
    }),
    catchupReq: fc.record({
      type: fc.constant('catchupReq'),
      fromSlot: slot,
      snapshotSlot: slot,
      offset: num,
    }),
    catchupDecisions: fc.record(
      {
        type: fc.constant('catchupDecisions'),
        decisions: fc.array(fc.record({ slot, value: bytes }), { maxLength: 4 }),
        slotOut: slot,
      },
      { requiredKeys: ['type', 'decisions'] },
    ),
    transfer: fc.record({ type: fc.constant('transfer'), config, ballot, to: leader }),
    rolledBack: fc.record({
      type: fc.constant('rolledBack'),
      why: fc.string({ maxLength: 200 }),
      store: stamp,
    }),
    snapshotChunk: fc
      .record({ slot, offset: num, data: bytes, extra: fc.nat({ max: 1000 }) })
      .map(({ slot, offset, data, extra }) => {
        const off = Math.min(offset, Number.MAX_SAFE_INTEGER - 2000);
        return { type: 'snapshotChunk', slot, offset: off, total: off + data.length + extra, data };
      }),
  };
}

/** For the wire: every field over its whole range (what a hostile encoder can put there). */
const wireArbs = messageArbs(
  uint,
  uint,
  uint,
  fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
  ),
  fc.uint8Array({ maxLength: 300 }),
);
/** For the handlers: values that reach deep into a running peer's state. */
const handlerArbs = messageArbs(near(6), slotN, configN, peerId, value);
for (const t of MESSAGE_TYPES) {
  if (!(t in wireArbs) || !(t in handlerArbs))
    throw new Error(`no arbitrary for message type ${t}`);
}
const wireMessage = fc.oneof(...Object.values(wireArbs));
const handlerMessage = fc.oneof(...Object.values(handlerArbs));

/** Frame bodies (no length prefix) of valid frames. */
/** @param {readonly Message[]} messages */
function bodiesOf(messages) {
  /** @type {Uint8Array[]} */
  const out = [];
  const d = new FrameDecoder(Number.MAX_SAFE_INTEGER, {
    frame: (b) => out.push(b.slice()),
    oversized: () => undefined,
    fatal: (r) => {
      throw new Error(`encoder output does not frame: ${r}`);
    },
  });
  for (const f of encodeMessages(messages, MAX_FRAME).frames) d.push(f);
  return out;
}

/** One mutation of a body. */
const mutation = /** @type {fc.Arbitrary<Mutation>} */ (
  fc.oneof(
    fc.record({ kind: fc.constant('flip'), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('set'), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
    fc.record({ kind: fc.constant('cut'), at: fc.nat() }),
    fc.record({
      kind: fc.constant('extend'),
      tail: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    fc.record({
      kind: fc.constant('splice'),
      at: fc.nat(),
      len: fc.nat({ max: 8 }),
      ins: fc.uint8Array({ maxLength: 8 }),
    }),
    fc.record({ kind: fc.constant('version'), byte: fc.nat({ max: 255 }) }),
    fc.record({ kind: fc.constant('varint'), at: fc.nat() }),
  )
);
/**
 * @typedef {{ kind: 'flip', at: number, bit: number } | { kind: 'set', at: number, byte: number }
 *   | { kind: 'cut', at: number } | { kind: 'extend', tail: Uint8Array }
 *   | { kind: 'splice', at: number, len: number, ins: Uint8Array }
 *   | { kind: 'version', byte: number } | { kind: 'varint', at: number }} Mutation
 */
/**
 * @param {Uint8Array} body
 * @param {readonly Mutation[]} muts
 */
function mutate(body, muts) {
  let b = body.slice();
  for (const m of muts) {
    const at = b.length === 0 || !('at' in m) ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) b[at] ^= 1 << m.bit;
        break;
      case 'set':
        if (b.length > 0) b[at] = m.byte;
        break;
      case 'cut':
        b = b.subarray(0, at);
        break;
      case 'extend': {
        const n = new Uint8Array(b.length + m.tail.length);
        n.set(b);
        n.set(m.tail, b.length);
        b = n;
        break;
      }
      case 'splice': {
        const end = Math.min(b.length, at + m.len);
        const n = new Uint8Array(at + m.ins.length + (b.length - end));
        n.set(b.subarray(0, at));
        n.set(m.ins, at);
        n.set(b.subarray(end), at + m.ins.length);
        b = n;
        break;
      }
      case 'version':
        if (b.length > 0) b[0] = m.byte;
        break;
      case 'varint':
        // A continuation bit where a length or number ends: lengths run past their field.
        if (b.length > 0) b[at] |= 0x80;
        break;
    }
  }
  return b;
}
const mutatedBody = fc
  .tuple(
    fc.array(wireMessage, { minLength: 1, maxLength: 6 }),
    fc.array(mutation, { minLength: 1, maxLength: 4 }),
  )
  .map(([msgs, muts]) => mutate(bodiesOf(msgs)[0], muts));
const anyBody = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 400 }) },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.of(WIRE_VERSION, ...b)),
  },
  { weight: 5, arbitrary: mutatedBody },
  {
    weight: 1,
    arbitrary: fc.array(wireMessage, { minLength: 1, maxLength: 6 }).map((m) => bodiesOf(m)[0]),
  },
);

// ------------------------------------------------------------------ properties

/** @param {Uint8Array} body */
function checkBody(body) {
  const r = decodeFrameBody(body);
  if (!r.ok) {
    if (!DROP_REASONS.includes(r.reason)) throw new Error(`unknown drop reason ${r.reason}`);
    return r;
  }
  if (r.messages.length === 0) return r;
  const again = bodiesOf(r.messages);
  const messages = again.flatMap((b) => {
    const d = decodeFrameBody(b);
    if (!d.ok)
      throw new Error(`an accepted frame re-encodes to a refused one: ${d.reason} ${d.detail}`);
    return d.messages;
  });
  if (!isDeepStrictEqual(messages, r.messages)) {
    throw new Error('an accepted frame does not survive re-encoding unchanged');
  }
  return r;
}

const wireProperty = fc.property(anyBody, (body) => {
  checkBody(body);
});

const streamCase = fc.record({
  frames: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((n) => new Uint8Array(1024 + n)) },
    ),
    { maxLength: 8 },
  ),
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
  limit: fc.constantFrom(1024, 2048),
});
const streamProperty = fc.property(streamCase, ({ frames, cuts, limit }) => {
  const parts = [];
  for (const f of frames) parts.push(new ByteWriter(10).uint(f.length).finish(), f);
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const got = [];
  const oversized = [];
  const d = new FrameDecoder(limit, {
    frame: (b) => got.push(b.slice()),
    oversized: (len) => oversized.push(len),
    fatal: (r) => {
      throw new Error(`fatal on a well-framed stream: ${r}`);
    },
  });
  const points = [...new Set(cuts.map((c) => (all.length === 0 ? 0 : c % all.length)))].sort(
    (a, b) => a - b,
  );
  let from = 0;
  for (const p of [...points, all.length]) {
    if (p > from) d.push(all.subarray(from, p));
    from = Math.max(from, p);
  }
  const want = frames.filter((f) => f.length <= limit);
  if (!isDeepStrictEqual(got, want)) throw new Error('the decoder did not give back the frames');
  const big = frames.filter((f) => f.length > limit).map((f) => f.length);
  if (!isDeepStrictEqual(oversized, big)) throw new Error('oversized frames misreported');
  if (!d.idle) throw new Error('the decoder is not idle at a frame boundary');
});

// ------------------------------------------------------------------ handlers

/** A running simulated 3-peer cluster with some history, and a client writing to it. */
/** @param {number} seed */
function freshCluster(seed) {
  const c = new SimCluster({ seed });
  const snap = SimCluster.initialSnapshot({ replicas: IDS, leaders: IDS, acceptors: IDS });
  for (const id of IDS) {
    c.addPeer(id, snap);
    c.start(id);
  }
  c.runFor(800);
  for (let i = 0; i < 10; i++) c.invoke(IDS[i % 3], { op: 'put', key: 'k', value: c.freshValue() });
  c.runFor(300);
  return c;
}

/**
 * Run `cases` (each: a peer and messages to step into it) against fresh clusters, `perCluster`
 * cases each; between cases the cluster runs on for a while and gets a client command.
 */
/**
 * With --skip-far-slots, messages with a slot more than this far past the cluster's log are
 * counted and skipped (how the soak ran before core bounded them: KNOWN's unbounded-gap-fill,
 * fixed by options.maxSlotsAhead; by default they are stepped like any other).
 */
const FAR_SLOTS = 100_000;
/** @param {Message} m */
function farthestSlot(m) {
  switch (m.type) {
    case 'decision':
    case 'p2a':
      return m.slot;
    case 'p1b':
      return Math.max(0, ...m.accepted.map((pv) => pv.slot));
    case 'catchupDecisions':
      return Math.max(0, ...m.decisions.map((d) => d.slot));
    default:
      return 0;
  }
}

/**
 * @param {number} seed
 * @param {{ target: number, msgs: [string, Message][], runMs: number }[]} cases
 * @param {number} [perCluster]
 */
function runHandlerCases(seed, cases, perCluster = 200) {
  let c = /** @type {SimCluster} */ (/** @type {unknown} */ (undefined));
  let n = 0;
  for (const [i, { target, msgs, runMs }] of cases.entries()) {
    if (i % perCluster === 0) c = freshCluster(seed + i);
    const victim = c.peer(IDS[target % 3]);
    const log = Math.max(...IDS.map((id) => c.peer(id).node?.status().slotOut ?? 0));
    for (const [from, m] of msgs) {
      if (victim.node === undefined) break;
      if (values['skip-far-slots'] && farthestSlot(m) > log + FAR_SLOTS) {
        extra.skippedFar++;
        continue;
      }
      try {
        victim.node.step(from, m);
      } catch (err) {
        throw new Error(
          `case ${i}: step(${JSON.stringify(from)}, ${describe(m)}) threw: ${stackOf(err)}`,
        );
      }
      n++;
    }
    try {
      if (i % 7 === 0) c.invoke(IDS[i % 3], { op: 'put', key: 'k', value: c.freshValue() });
      c.runFor(runMs);
    } catch (err) {
      throw new Error(
        `case ${i}: the cluster threw after stepping into ${victim.id}: ` +
          `${msgs.map(([f, m]) => `${JSON.stringify(f)} ${describe(m)}`).join('; ')}\n${stackOf(err)}`,
      );
    }
    const st = victim.node?.status();
    if (st !== undefined && st.id !== victim.id)
      throw new Error(`case ${i}: the peer stopped answering`);
  }
  return n;
}

/** @param {unknown} m */
function describe(m) {
  return JSON.stringify(m, (/** @type {string} */ _k, /** @type {unknown} */ v) =>
    v instanceof Uint8Array
      ? `bytes(${v.length}):${Buffer.from(v.subarray(0, 16)).toString('hex')}`
      : v,
  ).slice(0, 400);
}

const handlerCase = fc.record({
  target: fc.nat({ max: 2 }),
  msgs: fc.array(fc.tuple(peerId, handlerMessage), { minLength: 1, maxLength: 8 }),
  runMs: fc.integer({ min: 1, max: 60 }),
});
const pipelineCase = fc.record({
  target: fc.nat({ max: 2 }),
  from: peerId,
  body: fc
    .tuple(
      // Messages near the cluster's real state: with every field over its whole range, almost
      // every case would forge a far-future slot, hit KNOWN's unbounded-gap-fill and spend
      // minutes on it (the wire target covers the whole range, without a peer behind it).
      fc.array(handlerMessage, { minLength: 1, maxLength: 6 }),
      fc.array(mutation, { maxLength: 3 }),
    )
    .map(([msgs, muts]) => mutate(bodiesOf(msgs)[0], muts)),
  runMs: fc.integer({ min: 1, max: 60 }),
});

// ------------------------------------------------------------------ driver

/** @type {Record<string, number>} */
const counts = { wire: 0, stream: 0, handlers: 0, pipeline: 0 };
const extra = { stepped: 0, accepted: 0, skippedFar: 0 };
const started = performance.now();
let lastProgress = 0;
const total = () => Object.values(counts).reduce((a, b) => a + b, 0);
function progress(force = false) {
  const now = performance.now();
  if (!force && now - lastProgress < 5000) return;
  lastProgress = now;
  if (values.quiet) return;
  const s = (now - started) / 1000;
  const fmt = (/** @type {number} */ n) => n.toLocaleString('en-US');
  console.error(
    `[${s.toFixed(0).padStart(5)}s] ${fmt(total())} / ${fmt(TOTAL)} cases ` +
      `(wire ${fmt(counts.wire)}, stream ${fmt(counts.stream)}, handlers ${fmt(counts.handlers)}, ` +
      `pipeline ${fmt(counts.pipeline)}; ${fmt(extra.stepped)} messages stepped) ` +
      `${fmt(Math.round(total() / s))}/s`,
  );
}

/** @type {{ bug: string, target: string, chunk: number, replay: string }[]} */
const knownHits = [];
/**
 * @param {string} target
 * @param {number} seed
 * @param {number} chunk
 * @param {unknown} err
 */
function fail(target, seed, chunk, err) {
  const replay =
    `npm run fuzz:soak -- --target ${target} --seed ${SEED0} --from-chunk ${chunk} --chunks 1` +
    (values['skip-far-slots'] ? ' --skip-far-slots' : '');
  console.error(`\nFAIL ${target}, seed ${seed}\n${stackOf(err)}\nreplay: ${replay}`);
  if (values.json) {
    console.log(
      JSON.stringify({
        ok: false,
        target,
        seed,
        replay,
        error: err instanceof Error ? err.message : String(err),
        counts,
      }),
    );
  }
  process.exit(1);
}

/** @type {Record<string, number>} */
const budget = {};
const shares = chosen.reduce((a, t) => a + SHARE[t], 0);
for (const t of chosen) budget[t] = Math.ceil((TOTAL * SHARE[t]) / shares);
const maxChunks = values.chunks !== undefined ? Number(values.chunks) : Infinity;

console.error(
  `fuzz soak: ${TOTAL.toLocaleString('en-US')} cases over ${chosen.join(', ')}, seed ${SEED0}`,
);
// Interleave the targets chunk by chunk, so a short run still covers each of them.
const firstChunk = Number(values['from-chunk']);
const chunkNo = Object.fromEntries(chosen.map((t) => [t, firstChunk]));
for (;;) {
  let did = false;
  for (const t of chosen) {
    if (counts[t] >= budget[t] || chunkNo[t] - firstChunk >= maxChunks) continue;
    did = true;
    // Chunk k of target t always has the same seed for the same --seed: replayable alone.
    const chunk = chunkNo[t]++;
    const seed = SEED0 + TARGETS.indexOf(t) * 1_000_003 + chunk;
    const n = Math.min(CHUNK[t], budget[t] - counts[t]);
    try {
      if (t === 'wire' || t === 'stream') {
        void fc.assert(t === 'wire' ? wireProperty : streamProperty, { seed, numRuns: n });
      } else if (t === 'handlers') {
        extra.stepped += runHandlerCases(seed, fc.sample(handlerCase, { seed, numRuns: n }));
      } else {
        const cases = fc
          .sample(pipelineCase, { seed, numRuns: n })
          .map(({ target, from, body, runMs }) => {
            const r = checkBody(body);
            if (r.ok) extra.accepted++;
            return { target, runMs, msgs: r.ok ? r.messages.map((m) => [from, m]) : [] };
          });
        extra.stepped += runHandlerCases(seed, cases);
      }
    } catch (err) {
      const known = KNOWN.find((k) => k.match.test(stackOf(err)));
      if (known === undefined || !values['allow-known']) fail(t, seed, chunk, err);
      const replay =
        `npm run fuzz:soak -- --target ${t} --seed ${SEED0} --from-chunk ${chunk} --chunks 1` +
        (values['skip-far-slots'] ? ' --skip-far-slots' : '');
      knownHits.push({ bug: known.id, target: t, chunk, replay });
      console.error(`known bug ${known.id} (${known.what}); replay: ${replay}`);
      continue;
    }
    counts[t] += n;
    progress();
  }
  if (!did) break;
}
progress(true);
const seconds = (performance.now() - started) / 1000;
console.error(
  `fuzz soak: ok, ${total().toLocaleString('en-US')} cases in ${seconds.toFixed(0)} s, seed ${SEED0} ` +
    `(wire ${counts.wire}, stream ${counts.stream}, handlers ${counts.handlers}, pipeline ${counts.pipeline}; ` +
    `${extra.stepped} messages stepped into peers, ${extra.accepted} mutated frames accepted by the decoder, ` +
    `${extra.skippedFar} messages with a slot over ${FAR_SLOTS} past the log skipped)`,
);
if (knownHits.length > 0) {
  console.error(
    `known bugs hit in ${knownHits.length} chunk(s), whose cases are not counted: ` +
      knownHits.map((h) => `${h.bug} (${h.target} chunk ${h.chunk})`).join(', '),
  );
}
if (values.json) {
  console.log(JSON.stringify({ ok: true, seed: SEED0, seconds, counts, ...extra, knownHits }));
}

import { ByteReader, ByteWriter, type Message } from '@synod/core';
import { assertDeepEqual, sampleMessages } from '@synod/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Channel, MAX_HEADER_FRAME_BYTES, type ChannelHost } from '../src/channel.js';
import { encodeMessages, MAX_ENTRIES_PER_FRAME, WIRE_VERSION } from '../src/frame-codec.js';
import { FrameDecoder } from '../src/frame-decoder.js';
import { newMetrics } from '../src/metrics.js';
import { FakeStream, silentLogger } from './fake-stream.js';

/** How many inputs each property tries: a few thousand here, 100k+ in `npm run fuzz:soak`. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** Per-test time limit, scaled for the soak. */
const FUZZ_TIMEOUT = Math.max(30_000, RUNS * 5);
const MAX_FRAME = 64 * 1024;

const SAMPLES = sampleMessages();
/** The fields each message type has, taken from the core's own samples (not from the codec). */
const KEYS = Object.fromEntries(
  Object.entries(SAMPLES).map(([t, m]) => [t, Object.keys(m).sort().join()]),
);

function isUint(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
function isBallot(b: unknown): boolean {
  const x = b as { round?: unknown; leader?: unknown };
  return (
    typeof b === 'object' &&
    b !== null &&
    isUint(x.round) &&
    typeof x.leader === 'string' &&
    x.leader.length <= 256 &&
    Object.keys(b).sort().join() === 'leader,round'
  );
}

/**
 * Fields a message may leave out: the store stamps (not on probes, nor from older peers), and a
 * decision's value or ballot (one of them names the decided pvalue).
 */
const OPTIONAL = new Set(['store', 'stores']);
const optional = (type: string, k: string) =>
  OPTIONAL.has(k) || (type === 'decision' && (k === 'value' || k === 'ballot'));

function isStamp(s: unknown, withPeer = false): boolean {
  const x = s as { run?: unknown; start?: unknown; seq?: unknown; peer?: unknown };
  return (
    typeof s === 'object' &&
    s !== null &&
    isUint(x.run) &&
    isUint(x.start) &&
    isUint(x.seq) &&
    (!withPeer || (typeof x.peer === 'string' && x.peer.length <= 256)) &&
    Object.keys(s).length === (withPeer ? 4 : 3)
  );
}

/** An independent check of what the core may be given (types, ranges, exact field sets). */
function isValidMessage(m: Message): boolean {
  const want = KEYS[m.type]!.split(',').filter((k) => !optional(m.type, k) || k in m);
  if (want.join() !== Object.keys(m).sort().join()) return false;
  if (m.type === 'decision' && m.value === undefined && m.ballot === undefined) return false;
  for (const [k, v] of Object.entries(m)) {
    if (k === 'type') continue;
    if (k === 'store') {
      if (!isStamp(v)) return false;
      continue;
    }
    if (k === 'stores') {
      if (!Array.isArray(v) || !v.every((x) => isStamp(x, true))) return false;
      continue;
    }
    if (k === 'why') {
      if (typeof v !== 'string' || v.length > 1000) return false;
      continue;
    }
    if (k === 'to') {
      if (typeof v !== 'string' || v.length > 256) return false;
      continue;
    }
    if ((k === 'ballot' || k === 'proposal') && !isBallot(v)) return false;
    if (k === 'index' && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= -1)) {
      return false;
    }
    if (['value', 'data', 'commands'].includes(k) && !(v instanceof Uint8Array)) return false;
    if (k === 'probe' && typeof v !== 'boolean') return false;
    if (
      ![
        'probe',
        'ballot',
        'proposal',
        'index',
        'value',
        'data',
        'commands',
        'accepted',
        'decisions',
      ].includes(k) &&
      !isUint(v)
    ) {
      return false;
    }
  }
  if (m.type === 'p1b') {
    return m.accepted.every(
      (p) =>
        isUint(p.config) && isUint(p.slot) && isBallot(p.ballot) && p.value instanceof Uint8Array,
    );
  }
  if (m.type === 'catchupDecisions') {
    return m.decisions.every((d) => isUint(d.slot) && d.value instanceof Uint8Array);
  }
  return true;
}

interface Harness {
  stream: FakeStream;
  delivered: Message[];
  host: ChannelHost;
}

function harness(): Harness {
  const delivered: Message[] = [];
  const host: ChannelHost = {
    maxFrameBytes: MAX_FRAME,
    metrics: newMetrics(),
    log: silentLogger(),
    onFrame: (_ch, frame) => {
      delivered.push(...frame.messages);
    },
  };
  const stream = new FakeStream();
  // A stream of a known log (one that names none yet takes only small frames: channel.ts).
  new Channel('peer', stream.asStream(), host, WIRE_VERSION, 'log');
  return { stream, delivered, host };
}

function frameOf(body: Uint8Array): Uint8Array {
  return new ByteWriter(10 + body.length).bytes(body).finish();
}

/** Cut `bytes` into chunks at the given fractions. */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(bytes.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  out.push(bytes.subarray(prev));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const arbMessages = fc.array(fc.constantFrom(...Object.values(SAMPLES)), {
  minLength: 1,
  maxLength: 8,
});
const arbCuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

describe('frame decoder', () => {
  it('passes a body inside one chunk as a view, and assembles one that spans chunks', () => {
    const bodies: Uint8Array[] = [];
    const d = new FrameDecoder(1024, {
      frame: (b) => bodies.push(b.slice()),
      oversized: () => undefined,
      fatal: () => undefined,
    });
    const f1 = frameOf(Uint8Array.of(1, 2, 3));
    const f2 = frameOf(new Uint8Array(300).fill(7));
    const all = concat([f1, f2]);
    d.push(all.subarray(0, 2));
    d.push(all.subarray(2, 100));
    expect(d.idle).toBe(false);
    d.push(all.subarray(100));
    expect(d.idle).toBe(true);
    expect(bodies).toEqual([Uint8Array.of(1, 2, 3), new Uint8Array(300).fill(7)]);
  });

  it('keeps a body of an owned buffer without a copy only when it is most of that buffer', () => {
    const got: { body: Uint8Array; owned: boolean }[] = [];
    const d = new FrameDecoder(1 << 20, {
      frame: (body, owned) => got.push({ body, owned }),
      oversized: () => undefined,
      fatal: () => undefined,
    });
    const big = frameOf(new Uint8Array(3000).fill(1));
    const small = frameOf(Uint8Array.of(2, 3));
    const buf = concat([big, small]);
    d.push(buf, true);
    d.push(buf, false);
    expect(got.map((g) => [g.body.length, g.owned])).toEqual([
      [3000, true],
      [2, false],
      [3000, false],
      [2, false],
    ]);
    // The kept body is a view of the pushed buffer itself: no copy was made.
    expect(got[0]!.body.buffer).toBe(buf.buffer);
  });

  it('skips an oversized frame without buffering it and stays in step', () => {
    const bodies: Uint8Array[] = [];
    const oversized: number[] = [];
    const d = new FrameDecoder(100, {
      frame: (b) => bodies.push(b.slice()),
      oversized: (n) => oversized.push(n),
      fatal: () => undefined,
    });
    d.push(concat([frameOf(new Uint8Array(5000)), frameOf(Uint8Array.of(9))]));
    expect(oversized).toEqual([5000]);
    expect(bodies).toEqual([Uint8Array.of(9)]);
  });

  it('fails for good on a header that is no varint', () => {
    let fatal = '';
    const d = new FrameDecoder(100, {
      frame: () => undefined,
      oversized: () => undefined,
      fatal: (r) => (fatal = r),
    });
    d.push(new Uint8Array(12).fill(0xff));
    expect(fatal).toMatch(/header/);
    expect(d.isFailed).toBe(true);
  });

  it('counts a frame cut off by the end of its stream as truncated, and delivers nothing of it', () => {
    const h = harness();
    const [frame] = encodeMessages([SAMPLES.p2a], MAX_FRAME).frames;
    h.stream.push([frame!.subarray(0, frame!.length - 3)]);
    h.stream.abort();
    expect(h.delivered).toEqual([]);
    expect(h.host.metrics.framesDropped.truncated).toBe(1);
  });

  it('delivers messages split across chunks and Uint8ArrayLists exactly', () => {
    fc.assert(
      fc.property(
        fc.array(arbMessages, { minLength: 1, maxLength: 5 }),
        arbCuts,
        fc.boolean(),
        (sends, cuts, asList) => {
          const h = harness();
          const bytes = concat(sends.flatMap((ms) => encodeMessages(ms, MAX_FRAME).frames));
          h.stream.push(chunk(bytes, cuts), asList);
          assertDeepEqual(h.delivered, sends.flat());
        },
      ),
      { numRuns: Math.min(RUNS, 500) },
    );
  });

  it(
    'fuzz: random bytes never throw, and only valid messages come out',
    () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 2048 }),
          arbCuts,
          fc.boolean(),
          (bytes, cuts, asList) => {
            const h = harness();
            expect(() => {
              h.stream.push(chunk(bytes, cuts), asList);
              h.stream.abort();
            }).not.toThrow();
            for (const m of h.delivered) expect(isValidMessage(m)).toBe(true);
          },
        ),
        { numRuns: RUNS },
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'fuzz: garbage and mutated frames among valid ones: valid frames still arrive, in order, and only valid messages come out',
    () => {
      const arbPart = fc.oneof(
        arbMessages.map((ms) => ({ kind: 'valid' as const, ms })),
        // A length-prefixed body of random bytes, starting with the right version byte or not.
        fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 300 })).map(([v1, b]) => ({
          kind: 'garbage' as const,
          bytes: frameOf(v1 ? Uint8Array.of(1, ...b) : b),
        })),
        // A valid frame with a few bytes of its body flipped.
        fc
          .tuple(
            arbMessages,
            fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
              minLength: 1,
              maxLength: 4,
            }),
          )
          .map(([ms, flips]) => {
            const f = encodeMessages(ms, MAX_FRAME).frames[0]!.slice();
            const r = new ByteReader(f);
            r.uint();
            const hdr = r.pos - 1;
            for (const [at, x] of flips) {
              const i = hdr + 1 + (at % Math.max(1, f.length - hdr - 1));
              if (i < f.length) f[i]! ^= x;
            }
            return { kind: 'garbage' as const, bytes: f };
          }),
        // A frame longer than the limit: skipped whole.
        fc.nat({ max: 1000 }).map((n) => ({
          kind: 'garbage' as const,
          bytes: frameOf(new Uint8Array(MAX_FRAME + 1 + n).fill(0x0a)),
        })),
      );
      fc.assert(
        fc.property(fc.array(arbPart, { minLength: 1, maxLength: 10 }), arbCuts, (parts, cuts) => {
          const h = harness();
          const bytes = concat(
            parts.map((p) =>
              p.kind === 'valid' ? encodeMessages(p.ms, MAX_FRAME).frames[0]! : p.bytes,
            ),
          );
          expect(() => h.stream.push(chunk(bytes, cuts), true)).not.toThrow();
          for (const m of h.delivered) expect(isValidMessage(m)).toBe(true);
          // The valid frames' messages appear in order (garbage may only add valid messages).
          const want = parts.flatMap((p) => (p.kind === 'valid' ? p.ms : []));
          let j = 0;
          for (const m of h.delivered) {
            if (
              j < want.length &&
              JSON.stringify(m, bytesAsArray) === JSON.stringify(want[j], bytesAsArray)
            )
              j++;
          }
          expect(j).toBe(want.length);
        }),
        { numRuns: Math.max(200, Math.floor(RUNS / 4)) },
      );
    },
    FUZZ_TIMEOUT,
  );

  it("takes frames of at most a header's size until the stream names its log", () => {
    const h = harness();
    const host = { ...h.host, maxFrameBytes: 1 << 20 };
    const s = new FakeStream();
    const ch = new Channel('peer', s.asStream(), host);
    const big = encodeMessages(
      [{ type: 'decision', slot: 1, value: new Uint8Array(MAX_HEADER_FRAME_BYTES) }],
      1 << 20,
    ).frames[0]!;
    s.push([big]);
    expect(host.metrics.framesDropped.oversized).toBe(1);
    ch.name('log');
    s.push([big]);
    expect(host.metrics.framesDropped.oversized).toBe(1);
    expect(h.delivered.map((m) => m.type)).toEqual(['decision']);
    expect(host.metrics.framesDropped.invalid + host.metrics.framesDropped.malformed).toBe(0);
  });

  it('refuses frames with more entries than a frame may hold', () => {
    const h = harness();
    const body = new Uint8Array(1 + 2 * (MAX_ENTRIES_PER_FRAME + 1));
    body[0] = WIRE_VERSION;
    for (let i = 1; i < body.length; i += 2) body[i] = 0x0a; // empty Message entries
    const big = frameOf(body);
    const host = { ...h.host, maxFrameBytes: 1 << 20 };
    const s = new FakeStream();
    new Channel('peer', s.asStream(), host, WIRE_VERSION, 'log');
    s.push([big]);
    expect(host.metrics.framesDropped.malformed).toBe(1);
  });
});

function bytesAsArray(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? [...v] : v;
}

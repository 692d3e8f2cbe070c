/**
 * The link layer under the transport (src/link/): Noise records and the yamux muxer. They must
 * speak exactly what @chainsafe/libp2p-noise and @chainsafe/libp2p-yamux speak (a stock js-libp2p
 * node dials us and we dial it), split bytes the same however TCP cuts them, and send no window
 * update per frame.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Libp2p, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import * as fc from 'fast-check';
import { createLibp2p } from 'libp2p';
import { Socket } from 'node:net';
import { Uint8ArrayList } from 'uint8arraylist';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity } from '../src/index.js';
import { RecordSplitter } from '../src/link/noise-records.js';
import { yamuxMuxer } from '../src/link/yamux.js';
import { noiseRecords } from '../src/link/noise-records.js';
import {
  FrameParser,
  FrameType,
  HEADER_LENGTH,
  writeHeader,
  type FrameHeader,
} from '../src/link/yamux-frame.js';
import { LOOPBACK, waitFor } from './helpers.js';

const ECHO = '/synod-test/echo/1.0.0';
const SINK = '/synod-test/sink/1.0.0';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** Cut `bytes` at the given points (any numbers: folded into range). */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function node(kind: 'ours' | 'stock'): Promise<Libp2p> {
  const n = await createLibp2p({
    privateKey: await generateIdentity(),
    addresses: { listen: LOOPBACK },
    transports: [tcp()],
    connectionEncrypters: [kind === 'ours' ? noiseRecords() : noise()],
    streamMuxers: [kind === 'ours' ? yamuxMuxer() : yamux()],
    connectionMonitor: { enabled: false },
  });
  cleanup.push(async () => {
    await n.stop();
  });
  await n.handle(ECHO, (stream) => {
    stream.addEventListener('message', (evt) => {
      stream.send(evt.data);
    });
    stream.addEventListener('remoteCloseWrite', () => void stream.close());
  });
  return n;
}

/** Send `payload` in pieces of `piece` bytes on an echo stream; resolve with what came back. */
async function echo(stream: Stream, payload: Uint8Array, piece: number): Promise<Uint8Array> {
  const back: Uint8Array[] = [];
  let got = 0;
  const done = new Promise<void>((resolve) => {
    stream.addEventListener('message', (evt) => {
      const d = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray();
      back.push(d.slice());
      got += d.length;
      if (got >= payload.length) resolve();
    });
  });
  for (let i = 0; i < payload.length; i += piece) {
    if (!stream.send(payload.subarray(i, i + piece))) await stream.onDrain();
  }
  await done;
  return concat(back);
}

describe('Noise records', () => {
  it('splits records exactly however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 16, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (records, cuts) => {
          const wire = concat(records.map((r) => Uint8Array.of(r.length >> 8, r.length, ...r)));
          const seen: Uint8Array[] = [];
          const s = new RecordSplitter((r) => seen.push(r.slice()));
          for (const c of cut(wire, cuts)) s.push(c);
          expect(seen).toEqual(records);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes a record that spans chunks as views of them, never joined', () => {
    const record = new Uint8Array(100).fill(5);
    const wire = Uint8Array.of(0, 100, ...record);
    const a = wire.slice(0, 40);
    const b = wire.slice(40);
    const seen: (Uint8Array | Uint8ArrayList)[] = [];
    const s = new RecordSplitter((r) => seen.push(r));
    s.push(a);
    s.push(b);
    expect(seen).toHaveLength(1);
    const got = seen[0]!;
    expect(got).toBeInstanceOf(Uint8ArrayList);
    expect([...(got as Uint8ArrayList)].map((p) => p.buffer)).toEqual([a.buffer, b.buffer]);
    expect(got.subarray()).toEqual(record);
  });

  it('refuses a record shorter than its authentication tag', () => {
    const s = new RecordSplitter(() => undefined);
    expect(() => s.push(Uint8Array.of(0, 15, ...new Uint8Array(15)))).toThrow(/shorter/);
  });
});

describe('yamux frames', () => {
  const header = fc.record({
    type: fc.constantFrom(FrameType.Data, FrameType.WindowUpdate, FrameType.Ping),
    flag: fc.constantFrom(0, 1, 2, 4, 8, 5),
    streamID: fc.oneof(fc.nat({ max: 100 }), fc.constant(2 ** 32 - 1)),
  });

  it('parses frames exactly however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(header, fc.uint8Array({ maxLength: 200 }), fc.nat()), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const want = frames.map(([h, data, n]) => ({
            header: { ...h, length: h.type === FrameType.Data ? data.length : n % 2 ** 32 },
            data: h.type === FrameType.Data ? data : undefined,
          }));
          const wire = concat(
            want.map(({ header: h, data }) => {
              const out = new Uint8Array(HEADER_LENGTH + (data?.length ?? 0));
              writeHeader(out, h);
              if (data !== undefined) out.set(data, HEADER_LENGTH);
              return out;
            }),
          );
          const seen: { header: FrameHeader; data: Uint8Array | undefined }[] = [];
          const p = new FrameParser(1 << 20, (h, d) => seen.push({ header: h, data: d?.slice() }));
          for (const c of cut(wire, cuts)) p.push(c);
          expect(seen).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('says which data may be kept: a frame it assembled, or a view of a chunk pushed as owned', () => {
    const frame = (n: number) => {
      const out = new Uint8Array(HEADER_LENGTH + n);
      writeHeader(out, { type: FrameType.Data, flag: 0, streamID: 1, length: n });
      return out;
    };
    const seen: boolean[] = [];
    const p = new FrameParser(1 << 20, (_h, _d, owned) => seen.push(owned));
    const f = frame(50);
    p.push(f, true);
    p.push(f, false);
    p.push(f.subarray(0, 20), false);
    p.push(f.subarray(20), false);
    expect(seen).toEqual([true, false, true]);
  });

  it('refuses a data frame longer than any window before buffering it', () => {
    const h = new Uint8Array(HEADER_LENGTH);
    writeHeader(h, { type: FrameType.Data, flag: 0, streamID: 1, length: 2 ** 32 - 1 });
    const p = new FrameParser(16 << 20, () => undefined);
    expect(() => p.push(h)).toThrow(/exceeds any receive window/);
    const v = new FrameParser(16 << 20, () => undefined);
    expect(() => v.push(Uint8Array.of(1, ...h.subarray(1)))).toThrow(/version/);
  });
});

describe("yamux frames against their stream's window", () => {
  const data = (streamID: number, length: number): Uint8Array => {
    const f = new Uint8Array(HEADER_LENGTH + length).fill(7);
    writeHeader(f, { type: FrameType.Data, flag: 0, streamID, length });
    return f;
  };

  it('refuses a frame longer than its stream may receive before assembling it', () => {
    const p = new FrameParser(
      16 << 20,
      () => undefined,
      () => 1000,
    );
    // Only the header and a few bytes have arrived.
    expect(() => p.push(data(1, 1001).subarray(0, 20))).toThrow(/exceeds its window/);
  });

  it('passes over a frame of no stream unread and stays in step', () => {
    const seen: number[] = [];
    const p = new FrameParser(
      16 << 20,
      (h) => seen.push(h.streamID),
      (h) => (h.streamID === 3 ? -1 : 1 << 20),
    );
    const bytes = concat([data(3, 5000), data(5, 10)]);
    for (let i = 0; i < bytes.length; i += 700) p.push(bytes.subarray(i, i + 700));
    expect(seen).toEqual([5]);
  });
});

describe('interoperability with stock js-libp2p (TCP, Noise, yamux)', () => {
  it.each([
    ['ours', 'stock'],
    ['stock', 'ours'],
    ['ours', 'ours'],
  ] as const)(
    '%s dials %s: small and 3 MiB payloads echo intact on concurrent streams',
    async (dialer, listener) => {
      const a = await node(dialer);
      const b = await node(listener);
      const big = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7) & 0xff);
      const small = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
      const streams = await Promise.all(
        [0, 1, 2].map(() => a.dialProtocol(b.getMultiaddrs()[0]!, ECHO)),
      );
      const [x, y, z] = await Promise.all([
        // 3 MiB needs many window updates each way (the initial window is 256 KiB), and
        // records of the largest size.
        echo(streams[0]!, big, 100_000),
        echo(streams[1]!, small, 100),
        echo(streams[2]!, big.subarray(0, 70_000), 70_000),
      ]);
      // (Buffer.compare: expect().toEqual walks megabytes element by element.)
      expect(Buffer.compare(x, big)).toBe(0);
      expect(Buffer.compare(y, small)).toBe(0);
      expect(Buffer.compare(z, big.subarray(0, 70_000))).toBe(0);
      // Closing works both ways too.
      await Promise.all(streams.map((s) => s.close()));
      await waitFor(() => streams.every((s) => s.status === 'closed'), 'streams closed');
    },
  );
});

describe('window updates', () => {
  it('one socket write per small frame: no window update per frame (both ends counted)', async () => {
    const a = await node('ours');
    const b = await node('ours');
    let received = 0;
    await b.handle(SINK, (stream) => {
      stream.addEventListener('message', (evt) => (received += evt.data.byteLength));
    });
    const stream = await a.dialProtocol(b.getMultiaddrs()[0]!, SINK);
    // Count what both nodes (this process) hand to their sockets.
    type WriteFn = (this: Socket, ...args: unknown[]) => unknown;
    const proto = Socket.prototype as unknown as { _write: WriteFn; _writev: WriteFn };
    const write = proto._write;
    const writev = proto._writev;
    let writes = 0;
    proto._write = function (this: Socket, ...args: unknown[]) {
      writes++;
      return write.apply(this, args);
    };
    proto._writev = function (this: Socket, ...args: unknown[]) {
      writes++;
      return writev.apply(this, args);
    };
    const FRAMES = 400;
    try {
      for (let i = 0; i < FRAMES; i++) {
        stream.send(new Uint8Array(100).fill(i));
        // Each frame in its own turn of the event loop, as a peer's sends are.
        await new Promise((r) => setImmediate(r));
      }
      await waitFor(() => received === FRAMES * 100, 'all frames');
    } finally {
      proto._write = write;
      proto._writev = writev;
    }
    // 400 frames of 100 bytes use 40 KiB of a 256 KiB window: no update is due. Allow a few
    // writes for yamux's keep-alive ping and its answer.
    expect(writes).toBeGreaterThanOrEqual(FRAMES);
    expect(writes).toBeLessThanOrEqual(FRAMES + 4);
  });
});

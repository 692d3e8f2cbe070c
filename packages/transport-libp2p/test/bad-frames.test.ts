/**
 * Bad bytes from a member, on a real libp2p connection (127.0.0.1): each kind of bad frame is
 * dropped and counted by reason, the stream stays in step (or is aborted when its framing is
 * lost), good frames after it still arrive, and past `maxBadFrames` the sender is cut off while
 * the receiver goes on serving its other peers.
 */
import type { Message, PeerId } from '@synod/core';
import { ByteWriter } from '@synod/core';
import type { Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeControl, encodeMessages } from '../src/frame-codec.js';
import { PAXOS_PROTOCOL, WIRE_VERSION } from '../src/index.js';
import type { Libp2pTransport } from '../src/index.js';
import { introducedTransports, waitFor } from './helpers.js';

const PING: Message = { type: 'readIndexReq', id: 1 };
const LOG = 'bad-frames-log';

let open: Libp2pTransport[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.stop()));
  open = [];
});

/** A frame: varint length, then the body as given (version byte included). */
function frame(body: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  w.uint(body.length);
  const head = w.finish();
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

async function members(count: number, opts = {}) {
  const ts = await introducedTransports(count, { logId: LOG, ...opts });
  open.push(...ts);
  const got = ts.map(() => [] as { from: PeerId; messages: Message[] }[]);
  await Promise.all(
    ts.map((t, i) => t.start((from, messages) => got[i]!.push({ from, messages: [...messages] }))),
  );
  for (const t of ts) t.setMembers(ts.map((x) => x.id));
  for (const a of ts) {
    for (const b of ts) {
      if (a !== b)
        await waitFor(() => a.peers().some((p) => p.peer === b.id && p.connected), 'links');
    }
  }
  return { ts, got };
}

/** A raw protocol stream from `from` to `to`, its log header already sent. */
async function rawStream(from: Libp2pTransport, to: Libp2pTransport): Promise<Stream> {
  const conn = from.libp2p.getConnections(peerIdFromString(to.id))[0]!;
  const stream = await conn.newStream(PAXOS_PROTOCOL);
  stream.send(encodeControl({ logId: LOG }));
  return stream;
}

describe('bad frames from a member, on a real connection', () => {
  it('are dropped by reason; the stream stays in step and delivers the good frames after them', async () => {
    const { ts, got } = await members(2, { maxFrameBytes: 4096 });
    const [a, b] = ts as [Libp2pTransport, Libp2pTransport];
    const s = await rawStream(b, a);
    const good = encodeMessages([PING], 4096).frames[0]!;
    s.send(frame(new Uint8Array([99, 1, 2, 3]))); // a version this build does not know
    s.send(frame(new Uint8Array([WIRE_VERSION, 0xff, 0xff, 0xff]))); // no protobuf Frame
    // Declared larger than maxFrameBytes: its bytes are skipped, not buffered.
    s.send(frame(new Uint8Array(5000)));
    s.send(good);
    await waitFor(() => got[0]!.some((d) => d.from === b.id), 'the good frame after the bad ones');
    const m = a.getMetrics();
    expect(m.framesDropped['unknown-version']).toBe(1);
    expect(m.framesDropped.malformed).toBe(1);
    expect(m.framesDropped.oversized).toBe(1);
    // A header that is no varint loses the framing: that stream is aborted, the link goes on.
    s.send(new Uint8Array(11).fill(0xff));
    await waitFor(() => a.getMetrics().streamsAborted === 1, 'the broken stream aborted');
    // A frame cut off by the end of its stream is counted, and nothing of it is delivered.
    const t = await rawStream(b, a);
    t.send(good.subarray(0, good.length - 1));
    await t.close();
    await waitFor(() => a.getMetrics().framesDropped.truncated === 1, 'the truncated frame');
    const before = got[0]!.length;
    expect(b.send(a.id, [PING])).toBe(true);
    await waitFor(() => got[0]!.length > before, 'a message over the link after all that');
    expect(a.getMetrics().offendersDisconnected).toBe(0);
  });

  it('past maxBadFrames cut the sender off; the receiver goes on with its other members', async () => {
    const { ts, got } = await members(3, { maxBadFrames: 3, offenderBanMs: 60_000 });
    const [a, b, c] = ts as [Libp2pTransport, Libp2pTransport, Libp2pTransport];
    const s = await rawStream(b, a);
    for (let i = 0; i < 5; i++) s.send(frame(new Uint8Array([WIRE_VERSION, 0xff, 0xff])));
    await waitFor(() => a.getMetrics().offendersDisconnected === 1, 'b cut off');
    await waitFor(
      () => a.libp2p.getConnections(peerIdFromString(b.id)).length === 0,
      'b disconnected',
    );
    const before = got[0]!.filter((d) => d.from === c.id).length;
    expect(c.send(a.id, [PING])).toBe(true);
    await waitFor(
      () => got[0]!.filter((d) => d.from === c.id).length > before,
      'c still heard by a',
    );
    expect(got[0]!.filter((d) => d.from === b.id)).toEqual([]);
  });
});

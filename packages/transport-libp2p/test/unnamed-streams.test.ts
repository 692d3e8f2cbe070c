/**
 * Streams that name no log yet (review6). A version 2 stream's first frame is its header, a few
 * hundred bytes at most; until it names a log, the stream belongs to no log, so none of the
 * limits a log keeps (one inbound stream per peer and log) applies. A member that opened many
 * streams, each with the start of a frame of maxFrameBytes, made the receiver assemble every one
 * of them: up to maxFrameBytes (16 MiB) per stream, with up to 1000 streams per connection.
 */
import type { Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { ByteWriter } from '@synod/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PAXOS_PROTOCOL, WIRE_VERSION, type Libp2pTransport } from '../src/index.js';
import { introducedTransports, waitFor } from './helpers.js';
import { liveHeapBytes } from './live-heap.js';

const MAX_FRAME = 1 << 20;
const STREAMS = 48;

let open: Libp2pTransport[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.stop()));
  open = [];
});

/** Send `bytes`, waiting for the stream to drain when it asks to. */
async function write(stream: Stream, bytes: Uint8Array): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain({ signal: AbortSignal.timeout(5000) });
}

describe('streams that name no log yet', () => {
  it('cannot make the receiver assemble a large frame on each', async () => {
    const [a, b] = await introducedTransports(2, {
      logId: 'log-1',
      maxFrameBytes: MAX_FRAME,
      // Every partial frame here would count as bad: keep the sender connected to see them all.
      maxBadFrames: 10_000,
    });
    open.push(a!, b!);
    await a!.start(() => undefined);
    await b!.start(() => undefined);
    a!.setMembers([a!.id, b!.id]);
    b!.setMembers([a!.id, b!.id]);
    await waitFor(() => b!.peers().some((p) => p.peer === a!.id && p.connected), 'b -> a');
    const conn = b!.libp2p.getConnections(peerIdFromString(a!.id))[0]!;
    const before = liveHeapBytes();
    // Each stream: the length of a full-size frame, then all of it but its last byte.
    const head = new ByteWriter(10).uint(MAX_FRAME).byte(WIRE_VERSION).finish();
    const body = new Uint8Array(MAX_FRAME - 2).fill(0x0a);
    const streams: Stream[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const s = await conn.newStream(PAXOS_PROTOCOL);
      streams.push(s);
      await write(s, head);
      await write(s, body);
    }
    // Everything sent has arrived (a counts the bytes it received).
    await waitFor(
      () => a!.getMetrics().bytesReceived >= STREAMS * (MAX_FRAME - 2),
      'the partial frames to arrive',
    );
    const grown = liveHeapBytes() - before;
    for (const s of streams) s.abort(new Error('done'));
    // Before: 48 MiB held (a frame assembled per stream).
    expect(grown).toBeLessThan(16 << 20);
  }, 60_000);
});

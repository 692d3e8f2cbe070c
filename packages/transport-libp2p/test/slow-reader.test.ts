import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Libp2p, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import type { Message } from '@synod/core';
import { createLibp2p } from 'libp2p';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrameBody } from '../src/frame-codec.js';
import { FrameDecoder } from '../src/frame-decoder.js';
import { generateIdentity, PAXOS_PROTOCOL, type Libp2pTransport } from '../src/index.js';
import { LOOPBACK, loopbackTransport, sleep, waitFor } from './helpers.js';
import { liveHeapBytes } from './live-heap.js';

const BUFFER = 1 << 20;
const MESSAGES_PER_SEND = 100;
const VALUE = new Uint8Array(1000).fill(42);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

/** A bare libp2p peer that accepts our protocol stream and does not read it until told. */
async function slowReader(): Promise<{
  node: Libp2p;
  slots: number[];
  stream: () => Stream | undefined;
}> {
  const node = await createLibp2p({
    privateKey: await generateIdentity(),
    addresses: { listen: LOOPBACK },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
  cleanup.push(async () => {
    await node.stop();
  });
  const slots: number[] = [];
  let current: Stream | undefined;
  await node.handle(PAXOS_PROTOCOL, (stream) => {
    current = stream;
    const decoder = new FrameDecoder(16 << 20, {
      frame: (body) => {
        const d = decodeFrameBody(body);
        if (d.ok) for (const m of d.messages) if (m.type === 'decision') slots.push(m.slot);
      },
      oversized: () => undefined,
      fatal: () => undefined,
    });
    stream.addEventListener('message', (evt) => decoder.push(evt.data));
    // Stop reading: yamux stops granting window, so the sender's bytes pile up at the sender.
    stream.pause();
  });
  return { node, slots, stream: () => current };
}

describe('a peer that stops reading', () => {
  it("does not make the sender's memory grow: sends are refused, then the accepted ones arrive in order", async () => {
    const reader = await slowReader();
    const readerId = reader.node.peerId.toString();
    const a: Libp2pTransport = await loopbackTransport({
      maxSendBufferBytes: BUFFER,
      silenceTimeoutMs: 120_000,
    });
    cleanup.push(() => a.stop());
    await a.start(() => undefined);
    a.setMembers([a.id, readerId]);
    await a.addPeerAddress(reader.node.getMultiaddrs()[0]!.toString());
    await waitFor(() => a.linkDetails(readerId).state === 'open', 'the link to open');

    const before = liveHeapBytes();
    const accepted: number[] = [];
    let maxQueued = 0;
    // 2000 sends of 100 messages of 1 kB: about 200 MB offered to a peer that reads nothing.
    for (let i = 0; i < 2000; i++) {
      const msgs: Message[] = Array.from({ length: MESSAGES_PER_SEND }, (_, k) => ({
        type: 'decision',
        slot: i * MESSAGES_PER_SEND + k,
        value: VALUE,
      }));
      if (a.send(readerId, msgs)) accepted.push(i);
      maxQueued = Math.max(maxQueued, a.getMetrics().queuedBytes);
      if (i % 20 === 19) await sleep(1);
    }
    const grown = liveHeapBytes() - before;
    const metrics = a.getMetrics();
    expect(metrics.sendsBufferFull).toBeGreaterThan(1900);
    expect(accepted.length).toBeLessThan(40);
    // The buffer bound holds (one send's frame may go past it when the buffer is empty).
    expect(maxQueued).toBeLessThanOrEqual(BUFFER + 110_000);
    expect(grown).toBeLessThan(32 << 20);
    // The peer is reported unreachable while its buffer is full.
    expect(a.peers().find((p) => p.peer === readerId)?.connected).toBe(false);

    // The reader wakes up: exactly the accepted sends arrive, in order, none of the refused.
    reader.stream()!.resume();
    const want = accepted.flatMap((i) =>
      Array.from({ length: MESSAGES_PER_SEND }, (_, k) => i * MESSAGES_PER_SEND + k),
    );
    await waitFor(() => reader.slots.length >= want.length, 'the accepted messages');
    await sleep(100);
    expect(reader.slots).toEqual(want);
    await waitFor(() => a.getMetrics().queuedBytes === 0, 'the buffer to drain');
    expect(a.send(readerId, [{ type: 'decision', slot: 1, value: VALUE }])).toBe(true);
  });
});

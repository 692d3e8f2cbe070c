/**
 * A peer that sends and never reads (review6). yamux's flow control bounds what a stream may
 * carry, but not the frames the muxer answers on its own: a ping is answered with a ping, a
 * stream opened past the limit with a reset. A peer that floods those and never reads its socket
 * made the other end queue every answer above TCP, without bound (HTTP/2's "ping flood",
 * CVE-2019-9512) — and a stranger can do it, while a member has invites out.
 *
 * The attacker here is a transport of this package whose socket is paused (it reads nothing),
 * writing raw yamux frames into its Noise session. The victim must keep what it queues for that
 * connection bounded and cut the connection off.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import type { Libp2pTransport } from '../src/index.js';
import { FrameType, HEADER_LENGTH, writeHeader } from '../src/link/yamux-frame.js';
import { introducedTransports, sleep, waitFor } from './helpers.js';
import { liveHeapBytes } from './live-heap.js';

let open: Libp2pTransport[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.stop()));
  open = [];
});

/** The parts of a libp2p connection under the muxer (internals: not in libp2p's types). */
interface Session {
  status: string;
  muxer: {
    maConn: {
      writeBufferLength: number;
      send(b: Uint8Array): boolean;
      connection: { socket: { pause(): void } };
    };
  };
}

function session(t: Libp2pTransport, remote: string): Session | undefined {
  return t.libp2p.getConnections(peerIdFromString(remote))[0] as unknown as Session | undefined;
}

/** `n` yamux frames of one kind, header only, numbered from `first`. */
function frames(kind: 'ping' | 'open', n: number, first: number): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH * n);
  for (let i = 0; i < n; i++) {
    writeHeader(
      out.subarray(HEADER_LENGTH * i),
      kind === 'ping'
        ? { type: FrameType.Ping, flag: 1, streamID: 0, length: first + i }
        : // A new stream (SYN) of the dialer's: odd ids.
          { type: FrameType.WindowUpdate, flag: 1, streamID: 2 * (first + i) + 1, length: 0 },
    );
  }
  return out;
}

describe('a peer that floods frames the muxer answers, and never reads', () => {
  for (const kind of ['ping', 'open'] as const) {
    it(`does not make the other end queue answers without bound (${kind}s, from a stranger)`, async () => {
      const [a] = await introducedTransports(1, { logId: 'log-1', strangerGraceMs: 60_000 });
      const [n] = await introducedTransports(1);
      open.push(a!, n!);
      await a!.start(() => undefined);
      await n!.start(() => undefined);
      a!.setMembers([a!.id]);
      // Invites out: a stranger may connect (to present one).
      await a!.createInvite();
      await n!.addPeerAddress(a!.multiaddrs()[0]!);
      n!.setMembers([a!.id, n!.id]);
      await waitFor(() => session(a!, n!.id) !== undefined, 'the stranger to connect');
      const attacker = session(n!, a!.id)!.muxer.maConn;
      const victim = session(a!, n!.id)!;
      attacker.connection.socket.pause();
      const before = liveHeapBytes();

      // Up to 24 MB of frames, each answered by the victim.
      const BATCH = 5000;
      let sent = 0;
      let maxQueued = 0;
      const deadline = Date.now() + 20_000;
      while (sent < 24e6 / HEADER_LENGTH && victim.status === 'open' && Date.now() < deadline) {
        try {
          if (!attacker.send(frames(kind, BATCH, sent))) await sleep(1);
        } catch {
          break; // the victim cut the connection
        }
        sent += BATCH;
        maxQueued = Math.max(maxQueued, victim.muxer.maConn.writeBufferLength);
        if (sent % (40 * BATCH) === 0) await sleep(1);
      }
      maxQueued = Math.max(maxQueued, victim.muxer.maConn.writeBufferLength);
      const grown = liveHeapBytes() - before;
      expect(maxQueued).toBeLessThan(1 << 20);
      expect(grown).toBeLessThan(32 << 20);
      await waitFor(() => session(a!, n!.id) === undefined, 'the victim to hang up');
    }, 60_000);
  }
});

describe('a data frame longer than its stream may receive', () => {
  it('is refused at its header, not assembled (from a stranger)', async () => {
    const [a] = await introducedTransports(1, { logId: 'log-1', strangerGraceMs: 60_000 });
    const [n] = await introducedTransports(1);
    open.push(a!, n!);
    await a!.start(() => undefined);
    await n!.start(() => undefined);
    a!.setMembers([a!.id]);
    await a!.createInvite();
    await n!.addPeerAddress(a!.multiaddrs()[0]!);
    n!.setMembers([a!.id, n!.id]);
    await waitFor(() => session(a!, n!.id) !== undefined, 'the stranger to connect');
    const attacker = session(n!, a!.id)!.muxer.maConn;
    const before = liveHeapBytes();
    // A new stream (SYN) whose first data frame claims 16 MiB: its window is 256 KiB.
    const head = new Uint8Array(HEADER_LENGTH);
    writeHeader(head, { type: FrameType.Data, flag: 1, streamID: 1001, length: 16 << 20 });
    attacker.send(head);
    // Then the start of its data; the victim either hung up or holds the frame's buffer.
    attacker.send(new Uint8Array(64 * 1024));
    await waitFor(
      () => session(a!, n!.id) === undefined || liveHeapBytes() - before > 8 << 20,
      'the victim to hang up or to hold the frame',
    );
    // Before: a 16 MiB buffer allocated for the frame, held while its data trickles in.
    expect(session(a!, n!.id) === undefined).toBe(true);
    expect(liveHeapBytes() - before).toBeLessThan(4 << 20);
  }, 30_000);
});

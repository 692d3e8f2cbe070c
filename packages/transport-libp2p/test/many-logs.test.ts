/**
 * Many logs on one host (docs/many-logs.md): one libp2p node, one connection per pair of peers,
 * a stream per log; each log's messages reach its own handler only; a member of one log cannot
 * reach another's (nor tell whether it exists); logs open and close at run time; and wire
 * versions are negotiated, with a clear status when two peers share none.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import type { Stream } from '@libp2p/interface';
import { MemoryStorage, type Message, type PeerId } from '@synod/core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrameBody, encodeControl, encodeMessages } from '../src/frame-codec.js';
import { nextReleaseFrame } from '../src/next-release.js';
import { decodeInvite, encodeInvite } from '../src/invite.js';
import {
  createTransportHost,
  generateIdentity,
  paxosProtocolOf,
  PAXOS_PROTOCOL,
  type Libp2pTransport,
  type TransportHost,
  type TransportHostOptions,
} from '../src/index.js';
import { LOOPBACK, waitFor } from './helpers.js';

const PING: Message = { type: 'readIndexReq', id: 1 };

let hosts: TransportHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  hosts = [];
});

async function host(opts: Partial<TransportHostOptions> = {}): Promise<TransportHost> {
  const h = await createTransportHost({
    identity: await generateIdentity(),
    listen: LOOPBACK,
    mdns: false,
    backoffMaxMs: 500,
    ...opts,
  });
  hosts.push(h);
  return h;
}

/** Open `logId` on each host with the hosts as its members, recording what its core receives. */
async function share(
  logId: string,
  members: TransportHost[],
): Promise<{ t: Libp2pTransport; got: { from: PeerId; messages: readonly Message[] }[] }[]> {
  const out = [];
  for (const h of members) {
    const t = await h.openLog({ logId, storage: new MemoryStorage() });
    const got: { from: PeerId; messages: readonly Message[] }[] = [];
    await t.start((from, messages) => got.push({ from, messages }));
    for (const o of members) if (o !== h) await t.addPeerAddress(o.multiaddrs()[0]!);
    t.setMembers(members.map((m) => m.id));
    out.push({ t, got });
  }
  return out;
}

const connected = (t: Libp2pTransport, peer: PeerId) =>
  t.peers().some((p) => p.peer === peer && p.connected);

/** A raw stream from `from`'s node to `to` on the current protocol. */
function rawStream(from: TransportHost, to: TransportHost): Promise<Stream> {
  return from.libp2p.dialProtocol(peerIdFromString(to.id), PAXOS_PROTOCOL);
}

async function closedSoon(stream: Stream): Promise<string> {
  await waitFor(() => stream.status !== 'open', 'the stream to be refused', 5000);
  return stream.status;
}

describe('many logs on one host', () => {
  it('carries several logs over one connection, each to its own core', async () => {
    const [a, b] = [await host(), await host()];
    const [xa, xb] = await share('x', [a, b]);
    const [ya, yb] = await share('y', [a, b]);
    await waitFor(() => connected(xa!.t, b.id) && connected(ya!.t, b.id), 'a -> b on x and y');
    await waitFor(() => connected(xb!.t, a.id) && connected(yb!.t, a.id), 'b -> a on x and y');
    expect(xa!.t.send(b.id, [{ type: 'readIndexReq', id: 7 }])).toBe(true);
    expect(ya!.t.send(b.id, [{ type: 'readIndexReq', id: 8 }])).toBe(true);
    await waitFor(() => xb!.got.length > 0 && yb!.got.length > 0, 'both logs to deliver');
    expect(xb!.got.flatMap((g) => g.messages)).toEqual([{ type: 'readIndexReq', id: 7 }]);
    expect(yb!.got.flatMap((g) => g.messages)).toEqual([{ type: 'readIndexReq', id: 8 }]);
    // One connection between the two nodes (two at most, when both dialled at once), whatever
    // the number of logs; and the versions negotiated.
    expect(a.libp2p.getConnections(peerIdFromString(b.id)).length).toBeLessThanOrEqual(2);
    expect(xa!.t.peers()[0]).toMatchObject({ protocol: 2, incompatible: null });
    expect(a.openLogs().sort()).toEqual(['x', 'y']);

    // A log closes at run time; the other goes on.
    await ya!.t.stop();
    expect(a.openLogs()).toEqual(['x']);
    await waitFor(() => !connected(yb!.t, a.id), "b's link of y to drop");
    xb!.got.length = 0;
    expect(xa!.t.send(b.id, [PING])).toBe(true);
    await waitFor(() => xb!.got.length > 0, 'x to deliver after y closed');
    // ...and opens again.
    const [ya2] = await share('y', [a]);
    ya2!.t.setMembers([a.id, b.id]);
    await waitFor(() => connected(ya2!.t, b.id) && connected(yb!.t, a.id), 'y again');
  });

  it('a member of one log cannot reach another log, nor tell it from a log that does not exist', async () => {
    const [a, b, c] = [await host(), await host(), await host()];
    const [xa] = await share('x', [a, c]); // c is a member of x only
    const [ya] = await share('y', [a, b]);
    await waitFor(() => connected(xa!.t, c.id) && connected(ya!.t, b.id), 'the links');
    const refusedBefore = a.metrics.streamsRefused;

    // c names log y (it exists, c is no member) and log z (none): the same reset, at once.
    const toY = await rawStream(c, a);
    toY.send(encodeControl({ logId: 'y' }));
    toY.send(
      encodeMessages([{ type: 'catchupReq', fromSlot: 0, snapshotSlot: 0, offset: 0 }], 1 << 20)
        .frames[0]!,
    );
    const toZ = await rawStream(c, a);
    toZ.send(encodeControl({ logId: 'z' }));
    expect(await closedSoon(toY)).toBe(await closedSoon(toZ));
    expect(a.metrics.streamsRefused - refusedBefore).toBe(2);

    // A stream of its own log that then names another: the frame is dropped whole.
    const forged = await rawStream(c, a);
    forged.send(encodeControl({ logId: 'x' }));
    const framesBefore = a.metrics.framesDropped.invalid;
    const body = encodeMessages([PING], 1 << 20).frames[0]!;
    forged.send(withLogId(body, 'y'));
    await waitFor(() => a.metrics.framesDropped.invalid > framesBefore, 'the forged frame to drop');
    // A stream without a header: its frames are dropped (and count as bad frames).
    const bare = await rawStream(c, a);
    const invalidBefore = a.metrics.framesDropped.invalid;
    bare.send(encodeMessages([PING], 1 << 20).frames[0]!);
    await waitFor(() => a.metrics.framesDropped.invalid > invalidBefore, 'the bare frame to drop');
    // Nothing reached y's core from c; x's core heard nothing forged either.
    expect(ya!.got.filter((g) => g.from === c.id)).toEqual([]);
    expect(xa!.got.flatMap((g) => g.messages)).toEqual([]);

    // Joining: c turns an invite to x (say one a gave it) into one to y, or to a log a never
    // had; without y's secret both are refused alike.
    const invite = await xa!.t.createInvite();
    const probe = await c.openLog({ logId: 'probe' });
    const asked = async (logId: string) => {
      const tampered = encodeInvite({ ...decodeInvite(invite.text), logId }).text;
      return probe.join(tampered).then(
        () => 'joined',
        (err: { code: string; message: string }) => `${err.code}: ${err.message}`,
      );
    };
    expect(await asked('y')).toBe(await asked('nope'));
  });

  it('negotiates the newest common version, speaks protocol 1 to a one-log peer, and says when two peers share none', async () => {
    const [now, old] = [await host(), await host({ wireVersions: [1] })];
    const [n1, o1] = await share('x', [now, old]);
    await waitFor(() => connected(n1!.t, old.id) && connected(o1!.t, now.id), 'now <-> old');
    expect(n1!.t.peers()[0]).toMatchObject({ protocol: 1, incompatible: null });
    expect(n1!.t.send(old.id, [PING])).toBe(true);
    await waitFor(() => o1!.got.length > 0, 'a message over protocol 1');

    // A peer of protocol 2 only and one of protocol 1 only share nothing: both say so.
    const [v2, v1] = [await host({ wireVersions: [2] }), await host({ wireVersions: [1] })];
    const [a2, a1] = await share('x', [v2, v1]);
    const says = (t: Libp2pTransport) => t.peers()[0]?.incompatible ?? '';
    await waitFor(
      () => says(a2!.t).includes('runs protocol') && says(a1!.t).includes('runs protocol'),
      'both to report the incompatibility',
    );
    expect(a2!.t.peers()[0]!.incompatible).toBe(
      `${v1.id} runs protocol 1, this peer 2: ${v1.id} must upgrade`,
    );
    expect(a1!.t.peers()[0]!.incompatible).toBe(
      `${v2.id} runs protocol 2, this peer 1: upgrade this peer`,
    );
    expect(a2!.t.peers()[0]!.connected).toBe(false);
    expect(paxosProtocolOf(2)).toBe(PAXOS_PROTOCOL);
  });

  it('a peer of the simulated next release talks version 3 to its kind and 2 to this release, whose decoders skip what they do not know', async () => {
    const next = { testing: { nextRelease: true } };
    const [n1, n2, now] = [await host(next), await host(next), await host()];
    const [a, b, c] = await share('x', [n1, n2, now]);
    await waitFor(
      () => connected(a!.t, n2.id) && connected(a!.t, now.id) && connected(c!.t, n1.id),
      'the links',
    );
    expect(a!.t.linkDetails(n2.id).protocol).toBe(3);
    expect(a!.t.linkDetails(now.id).protocol).toBe(2);
    const hb: Message = {
      type: 'heartbeat',
      config: 1,
      ballot: { round: 3, leader: n1.id },
      seq: 4,
      slotOut: 5,
      snapshotSlot: 0,
      stores: [],
    };
    expect(a!.t.send(now.id, [hb, PING])).toBe(true);
    expect(a!.t.send(n2.id, [hb])).toBe(true);
    await waitFor(() => c!.got.length > 0 && b!.got.length > 0, 'both to deliver');
    expect(c!.got.flatMap((g) => g.messages)).toEqual([hb, PING]);
    expect(b!.got.flatMap((g) => g.messages)).toEqual([hb]);
    expect(now.metrics.unknownMessages).toBe(1);
    expect(now.metrics.framesDropped.malformed + now.metrics.framesDropped.invalid).toBe(0);
  });
});

describe('the simulated next release', () => {
  it('writes frames this release decodes to the same messages, skipping one of a new type', () => {
    const hb: Message = {
      type: 'heartbeat',
      config: 2,
      ballot: { round: 1, leader: 'p' },
      seq: 1,
      slotOut: 9,
      snapshotSlot: 3,
    };
    const frame = encodeMessages([hb, PING], 1 << 20).frames[0]!;
    const next = nextReleaseFrame(frame);
    expect(next.length).toBeGreaterThan(frame.length);
    const body = next.subarray(next[0]! < 0x80 ? 1 : 2);
    expect(decodeFrameBody(body)).toMatchObject({ ok: true, messages: [hb, PING], unknown: 1 });
  });
});

/** A frame with a log id field appended (what a forger can write into a bound stream). */
function withLogId(frame: Uint8Array, logId: string): Uint8Array {
  const id = new TextEncoder().encode(logId);
  // The frame: varint length, then the body; append field 4 (length-delimited) to the body.
  const extra = Uint8Array.of((4 << 3) | 2, id.length, ...id);
  const bodyLength = frame[0]! + extra.length; // short frames: a one-byte length
  if (frame[0]! >= 0x80 || bodyLength >= 0x80) throw new Error('the test frame is too long');
  return Uint8Array.of(bodyLength, ...frame.subarray(1), ...extra);
}

/**
 * The conformance suite every Transport implementation must pass: MemoryNetwork here, the
 * libp2p transport in @synod/transport-libp2p. Like the storage suite it is runner-agnostic:
 *
 *   for (const c of transportConformanceCases(factory)) it(c.name, c.run);
 *
 * It checks what transport.ts promises: every message type arrives with every field intact,
 * one sender's messages arrive in order, one send() may carry many messages (and large ones),
 * sending to an unknown or unreachable peer returns false and never throws, a non-member's
 * messages never reach the handler (also after a member is removed), a former member's reach it
 * only as catch-up requests and it is sent only catch-up answers without decisions, and stop()
 * ends delivery.
 *
 * It uses timers (the transports under test are real), but nothing from Node: it runs wherever
 * the transport does.
 */
import type { Ballot } from '../ballot.js';
import type { Message, MessageType } from '../messages.js';
import type { Transport } from '../transport.js';
import type { PeerId } from '../types.js';
import { ConformanceError, type ConformanceCase } from './storage-conformance.js';

export interface TransportFactory {
  /**
   * `count` new transports that can reach one another once they are members of each other
   * (each has its own id). The suite starts, gates and stops them.
   */
  create(count: number): Promise<Transport[]>;
  /** Called by the runner after the cases, if it wishes. */
  cleanup?(): Promise<void> | void;
}

export interface TransportConformanceOptions {
  /** How long to wait for links to come up and for messages to arrive, ms. Default 10 000. */
  timeoutMs?: number;
  /** How long to watch for messages that must not arrive, ms. Default 500. */
  quietMs?: number;
  /** Messages per sender in the ordering case. Default 2000. */
  orderingMessages?: number;
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new ConformanceError(message);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Deterministic pseudo-random bytes (xorshift32), so failures are reproducible. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * One message of every type, with edge values: the largest safe integers, -1 where allowed,
 * empty and all-256-values byte strings, a non-ASCII peer id, nested lists. Typed as a Record
 * over MessageType, so adding a message type to the core fails to compile until it has a sample
 * here (and so in every transport's conformance run).
 */
export function sampleMessages(leader: PeerId = 'peer-ü-1'): Record<MessageType, Message> {
  const max = Number.MAX_SAFE_INTEGER;
  const b: Ballot = { round: 7, leader };
  const all256 = Uint8Array.from({ length: 256 }, (_, i) => i);
  return {
    p1a: {
      type: 'p1a',
      config: 3,
      ballot: b,
      fromSlot: max,
      probe: true,
      store: { run: 0, start: 1, seq: 2 },
    },
    p1b: {
      type: 'p1b',
      config: 0,
      ballot: { round: max, leader: 'x'.repeat(200) },
      accepted: [
        { config: 0, ballot: b, slot: 1, value: all256 },
        { config: 2, ballot: { round: 0, leader: '' }, slot: max, value: new Uint8Array(0) },
      ],
      watermark: 12,
      probe: false,
      store: { run: 2 ** 32 - 1, start: 0, seq: max },
    },
    p2a: {
      type: 'p2a',
      config: 1,
      ballot: b,
      slot: 42,
      value: patternBytes(1000, 2),
      store: { run: 1, start: 5, seq: 9 },
    },
    p2b: {
      type: 'p2b',
      config: 1,
      ballot: b,
      slot: 0,
      proposal: { round: 6, leader: 'other' },
      store: { run: 77, start: max, seq: max },
    },
    decision: { type: 'decision', slot: 9, value: Uint8Array.of(1, 0), ballot: b },
    request: {
      type: 'request',
      commands: patternBytes(300, 3),
      hops: 2,
      store: { run: 4, start: 0, seq: 0 },
    },
    heartbeat: {
      type: 'heartbeat',
      config: 4,
      ballot: b,
      seq: 123456,
      slotOut: 77,
      snapshotSlot: 64,
      stores: [
        { peer: leader, run: 3, start: 10, seq: 20 },
        { peer: 'x'.repeat(200), run: 0, start: 0, seq: 0 },
      ],
    },
    heartbeatAck: {
      type: 'heartbeatAck',
      config: 4,
      ballot: b,
      seq: 123456,
      slotOut: 70,
      store: { run: 9, start: 8, seq: 7 },
    },
    transfer: { type: 'transfer', config: 4, ballot: b, to: 'next-leader' },
    readIndexReq: { type: 'readIndexReq', id: 5 },
    readIndexResp: { type: 'readIndexResp', id: 5, index: -1 },
    catchupReq: { type: 'catchupReq', fromSlot: 100, snapshotSlot: 96, offset: 262144 },
    catchupDecisions: {
      type: 'catchupDecisions',
      decisions: [
        { slot: 100, value: patternBytes(10, 4) },
        { slot: 101, value: new Uint8Array(0) },
        { slot: 102, value: all256 },
      ],
      slotOut: 103,
    },
    snapshotChunk: {
      type: 'snapshotChunk',
      slot: 96,
      offset: 10,
      total: 10 + 4096,
      data: patternBytes(4096, 5),
    },
    rolledBack: {
      type: 'rolledBack',
      why: 'its store started from write 15, but it had reported write 20 before — ü',
      store: { run: 2 ** 32 - 1, start: 15, seq: 15 },
    },
  };
}

/** Throws a ConformanceError naming the first difference (Uint8Arrays compare by bytes). */
export function assertDeepEqual(actual: unknown, expected: unknown, path = 'message'): void {
  if (expected instanceof Uint8Array) {
    check(actual instanceof Uint8Array, `${path}: expected bytes, got ${typeof actual}`);
    check(
      actual.length === expected.length,
      `${path}: expected ${expected.length} bytes, got ${actual.length}`,
    );
    for (let i = 0; i < expected.length; i++) {
      if (actual[i] !== expected[i]) {
        throw new ConformanceError(`${path}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
      }
    }
    return;
  }
  if (Array.isArray(expected)) {
    check(Array.isArray(actual), `${path}: expected an array`);
    check(
      actual.length === expected.length,
      `${path}: expected ${expected.length} items, got ${actual.length}`,
    );
    expected.forEach((e, i) => assertDeepEqual(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    check(typeof actual === 'object' && actual !== null, `${path}: expected an object`);
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(actual).sort();
    check(
      ek.join() === ak.join(),
      `${path}: expected fields {${ek.join(', ')}}, got {${ak.join(', ')}}`,
    );
    for (const k of ek) {
      assertDeepEqual(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
    }
    return;
  }
  check(
    Object.is(actual, expected),
    `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

interface Endpoint {
  readonly t: Transport;
  readonly id: PeerId;
  /** Everything delivered to this transport's handler, in order. */
  readonly inbox: { from: PeerId; messages: readonly Message[] }[];
  stopped: boolean;
  /** Deliveries after stop(): recorded here, reported once the case ends. */
  lateDeliveries: number;
}

/** Messages `ep` received from `from`, flattened, in order. */
function receivedFrom(ep: Endpoint, from: PeerId): Message[] {
  return ep.inbox.filter((d) => d.from === from).flatMap((d) => [...d.messages]);
}

export function transportConformanceCases(
  factory: TransportFactory,
  options: TransportConformanceOptions = {},
): ConformanceCase[] {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const quietMs = options.quietMs ?? 500;
  const orderingMessages = options.orderingMessages ?? 2000;

  async function waitFor(cond: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new ConformanceError(`timed out waiting for ${what}`);
      await sleep(5);
    }
  }

  /** Waits until `to` has received exactly `expected` from `from`, in that order. */
  async function expectReceived(to: Endpoint, from: PeerId, expected: Message[]): Promise<void> {
    await waitFor(
      () => receivedFrom(to, from).length >= expected.length,
      `${expected.length} messages`,
    );
    const got = receivedFrom(to, from);
    check(got.length === expected.length, `got ${got.length} messages, want ${expected.length}`);
    expected.forEach((m, i) => assertDeepEqual(got[i], m, `message ${i} (${m.type})`));
  }

  function linked(a: Endpoint, b: Endpoint): boolean {
    return a.t.peers().some((p) => p.peer === b.id && p.connected);
  }

  async function linkUp(a: Endpoint, b: Endpoint): Promise<void> {
    await waitFor(() => linked(a, b), `a link from ${a.id} to ${b.id}`);
  }

  /** Create `n` transports, start them with recording handlers, run `fn`, stop them all. */
  async function withTransports(n: number, fn: (eps: Endpoint[]) => Promise<void>) {
    const ts = await factory.create(n);
    check(ts.length === n, `factory.create(${n}) returned ${ts.length} transports`);
    const eps: Endpoint[] = ts.map((t) => ({
      t,
      id: t.id,
      inbox: [],
      stopped: false,
      lateDeliveries: 0,
    }));
    check(new Set(eps.map((e) => e.id)).size === n, 'factory.create returned duplicate ids');
    try {
      for (const ep of eps) {
        await ep.t.start((from, messages) => {
          if (ep.stopped) ep.lateDeliveries++;
          else ep.inbox.push({ from, messages: [...messages] });
        });
      }
      await fn(eps);
    } finally {
      for (const ep of eps) {
        ep.stopped = true;
        await ep.t.stop().catch(() => undefined);
      }
    }
    for (const ep of eps) {
      check(
        ep.lateDeliveries === 0,
        `${ep.id} delivered ${ep.lateDeliveries} batches after stop()`,
      );
    }
  }

  /** Make every endpoint a member of every other's set, and wait for all links. */
  async function mesh(eps: Endpoint[]): Promise<void> {
    const ids = eps.map((e) => e.id);
    for (const ep of eps) ep.t.setMembers(ids);
    for (const a of eps) for (const b of eps) if (a !== b) await linkUp(a, b);
  }

  const cases: ConformanceCase[] = [
    {
      name: 'delivers every message type with every field intact',
      run: () =>
        withTransports(2, async ([a, b]) => {
          await mesh([a!, b!]);
          const samples = Object.values(sampleMessages(a!.id));
          for (const m of samples) check(a!.t.send(b!.id, [m]), `send of ${m.type} returned false`);
          check(a!.t.send(b!.id, samples), 'send of all types at once returned false');
          const expected = [...samples, ...samples];
          await expectReceived(b!, a!.id, expected);
        }),
    },
    {
      name: "keeps each sender's messages in order",
      run: () =>
        withTransports(3, async ([a, b, c]) => {
          await mesh([a!, b!, c!]);
          const accepted = new Map<PeerId, number[]>([
            [a!.id, []],
            [c!.id, []],
          ]);
          for (let i = 0; i < orderingMessages; i++) {
            for (const s of [a!, c!]) {
              const m: Message = { type: 'readIndexReq', id: i };
              // Every tenth send carries a larger message, so frames differ in size.
              const extra: Message[] =
                i % 10 === 0
                  ? [{ type: 'decision', slot: i, value: patternBytes(2000, i + 1) }]
                  : [];
              if (s.t.send(b!.id, [m, ...extra])) accepted.get(s.id)!.push(i);
            }
            if (i % 100 === 99) await sleep(0);
          }
          for (const s of [a!, c!]) {
            const want = accepted.get(s.id)!;
            check(want.length > 0, `every send from ${s.id} was refused`);
            await waitFor(
              () =>
                receivedFrom(b!, s.id).filter((m) => m.type === 'readIndexReq').length >=
                want.length,
              `${want.length} ordered messages from ${s.id}`,
            );
            const ids = receivedFrom(b!, s.id).flatMap((m) =>
              m.type === 'readIndexReq' ? [m.id] : [],
            );
            assertDeepEqual(ids, want, `ids from ${s.id}`);
          }
        }),
    },
    {
      name: 'carries many messages in one send, and large ones',
      run: () =>
        withTransports(2, async ([a, b]) => {
          await mesh([a!, b!]);
          const samples = Object.values(sampleMessages(a!.id));
          const many = Array.from({ length: 1000 }, (_, i) => samples[i % samples.length]!);
          check(a!.t.send(b!.id, many), 'a send of 1000 messages returned false');
          const big: Message[] = [
            {
              type: 'snapshotChunk',
              slot: 5,
              offset: 0,
              total: 1 << 20,
              data: patternBytes(1 << 20, 9),
            },
            {
              type: 'catchupDecisions',
              decisions: Array.from({ length: 1000 }, (_, i) => ({
                slot: i + 1,
                value: patternBytes(1000, i + 11),
              })),
            },
          ];
          check(a!.t.send(b!.id, big), 'a send of two 1 MB messages returned false');
          const expected = [...many, ...big];
          await expectReceived(b!, a!.id, expected);
        }),
    },
    {
      name: 'send to an unknown or unreachable peer returns false and does not throw',
      run: () =>
        withTransports(2, async ([a, b]) => {
          await mesh([a!, b!]);
          const m: Message = { type: 'readIndexReq', id: 1 };
          for (const nobody of ['no-such-peer', '', b!.id + 'x']) {
            let r: boolean | undefined;
            try {
              r = a!.t.send(nobody, [m]);
            } catch (err) {
              throw new ConformanceError(`send to ${JSON.stringify(nobody)} threw: ${String(err)}`);
            }
            check(r === false, `send to unknown peer ${JSON.stringify(nobody)} returned ${r}`);
          }
          b!.stopped = true;
          await b!.t.stop();
          await waitFor(() => {
            let r: boolean;
            try {
              r = a!.t.send(b!.id, [m]);
            } catch (err) {
              throw new ConformanceError(`send to a stopped peer threw: ${String(err)}`);
            }
            return !r;
          }, 'send to a stopped peer to return false');
          await waitFor(() => !linked(a!, b!), 'the stopped peer to show as not connected');
        }),
    },
    {
      name: "never delivers a non-member's messages, also after a member is removed",
      run: () =>
        withTransports(3, async ([a, b, c]) => {
          const all = [a!.id, b!.id, c!.id];
          a!.t.setMembers(all);
          c!.t.setMembers(all);
          b!.t.setMembers([a!.id, b!.id]);
          await linkUp(a!, b!);
          await linkUp(b!, a!);
          const m: Message = { type: 'readIndexReq', id: 1 };
          // c tries for a while; a's marker shows b was listening all along.
          const until = Date.now() + quietMs;
          while (Date.now() < until) {
            c!.t.send(b!.id, [m]);
            await sleep(10);
          }
          check(a!.t.send(b!.id, [{ type: 'readIndexReq', id: 2 }]), 'marker send failed');
          await waitFor(() => receivedFrom(b!, a!.id).length > 0, "a member's marker");
          await sleep(quietMs / 5);
          check(receivedFrom(b!, c!.id).length === 0, `b delivered a non-member's message`);

          // Remove a: nothing from it may be delivered from now on.
          b!.t.setMembers([b!.id]);
          const before = receivedFrom(b!, a!.id).length;
          const until2 = Date.now() + quietMs;
          while (Date.now() < until2) {
            a!.t.send(b!.id, [m]);
            await sleep(10);
          }
          check(
            receivedFrom(b!, a!.id).length === before,
            'b delivered messages from a removed member',
          );

          // Add it back: the link recovers.
          b!.t.setMembers([a!.id, b!.id]);
          await waitFor(() => {
            a!.t.send(b!.id, [{ type: 'readIndexReq', id: 3 }]);
            return receivedFrom(b!, a!.id).length > before;
          }, 'delivery after the member was added back');
        }),
    },
    {
      name: "delivers a former member's catch-up requests only, and sends it only answers without decisions",
      run: () =>
        withTransports(2, async ([a, b]) => {
          // a was removed: b names it a former member; a still believes b is one.
          a!.t.setMembers([a!.id, b!.id]);
          b!.t.setMembers([b!.id], [a!.id]);
          const ask: Message = { type: 'catchupReq', fromSlot: 7, snapshotSlot: 0, offset: 0 };
          await waitFor(() => {
            a!.t.send(b!.id, [{ type: 'readIndexReq', id: 1 }, ask]);
            return receivedFrom(b!, a!.id).length > 0;
          }, "a former member's ask");
          check(
            receivedFrom(b!, a!.id).every((m) => m.type === 'catchupReq'),
            "b delivered a former member's message other than a catch-up request",
          );
          const progress: Message = { type: 'catchupDecisions', decisions: [], slotOut: 9 };
          const decisions: Message = {
            type: 'catchupDecisions',
            decisions: [{ slot: 7, value: new Uint8Array([1]) }],
            slotOut: 9,
          };
          // `progress` goes last: messages from one peer arrive in the order it sent them
          // (Transport), so once it is here, the two before it arrived or were dropped.
          const isProgress = (m: Message) =>
            m.type === 'catchupDecisions' && m.decisions.length === 0;
          await waitFor(() => {
            b!.t.send(a!.id, [decisions, { type: 'readIndexReq', id: 2 }, progress]);
            return receivedFrom(a!, b!.id).some(isProgress);
          }, 'the answer at the former member');
          check(
            receivedFrom(a!, b!.id).every(
              (m) => m.type === 'catchupDecisions' && m.decisions.length === 0,
            ),
            'a former member was sent more than a catch-up answer without decisions',
          );
        }),
    },
    {
      name: 'reports each member in peers(), with lastSeen once it was heard',
      run: () =>
        withTransports(2, async ([a, b]) => {
          await mesh([a!, b!]);
          const pa = a!.t.peers();
          check(!pa.some((p) => p.peer === a!.id), 'peers() lists the transport itself');
          check(
            pa.some((p) => p.peer === b!.id && p.connected),
            'peers() misses a linked member',
          );
          check(a!.t.send(b!.id, [{ type: 'readIndexReq', id: 1 }]), 'send failed');
          await waitFor(() => receivedFrom(b!, a!.id).length > 0, 'one message');
          const seen = b!.t.peers().find((p) => p.peer === a!.id);
          check(seen !== undefined, "the receiver's peers() misses the sender");
          check(typeof seen.lastSeen === 'number', 'lastSeen is not set after a delivery');
          check(seen.rttMs === null || seen.rttMs >= 0, 'rttMs is negative');
        }),
    },
    {
      name: 'stop() ends delivery and sending, and may be called twice',
      run: () =>
        withTransports(2, async ([a, b]) => {
          await mesh([a!, b!]);
          a!.stopped = true;
          await a!.t.stop();
          await a!.t.stop();
          check(!a!.t.send(b!.id, [{ type: 'readIndexReq', id: 1 }]), 'a stopped transport sent');
          const until = Date.now() + quietMs;
          while (Date.now() < until) {
            b!.t.send(a!.id, [{ type: 'readIndexReq', id: 2 }]);
            await sleep(10);
          }
          // withTransports checks that nothing reached a's handler after stop().
        }),
    },
  ];
  return cases;
}

/**
 * A former member gets the members' durable progress, nothing else (former-members.ts). A peer
 * removed, stopped before a member that stays confirmed its hand-over, and restarted only after
 * every member that stays compacted past its removal (and restarted too), used to be refused by
 * their transports for good: it showed its hand-over pending for ever, and its user could only
 * leave with `force`. Now the members remember whom configurations removed, across compaction
 * and restarts, their transports let its catch-up requests in (and nothing else of it), and they
 * answer them with their `durableSlotOut` only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NOOP } from '../src/command.js';
import { ConfigHistory } from '../src/configuration.js';
import { FormerMembers, MAX_FORMER_MEMBERS } from '../src/former-members.js';
import {
  initLog,
  MemoryNetwork,
  MemoryStorage,
  startNode,
  type Envelope,
  type Message,
  type PeerId,
  type SynodNode,
} from '../src/index.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { until } from '../src/testing/index.js';
import { drivenNode } from './driven-node.js';

type KvNode = SynodNode<KvStateMachine>;
const running = new Set<KvNode>();
afterEach(async () => {
  for (const n of running) await n.stop();
  running.clear();
});

/** One leader throughout, even on a loaded machine; `a` compacts every 5 slots. */
const protocol = {
  heartbeatIntervalMs: 20,
  electionTimeoutMs: 2000,
  retransmitIntervalMs: 50,
  snapshotInterval: 5,
  logRetention: 0,
};

describe('a former member gets the members’ progress, nothing else', () => {
  it('a removed peer restarted after the member that stays compacted past its removal and restarted confirms its hand-over', async () => {
    const net = new MemoryNetwork();
    // What a sends b once b knows it was removed (checked as a sends); b's hand-over is starved
    // (those answers dropped) at first.
    let starve = true;
    let bNode: KvNode | undefined;
    const toB: Message[] = [];
    net.dropWhere((from, to, m) => {
      if (bNode?.status().removed !== true || from !== 'a' || to !== 'b') return false;
      toB.push(m);
      return starve && m.type === 'catchupDecisions';
    });
    const storages = { a: new MemoryStorage(), b: new MemoryStorage() };
    await initLog(storages.a, 'a', new KvStateMachine());
    const open = async (id: 'a' | 'b', transport = net.connect(id)) => {
      const n = await startNode({
        id,
        storage: storages[id],
        transport,
        stateMachine: new KvStateMachine(),
        protocol,
      });
      running.add(n);
      if (id === 'b') bNode = n;
      return n;
    };
    const close = async (n: KvNode, id: 'a' | 'b') => {
      await n.stop();
      running.delete(n);
      storages[id].reopen();
    };
    const a = await open('a');
    const b = await open('b');
    await a.addPeer('b');
    await until('b initialized', () => b.status().initialized);
    await a.propose(encodeKv({ op: 'append', key: 'k', value: 'x,' }));
    await a.removePeer('b');
    await until('b removed', () => b.status().removed);
    const start = b.status().handover!.start;
    await until('removal written', () => b.rawNode.replica.durableSlotOut >= start);
    expect(b.status().handover).toEqual({ start, done: false });
    await close(b, 'b');

    // a compacts past the removal: no configuration it keeps names b.
    for (let i = 0; i < 12; i++) await a.propose(encodeKv({ op: 'append', key: 'k', value: 'y,' }));
    await until(
      'a compacted past the removal',
      () => (a.rawNode.replica.snapshot?.slot ?? 0) >= start,
    );
    const namesB = (n: KvNode) =>
      n.rawNode.replica.configs.all().some((c) => [...c.replicas, ...c.acceptors].includes('b'));
    expect(namesB(a)).toBe(false);
    expect(a.rawNode.formerMembers).toEqual(['b']);
    // a restarted: it knows b from its store's record, not from its log.
    await close(a, 'a');
    const a2 = await open('a');
    expect(namesB(a2)).toBe(false);
    expect(a2.rawNode.formerMembers).toEqual(['b']);

    // b opened again: pending, and asking; a answers with its progress only.
    starve = false;
    toB.length = 0;
    const b2 = await open('b');
    expect(b2.status().handover).toEqual({ start, done: false });
    await b2.awaitHandover({ timeoutMs: 10_000 });
    expect(b2.status().handover).toEqual({ start, done: true });
    expect(toB.length).toBeGreaterThan(0);
    for (const m of toB) expect(m).toMatchObject({ type: 'catchupDecisions', decisions: [] });
    // b learned nothing past its removal.
    expect(b2.status().slotOut).toBeLessThanOrEqual(a2.status().slotOut);
    expect(b2.rawNode.replica.maxDecided).toBeLessThan(start + 12);
  }, 30_000);

  it('a stranger gets nothing, a former member only catch-up answers without decisions', async () => {
    const net = new MemoryNetwork();
    const storage = new MemoryStorage();
    await initLog(storage, 'a', new KvStateMachine());
    const a = await startNode({
      id: 'a',
      storage,
      transport: net.connect('a'),
      stateMachine: new KvStateMachine(),
      protocol,
    });
    running.add(a);
    await a.propose(encodeKv({ op: 'append', key: 'k', value: 'x,' }));
    // 'b' is a former member as a run of a's store recorded it.
    await a.stop();
    running.delete(a);
    storage.reopen();
    await storage.setMeta('synod.formerMembers', new TextEncoder().encode('["b"]'));
    const a2 = await startNode({
      id: 'a',
      storage,
      transport: net.connect('a'),
      stateMachine: new KvStateMachine(),
      protocol,
    });
    running.add(a2);
    const got = new Map<PeerId, Message[]>([
      ['b', []],
      ['z', []],
    ]);
    const ends = ['z', 'b'].map((id) => {
      const t = net.connect(id);
      void t.start((_from, ms) => got.get(id)!.push(...ms));
      t.setMembers(['a', id]);
      return t;
    });
    const ask: Message = { type: 'catchupReq', fromSlot: 1, snapshotSlot: 0, offset: 0 };
    const propose: Message = { type: 'request', commands: new Uint8Array([1]), hops: 0 };
    // The stranger asks first: delivered in order, its answer would come before b's.
    for (const t of ends) t.send('a', [propose, ask]);
    await until('b answered', () => got.get('b')!.length > 0);
    expect(got.get('z')).toEqual([]);
    expect(got.get('b')).toEqual([
      { type: 'catchupDecisions', decisions: [], slotOut: a2.rawNode.replica.durableSlotOut },
    ]);
    for (const t of ends) await t.stop();
  });
});

describe('RawNode and former members', () => {
  it('answers a former member’s catch-up request with its durable progress only, where another asker gets the decisions', () => {
    const d = drivenNode('a', ['a']);
    d.tick(1000);
    d.n.propose(encodeKv({ op: 'append', key: 'k', value: 'x,' }));
    for (let i = 0; i < 50 && d.n.replica.durableSlotOut <= 1; i++) d.tick(100);
    const decided = d.n.replica.durableSlotOut;
    expect(decided).toBeGreaterThan(1);
    d.n.knownFormerMembers(['x']);
    d.sent.length = 0;
    const ask: Message = { type: 'catchupReq', fromSlot: 1, snapshotSlot: 0, offset: 0 };
    d.n.step('x', ask);
    // Any other asker the transport lets through (a joiner admitted before its configuration
    // is decided, say) gets the decisions: applied and durable, they are read from storage.
    d.n.step('y', ask);
    const rd = d.turn();
    const to = (p: string) => d.sent.filter((e: Envelope) => e.to === p).map((e) => e.msg);
    expect(to('x')).toEqual([{ type: 'catchupDecisions', decisions: [], slotOut: decided }]);
    expect(rd.fetches).toMatchObject([{ kind: 'decisions', from: 1 }]);
    expect(d.n.formerMembers).toEqual(['x']);
  });

  it('tells a former member nothing that is not durable here: a decision applied but held for the next write', () => {
    // A removed peer's hand-over rests on this answer (handover.ts): it stops once a member says
    // it holds every slot before the removal. A decision alone waits for the next write
    // (write-tracker.ts, holdDecisions): applied here, it is not yet durable, and a member that
    // crashed now would come back without it.
    const d = drivenNode('a', ['a', 'b', 'c']);
    d.n.step('b', { type: 'decision', slot: 1, value: NOOP });
    d.turn();
    expect(d.n.status().slotOut).toBe(2);
    expect(d.n.replica.durableSlotOut, 'the decision waits for the next write').toBe(1);
    d.n.knownFormerMembers(['x']);
    d.sent.length = 0;
    d.n.step('x', { type: 'catchupReq', fromSlot: 1, snapshotSlot: 0, offset: 0 });
    d.turn();
    const toX = d.sent.filter((e: Envelope) => e.to === 'x').map((e) => e.msg);
    expect(toX).toEqual([{ type: 'catchupDecisions', decisions: [], slotOut: 1 }]);
  });

  it('forgets a former member once a configuration names it again, and lists the peers it leaves out', () => {
    // The list goes to the driver, which records it, and to the transport, which lets a former
    // member in for catch-up requests only: a peer added back is a member, not a former one.
    const f = new FormerMembers('a');
    const c = (id: number, peers: string[]) => ({
      id,
      start: id * 10 + 1,
      replicas: peers,
      leaders: peers,
      acceptors: peers,
    });
    const c1 = c(1, ['a', 'b', 'c']);
    f.configAdded(c1, c(0, ['a', 'b', 'c', 'd']));
    expect(f.all()).toEqual(['d']);
    f.configAdded(c(2, ['a', 'b', 'c', 'd']), c1);
    expect(f.all()).toEqual([]);
  });

  it('takes a former member for a member while a kept configuration names it (seed 96002035 of membership-churn)', () => {
    // This peer may not have learned yet the configuration that adds it back; while one it
    // keeps names it, it gets everything, decisions included.
    const f = new FormerMembers('a');
    f.add(['d']);
    const named = (peers: string[]) => ({
      id: 0,
      start: 1,
      replicas: peers,
      leaders: peers,
      acceptors: peers,
    });
    expect(f.isOutside('d', new ConfigHistory([named(['a', 'b', 'c'])]))).toBe(true);
    expect(f.isOutside('d', new ConfigHistory([named(['a', 'b', 'd'])]))).toBe(false);
    expect(f.isOutside('b', new ConfigHistory([named(['a', 'b', 'c'])]))).toBe(false);
  });

  it(`remembers the ${MAX_FORMER_MEMBERS} most recently removed`, () => {
    const f = new FormerMembers('self');
    const ids = Array.from({ length: MAX_FORMER_MEMBERS + 3 }, (_, i) => `p${i}`);
    f.add(['self', ...ids]);
    expect(f.all()).toEqual(ids.slice(3));
    // Removed again: the most recent.
    f.add(['p5']);
    expect(f.all().at(-1)).toBe('p5');
    expect(f.all()).toHaveLength(MAX_FORMER_MEMBERS);
  });
});

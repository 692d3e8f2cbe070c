/** The runtime and the app-facing API (SynodNode), over MemoryNetwork and MemoryStorage. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  initLog,
  InvalidConfigError,
  MemoryNetwork,
  MemoryStorage,
  startNode,
  validateOptions,
  type ApplyContext,
  type ProtocolOptions,
  type StorageBatch,
  type SynodNode,
  type Transport,
} from '../src/index.js';
import { decodeKvResult, encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { until } from '../src/testing/index.js';

type KvNode = SynodNode<KvStateMachine>;
const running: KvNode[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

const fast = { heartbeatIntervalMs: 20, electionTimeoutMs: 100, retransmitIntervalMs: 50 };

async function cluster(
  ids: string[],
  net = new MemoryNetwork(),
  protocol: Partial<ProtocolOptions> = fast,
) {
  const storages = new Map(ids.map((id) => [id, new MemoryStorage()]));
  await initLog(storages.get(ids[0]!)!, ids[0]!, new KvStateMachine());
  const nodes: KvNode[] = [];
  for (const id of ids) {
    const n = await startNode({
      id,
      storage: storages.get(id)!,
      transport: net.connect(id),
      stateMachine: new KvStateMachine(),
      protocol,
    });
    running.push(n);
    nodes.push(n);
  }
  for (const id of ids.slice(1)) await nodes[0]!.addPeer(id);
  // addPeer resolves once the new configuration governs; a new peer may still be fetching its
  // first snapshot. Tests that then cut the leader off need every peer able to lead.
  for (let i = 0; i < 500 && !nodes.every((n) => n.status().initialized); i++)
    await new Promise((r) => setTimeout(r, 10));
  return { nodes, storages, net };
}

const append = (key: string, value: string) => encodeKv({ op: 'append', key, value });

describe('SynodNode', () => {
  it('grows from one peer to three through reconfiguration, and every peer proposes and reads', async () => {
    const { nodes } = await cluster(['a', 'b', 'c']);
    const [a, b, c] = nodes as [KvNode, KvNode, KvNode];
    expect(a.status().config?.acceptors).toEqual(['a', 'b', 'c']);
    expect(decodeKvResult(await b.propose(append('x', '1')))).toBe('1');
    expect(decodeKvResult(await c.propose(append('x', '2')))).toBe('12');
    expect(await a.read((sm) => sm.get('x'))).toBe('12');
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => nodes[i % 3]!.propose(append('y', '.'))),
    );
    expect(results).toHaveLength(300);
    expect(await c.read((sm) => sm.get('y'))).toHaveLength(300);
  });

  it('a membership change on an idle log decides a handful of slots, not WINDOW no-ops', async () => {
    // Before the skip (docs/protocol.md, "A membership change on an idle log"), each change
    // decided WINDOW (64) slots: itself and 63 no-ops. Now: itself and one skip.
    const { nodes, storages } = await cluster(['a', 'b', 'c']);
    const a = nodes[0]!;
    const window = validateOptions({}).window;
    // Two changes (b, then c): each is one slot and one skip (before: 2 x 64 slots decided).
    expect(
      storages
        .get('a')!
        .loadSync()
        .decisions.map((d) => d.slot),
    ).toEqual([1, 2, window + 1, window + 2]);
    // Slot numbers are names: the second change still governs from its slot + WINDOW.
    expect(a.status().slotOut).toBe(2 * window + 1);
    // Writes go on in the new configuration, and every peer reads them.
    expect(decodeKvResult(await nodes[2]!.propose(append('x', '1')))).toBe('1');
    expect(await nodes[1]!.read((sm) => sm.get('x'))).toBe('1');
  });

  it('gives a local read at once and tells subscribers of every applied command', async () => {
    const { nodes } = await cluster(['a', 'b', 'c']);
    const seen: number[] = [];
    nodes[1]!.subscribe((e) => seen.push(e.slot));
    await nodes[0]!.propose(append('x', '1'));
    await nodes[0]!.propose(append('x', '2'));
    await nodes[1]!.read(() => 0); // linearizable: b has applied both
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(await nodes[1]!.read((sm) => sm.get('x'), { local: true })).toBe('12');
  });

  it('reports status: roles, leader, slots, links', async () => {
    const { nodes } = await cluster(['a', 'b', 'c']);
    await nodes[0]!.propose(append('x', '1'));
    // A follower learns who leads from the next heartbeat: one that lost an election a moment
    // ago may not know yet (this failed 2 runs in 8 when read at once).
    await expect.poll(() => nodes[1]!.status().activeLeader, { timeout: 5000 }).not.toBeNull();
    const s = nodes[1]!.status();
    expect(s.roles).toEqual({ replica: true, leader: true, acceptor: true });
    expect(s.slotOut).toBeGreaterThan(1);
    expect(s.links.map((l) => l.peer).sort()).toEqual(['a', 'c']);
  });

  it('keeps committing when the leader is cut off, and the old leader catches up', async () => {
    const { nodes, net } = await cluster(['a', 'b', 'c']);
    await nodes[0]!.propose(append('x', '1'));
    const leader = nodes.find((n) => n.status().leader.active)!;
    net.isolate(leader.id);
    const other = nodes.find((n) => n !== leader)!;
    await other.propose(append('x', '2'));
    net.heal();
    await leader.propose(append('x', '3'));
    expect(await leader.read((sm) => sm.get('x'))).toBe('123');
  });

  it('a removed peer can no longer propose, and says so in its status', async () => {
    const { nodes } = await cluster(['a', 'b', 'c']);
    await nodes[0]!.removePeer('c');
    await nodes[0]!.propose(append('x', '1'));
    const c = nodes[2]!;
    for (let i = 0; i < 100 && !c.status().removed; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(c.status().removed).toBe(true);
    await expect(c.propose(append('x', '2'))).rejects.toMatchObject({ code: 'removed' });
    expect(nodes[0]!.status().config?.acceptors).toEqual(['a', 'b']);
  });

  it('a peer leaving a 2-member log hands over first: the one that stays learns every slot and goes on alone', async () => {
    // notes/issue-15.md: the leaver's removePeer(self) resolved once its own replica reached the
    // new configuration's start; it stopped, and the member that stayed never learned the slots
    // below it (only the leaver could tell it, or vote to decide them again).
    let starve = true;
    let asked = 0;
    // Filled in once the leader is known (it is the one that leaves).
    const ids = { leaving: '', staying: '' };
    const learning = new Set(['decision', 'catchupDecisions', 'snapshotChunk']);
    const net = new MemoryNetwork();
    net.dropWhere((from, to, m) => {
      if (from !== ids.leaving || to !== ids.staying) return false;
      if (m.type === 'catchupReq' && leaving.status().removed) asked++;
      return starve && learning.has(m.type);
    });
    // One leader throughout, even on a loaded machine: the other learns only from it.
    const { nodes } = await cluster(['a', 'b'], net, { ...fast, electionTimeoutMs: 2000 });
    await until('a leader', () => nodes.some((n) => n.status().leader.active));
    const leaving = nodes.find((n) => n.status().leader.active)!;
    const staying = nodes.find((n) => n !== leaving)!;
    Object.assign(ids, { leaving: leaving.id, staying: staying.id });
    // The one that stays votes on every slot but hears no decision from the leaver.
    for (let i = 0; i < 5; i++) await leaving.propose(append('x', String(i)));
    let left: { staying: number; start: number } | undefined;
    const leave = leaving.removePeer(leaving.id).then(() => {
      left = { staying: staying.status().slotOut, start: leaving.status().config!.start };
    });
    leave.catch(() => undefined); // awaited below; if the test fails first, stop() rejects it
    // Removed, it resolves (the bug) or asks the one that stays where it is, again and again.
    await until('the leaver resolves or asks', () => left !== undefined || asked >= 3);
    expect(staying.status().slotOut).toBeLessThan(leaving.status().config!.start);
    expect(left).toBeUndefined();
    starve = false;
    await leave;
    // It resolved only once the one that stays had every slot below the new configuration.
    expect(left!.staying).toBeGreaterThanOrEqual(left!.start);
    running.splice(running.indexOf(leaving), 1);
    await leaving.stop();
    expect(decodeKvResult(await staying.propose(append('x', '5'), { timeoutMs: 10_000 }))).toBe(
      '012345',
    );
    expect(staying.status().config?.acceptors).toEqual([staying.id]);
  });

  it('refuses a membership change that leaves no acceptor, or one while another is pending', async () => {
    const { nodes } = await cluster(['a']);
    await expect(nodes[0]!.removePeer('a')).rejects.toMatchObject({ code: 'invalid-membership' });
    const { nodes: three } = await cluster(['p', 'q', 'r']);
    const first = three[0]!.removePeer('r');
    await expect(three[0]!.removePeer('q')).rejects.toMatchObject({ code: 'reconfig-pending' });
    await first;
  });

  it('fails closed when storage fails: nothing more is acknowledged, and the error reaches the app', async () => {
    const { nodes, storages } = await cluster(['a']);
    await nodes[0]!.propose(append('x', '1'));
    storages.get('a')!.fail(new Error('disk full'));
    await expect(nodes[0]!.propose(append('x', '2'))).rejects.toMatchObject({
      code: 'storage-failed',
    });
    expect(nodes[0]!.status().failure).toMatch(/disk full/);
    await expect(nodes[0]!.propose(append('x', '3'))).rejects.toMatchObject({
      code: 'storage-failed',
    });
  });

  it('times out without a majority, and the command may still take effect later', async () => {
    const { nodes, net } = await cluster(['a', 'b', 'c']);
    net.isolate('a');
    net.isolate('b');
    await expect(nodes[2]!.propose(append('x', '1'), { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'timeout',
    });
  });

  it('rejects every pending operation with StoppedError on stop', async () => {
    const { nodes, net } = await cluster(['a', 'b', 'c']);
    net.isolate('c');
    const p = nodes[2]!.propose(append('x', '1'));
    await nodes[2]!.stop();
    await expect(p).rejects.toMatchObject({ code: 'stopped' });
    await expect(nodes[2]!.propose(append('x', '2'))).rejects.toMatchObject({ code: 'stopped' });
  });

  it('ticks at its next deadline, not at a fixed rate: idle followers hardly tick, the leader per heartbeat', async () => {
    const { nodes } = await cluster(['a', 'b', 'c']);
    await nodes[0]!.propose(append('x', '1'));
    const ticks = new Map<string, number>();
    for (const n of nodes) {
      const raw = n.rawNode;
      const tick = raw.tick.bind(raw);
      ticks.set(n.id, 0);
      raw.tick = (now: number) => {
        ticks.set(n.id, ticks.get(n.id)! + 1);
        tick(now);
      };
    }
    const ms = 600;
    await new Promise((r) => setTimeout(r, ms));
    const leader = nodes.find((n) => n.status().leader.active)!;
    // One heartbeat per interval (20 ms here), and nothing else due.
    expect(ticks.get(leader.id)).toBeLessThanOrEqual(ms / fast.heartbeatIntervalMs + 3);
    for (const n of nodes) {
      // A follower's deadlines (election, catch-up probe) move with every heartbeat it hears:
      // its timer wakes it to write the last decision it held back, and about once per
      // election timeout to find nothing due (a 10 ms polling tick would be 60 ticks).
      if (n !== leader) expect(ticks.get(n.id)).toBeLessThanOrEqual(3);
    }
  });

  it('hands leadership over (transferLeadership) without waiting an election timeout', async () => {
    // Election timeouts far longer than the test: only the transfer can make b lead in time.
    const slow = {
      heartbeatIntervalMs: 20,
      electionTimeoutMs: 20_000,
      maxElectionTimeoutMs: 20_000,
      retransmitIntervalMs: 50,
    };
    const net = new MemoryNetwork();
    const storages = new Map(['a', 'b', 'c'].map((id) => [id, new MemoryStorage()]));
    await initLog(storages.get('a')!, 'a', new KvStateMachine());
    const nodes: KvNode[] = [];
    for (const id of ['a', 'b', 'c']) {
      const n = await startNode({
        id,
        storage: storages.get(id)!,
        transport: net.connect(id),
        stateMachine: new KvStateMachine(),
        protocol: slow,
      });
      running.push(n);
      nodes.push(n);
    }
    const [a, b, c] = nodes as [KvNode, KvNode, KvNode];
    await a.addPeer('b');
    await a.addPeer('c');
    await a.propose(append('x', '1'));
    await expect(b.transferLeadership('c')).rejects.toMatchObject({ code: 'not-leader' });
    await expect(a.transferLeadership('zz')).rejects.toMatchObject({ code: 'invalid-membership' });
    await a.transferLeadership('b', { timeoutMs: 5000 });
    expect(b.status().leader.active).toBe(true);
    expect(a.status().leader.active).toBe(false);
    // Writes go on through the new leader, from every peer.
    expect(decodeKvResult(await a.propose(append('x', '2')))).toBe('12');
    expect(decodeKvResult(await c.propose(append('x', '3')))).toBe('123');
    expect(await c.read((sm) => sm.get('x'))).toBe('123');
  });

  it('names the transfer targets: the leaders heard lately, the most caught up first', async () => {
    let lagging = false;
    let silent = false;
    const behind = new Set(['p2a', 'decision', 'catchupDecisions', 'snapshotChunk']);
    const net = new MemoryNetwork();
    net.dropWhere(
      (from, to, m) =>
        (silent && (from === 'c' || to === 'c')) || (lagging && to === 'c' && behind.has(m.type)),
    );
    const { nodes } = await cluster(['a', 'b', 'c'], net);
    const [a, b, c] = nodes as [KvNode, KvNode, KvNode];
    expect(b.transferTargets()).toEqual([]); // b does not lead
    await until('a hears b and c', () => a.transferTargets().sort().join() === 'b,c');

    // c stops learning decisions (it still answers heartbeats, with its older slotOut).
    lagging = true;
    for (let i = 0; i < 3; i++) await a.propose(append('x', `${i}`));
    await until('b ahead of c in the targets', () => a.transferTargets().join() === 'b,c');
    expect(c.status().slotOut).toBeLessThan(b.status().slotOut);

    // c falls silent: after an election timeout without its answer it is no target.
    silent = true;
    await until('c left out', () => a.transferTargets().join() === 'b');
    await a.transferLeadership(a.transferTargets()[0]!, { timeoutMs: 5000 });
    expect(b.status().leader.active).toBe(true);
    // An aborted wait rejects at once (a departing peer stops waiting for a target that left).
    const t0 = Date.now();
    await expect(
      b.transferLeadership('a', { timeoutMs: 60_000, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'stopped' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a follower writes its vote on slot s before it applies slot s - 1, whose decision came in the same frame', async () => {
    // Each follower's log of events: the write that carries its vote on a slot, and the apply
    // of a slot's commands. Decision s - 1 reaches a follower with P2a s (sendAll holds it): the
    // vote on s is on the round trip that the next command waits for, the apply is not.
    const events = new Map<string, string[]>([
      ['b', []],
      ['c', []],
    ]);
    // The slots s whose P2a came in one frame with decision s - 1. The leader holds a decision
    // one turn at most: on a busy machine the app's next proposal may come after that turn, and
    // the decision then leaves alone (CI once saw it for 1 slot of 20). Those are not checked.
    const together = new Map<string, Set<number>>([
      ['b', new Set()],
      ['c', new Set()],
    ]);
    class LoggedStorage extends MemoryStorage {
      constructor(private readonly seen: string[] | undefined) {
        super();
      }
      override write(batch: StorageBatch): Promise<void> {
        for (const pv of batch.accepted ?? []) this.seen?.push(`vote ${pv.slot}`);
        return super.write(batch);
      }
    }
    class LoggedKv extends KvStateMachine {
      constructor(private readonly seen: string[] | undefined) {
        super();
      }
      override apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
        this.seen?.push(`apply ${ctx.slot}`);
        return super.apply(command, ctx);
      }
    }
    const net = new MemoryNetwork();
    const ids = ['a', 'b', 'c'];
    const storages = new Map(ids.map((id) => [id, new LoggedStorage(events.get(id))]));
    await initLog(storages.get('a')!, 'a', new KvStateMachine());
    const nodes: KvNode[] = [];
    for (const id of ids) {
      const n = await startNode({
        id,
        storage: storages.get(id)!,
        transport: framesLogged(net.connect(id), together.get(id)),
        stateMachine: new LoggedKv(events.get(id)),
        protocol: fast,
      });
      running.push(n);
      nodes.push(n);
    }
    for (const id of ids.slice(1)) await nodes[0]!.addPeer(id);
    await until('every peer initialized', () => nodes.every((n) => n.status().initialized));
    for (const e of events.values()) e.length = 0;
    for (const t of together.values()) t.clear();
    // One command at a time: each slot's decision leaves with the next slot's P2a.
    for (let i = 0; i < 20; i++) await nodes[0]!.propose(append('k', String(i)));
    for (const [id, log] of events) {
      const why = `${id}: ${log.join(', ')}; together: ${[...together.get(id)!].join(' ')}`;
      let pairs = 0;
      let voteFirst = 0;
      for (let i = 0; i < log.length; i++) {
        const m = /^vote (\d+)$/.exec(log[i]!);
        if (m === null || !together.get(id)!.has(Number(m[1]))) continue;
        const applied = log.indexOf(`apply ${Number(m[1]) - 1}`);
        if (applied < 0) continue;
        pairs++;
        if (applied > i) voteFirst++;
      }
      expect(pairs, why).toBeGreaterThan(10);
      // A vote's write also waits while an earlier write of this peer is in flight (the write
      // pipeline's bound); the decision, stepped a macrotask later, may then apply first. On a
      // loaded machine that happens now and then (once seen for the first 2 slots of 20);
      // stepping decisions as they come puts every apply first.
      expect(voteFirst, why).toBeGreaterThanOrEqual(pairs * 0.75);
    }
  });

  it('a stop closes the store only once every write it started has completed', async () => {
    // A store may take a write and work on it elsewhere (a worker thread), and need not hold
    // its close back for it: the node waits for its writes in flight itself, or the last one
    // would meet a closed store and be lost.
    class SlowDisk extends MemoryStorage {
      readonly events: string[] = [];
      gate: Promise<void> | undefined;
      override async write(batch: StorageBatch): Promise<void> {
        this.events.push('write');
        const gate = this.gate;
        this.gate = undefined;
        await gate;
        await super.write(batch);
        this.events.push('written');
      }
      override async close(): Promise<void> {
        this.events.push('close');
        await super.close();
      }
    }
    const storage = new SlowDisk();
    await initLog(storage, 'a', new KvStateMachine());
    const a = await startNode({
      id: 'a',
      storage,
      transport: new MemoryNetwork().connect('a'),
      stateMachine: new KvStateMachine(),
      protocol: fast,
    });
    await a.propose(append('x', '1'));
    let open!: () => void;
    storage.gate = new Promise((resolve) => (open = resolve));
    const pending = a.propose(append('x', '2')).catch(() => undefined);
    await until('a write is in flight', () => storage.events.at(-1) === 'write', 5000);
    const stopped = a.stop();
    // The write completes a turn of the event loop later: a stop that does not wait for it has
    // closed the store by then (its steps are promise reactions, run before the next turn).
    await new Promise((r) => setImmediate(r));
    open();
    await stopped;
    await pending;
    const close = storage.events.indexOf('close');
    expect(close).toBeGreaterThan(storage.events.lastIndexOf('written'));
    expect(storage.events.filter((e) => e === 'written')).toHaveLength(
      storage.events.filter((e) => e === 'write').length,
    );
  });

  it('a stop writes the decisions held for the next write: the restarted peer has them', async () => {
    // A decision alone waits up to a heartbeat interval for the next write (write-tracker,
    // holdDecisions). Before, a stop in that window lost them: a peer stopped just after it
    // learned its own removal came back not removed.
    const slow = {
      heartbeatIntervalMs: 5000,
      electionTimeoutMs: 10_000,
      maxElectionTimeoutMs: 20_000,
      retransmitIntervalMs: 50,
    };
    const { nodes, storages } = await cluster(['a', 'b', 'c'], new MemoryNetwork(), slow);
    const [a, b] = nodes as [KvNode, KvNode];
    await a.propose(append('x', '1'));
    // b has applied it: it learned the decision, which holds only decisions for its next write.
    await until('b applied the command', () => b.status().slotOut === a.status().slotOut, 5000);
    const learned = b.status().slotOut;
    const storage = storages.get('b')!;
    const highest = () => storage.loadSync().decisions.at(-1)?.slot ?? -1;
    expect(highest(), 'the decision is still held for a later write').toBeLessThan(learned - 1);
    await b.stop();
    running.splice(running.indexOf(b), 1);
    expect(highest()).toBe(learned - 1);
  });

  it('a restarted peer keeps its log and its commands are not mistaken for old ones', async () => {
    const net = new MemoryNetwork();
    const storage = new MemoryStorage();
    await initLog(storage, 'a', new KvStateMachine());
    let n = await startNode({
      id: 'a',
      storage,
      transport: net.connect('a'),
      stateMachine: new KvStateMachine(),
      protocol: fast,
    });
    await n.propose(append('x', '1'));
    await n.stop();
    storage.reopen();
    const net2 = new MemoryNetwork();
    n = await startNode({
      id: 'a',
      storage,
      transport: net2.connect('a'),
      stateMachine: new KvStateMachine(),
      protocol: fast,
    });
    running.push(n);
    expect(decodeKvResult(await n.propose(append('x', '2')))).toBe('12');
  });
});

describe('options', () => {
  it('validate() fills defaults and names the bad field', () => {
    expect(validateOptions().window).toBe(64);
    expect(() => validateOptions({ window: 1 })).toThrow(InvalidConfigError);
    expect(() => validateOptions({ heartbeatIntervalMs: 200, electionTimeoutMs: 300 })).toThrow(
      /electionTimeoutMs/,
    );
    expect(() => validateOptions({ snapshotInterval: 0 })).toThrow(/snapshotInterval/);
    expect(() => validateOptions({ bogus: 1 } as never)).toThrow(/unknown option bogus/);
  });
});

/** `transport`, noting in `slots` each slot s whose P2a arrives in one frame with decision s - 1. */
function framesLogged(transport: Transport, slots: Set<number> | undefined): Transport {
  const start = transport.start.bind(transport);
  transport.start = (handler) =>
    start((from, messages) => {
      const decided = new Set(messages.flatMap((m) => (m.type === 'decision' ? [m.slot] : [])));
      for (const m of messages) if (m.type === 'p2a' && decided.has(m.slot - 1)) slots?.add(m.slot);
      handler(from, messages);
    });
  return transport;
}

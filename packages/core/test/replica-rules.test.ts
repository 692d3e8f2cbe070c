/**
 * The replica's rules (PMMC §2, Fig. 1) and what Synod adds to them (DESIGN.md §3), checked on
 * a RawNode driven by hand.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../src/bytes.js';
import {
  decodeBatch,
  encodeBatch,
  encodeSkip,
  isNoop,
  NOOP,
  skipThrough,
  type Command,
} from '../src/command.js';
import { InvalidSkipError } from '../src/errors.js';
import { MemoryStorage } from '../src/memory-storage.js';
import type { ProtocolOptions } from '../src/options.js';
import { RawNode } from '../src/raw-node.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

function node(
  id: string,
  members: string[],
  window = 4,
  options: Partial<ProtocolOptions> = {},
  skips = true,
) {
  const storage = new MemoryStorage();
  storage.applySync({
    snapshot: SimCluster.initialSnapshot(
      { replicas: members, leaders: members, acceptors: members },
      window,
      skips,
    ),
  });
  const sm = new KvStateMachine();
  const n = new RawNode({ id, stateMachine: sm, random: () => 0.5, options });
  n.load(storage.loadSync());
  const rd = n.ready();
  storage.applySync(rd.persist!);
  n.advance();
  return { n, sm, storage };
}

const put = (client: string, seq: number, key: string, value: string): Command => ({
  kind: 'app',
  client,
  inc: 1,
  seq,
  ack: 0,
  op: encodeKv({ op: 'put', key, value }),
});

describe('PMMC §2 Fig. 1: the replica', () => {
  it('applies decisions in slot order, whatever order they arrive in', () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3']);
    n.step('p2', { type: 'decision', slot: 2, value: encodeBatch([put('c', 2, 'x', 'second')]) });
    expect(sm.get('x')).toBe('');
    expect(n.status().slotOut).toBe(1);
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([put('c', 1, 'x', 'first')]) });
    expect(n.status().slotOut).toBe(3);
    expect(sm.get('x')).toBe('second');
  });

  it('applies a command decided in two slots once (the client table, DESIGN.md §3 item 4)', () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3']);
    const c = put('c', 1, 'x', 'v');
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([c]) });
    n.step('p2', { type: 'decision', slot: 2, value: encodeBatch([c]) });
    expect(n.status().slotOut).toBe(3);
    expect(sm.log.length).toBe(1);
  });

  it("applies a client's commands in its order: one ahead of a missing predecessor is skipped", () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3']);
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([put('c', 2, 'x', 'two')]) });
    n.step('p2', { type: 'decision', slot: 2, value: encodeBatch([put('c', 1, 'x', 'one')]) });
    n.step('p2', { type: 'decision', slot: 3, value: encodeBatch([put('c', 2, 'x', 'two')]) });
    expect(sm.log.map((e) => e.slot)).toEqual([2, 3]);
    expect(sm.get('x')).toBe('two');
  });

  it('a decision naming a ballot applies the value this acceptor accepted there, recorded without writing it again', () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3']);
    const value = encodeBatch([put('c', 1, 'x', 'v')]);
    const ballot = { round: 1 << 12, leader: 'p2' };
    n.step('p2', { type: 'p2a', config: 0, ballot, slot: 1, value });
    n.step('p2', { type: 'decision', slot: 1, ballot });
    expect(sm.get('x')).toBe('v');
    const batch = n.ready().persist!;
    expect(batch.accepted?.map((pv) => pv.slot)).toEqual([1]);
    expect(batch.decidedAccepted).toEqual([1]);
    expect(batch.decisions).toBeUndefined();
  });

  it('does not apply a decision naming a ballot it holds no pvalue for: it asks the sender', () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3'], 4, { catchupDelayMs: 10 });
    const value = encodeBatch([put('c', 1, 'x', 'v')]);
    n.step('p2', {
      type: 'p2a',
      config: 0,
      ballot: { round: 1 << 12, leader: 'p2' },
      slot: 1,
      value,
    });
    // Chosen at a higher ballot than the pvalue this acceptor holds: the value may differ.
    n.step('p3', { type: 'decision', slot: 1, ballot: { round: 2 << 12, leader: 'p3' } });
    expect(n.status().slotOut).toBe(1);
    expect(sm.get('x')).toBe('');
    n.ready();
    n.advance();
    n.tick(1000);
    const asked = n.ready().messages.filter((e) => e.msg.type === 'catchupReq');
    expect(asked.map((e) => e.to)).toEqual(['p3']);
  });

  it('never installs a snapshot behind what it applied: the log does not go back', () => {
    // Catch-up drops a transfer once the replica has passed its snapshot (catchup.ts), and the
    // replica refuses one behind slotOut itself: installed, the snapshot would put the app's
    // state back and apply slots 1..2 a second time.
    const { n, sm } = node('p1', ['p1', 'p2', 'p3']);
    const initial = n.replica.snapshot!;
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([put('c', 1, 'x', 'one')]) });
    n.step('p2', { type: 'decision', slot: 2, value: encodeBatch([put('c', 2, 'y', 'two')]) });
    expect(n.status().slotOut).toBe(3);
    expect([...n.replica.install(initial, true)]).toEqual([]);
    expect(n.status().slotOut).toBe(3);
    expect([sm.get('x'), sm.get('y')]).toEqual(['one', 'two']);
  });

  it('keeps a decision above its snapshot that came in the same write (logRetention 0): a restart has it', () => {
    // Slot 2 completes the snapshot interval; slot 3 is decided in the same turn, after it. One
    // write holds the three decisions, the snapshot through 2, and "truncate below 3": slot 3
    // must stay.
    const { n, storage } = node('p1', ['p1', 'p2', 'p3'], 4, {
      snapshotInterval: 2,
      logRetention: 0,
    });
    for (const slot of [1, 2, 3])
      n.step('p2', {
        type: 'decision',
        slot,
        value: encodeBatch([put('c', slot, 'x', `${slot}`)]),
      });
    expect(n.status().slotOut).toBe(4);
    const rd = n.ready();
    expect(rd.persist?.snapshot?.slot).toBe(2);
    storage.applySync(rd.persist!);
    expect(storage.loadSync().decisions.map((d) => d.slot)).toEqual([3]);
    const again = new RawNode({ id: 'p1', stateMachine: new KvStateMachine(), random: () => 0.5 });
    again.load(storage.loadSync());
    expect(again.status().slotOut).toBe(4);
  });

  it('a no-op decides a slot and changes nothing', () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3']);
    n.step('p2', { type: 'decision', slot: 1, value: NOOP });
    expect(n.status().slotOut).toBe(2);
    expect(sm.data.size).toBe(0);
  });

  it('proposes its command again when another command was decided in its slot', () => {
    const { n } = node('p1', ['p1']);
    n.tick(1000);
    // A single-member log: p1 leads at once, after its probe and promise (messages to itself).
    for (let i = 0; i < 3; i++) {
      n.ready();
      n.advance();
    }
    expect(n.status().leader.active).toBe(true);
    n.propose(encodeKv({ op: 'put', key: 'k', value: 'mine' }));
    const rd = n.ready(); // assigns slot 1 and sends P2a to itself
    const mine = n.replica.proposals.get(1);
    expect(mine).toBeDefined();
    // Before our own acceptor answers, another leader's decision for slot 1 arrives.
    n.step('p9', {
      type: 'decision',
      slot: 1,
      value: encodeBatch([put('other', 1, 'k', 'theirs')]),
    });
    expect(n.replica.requests.map((c) => c.client)).toEqual(['p1']);
    void rd;
  });

  it('never assigns a slot beyond slotOut + WINDOW (PMMC §2.1)', () => {
    const { n } = node('p1', ['p1'], 4, { maxBatchCommands: 1 });
    n.tick(1000);
    for (let i = 0; i < 3; i++) {
      n.ready();
      n.advance();
    }
    for (let i = 0; i < 20; i++) n.propose(encodeKv({ op: 'put', key: `k${i}`, value: 'v' }));
    n.ready();
    // Nothing is decided yet (our own acceptor's votes wait for the write): slots 1..4 only.
    expect(n.status().slotOut).toBe(1);
    expect(n.status().slotIn).toBe(5);
    expect([...n.leaderState().instances.get(0)!.proposals.keys()]).toEqual([1, 2, 3, 4]);
    expect(n.status().queued).toBe(16);
  });

  it('a membership change decided at slot s governs from s + WINDOW (PMMC §2.1)', () => {
    const { n } = node('p1', ['p1', 'p2', 'p3'], 4);
    const change: Command = {
      kind: 'reconfig',
      client: 'c',
      inc: 1,
      seq: 1,
      ack: 0,
      expectedConfig: 0,
      membership: { replicas: ['p1', 'p2'], leaders: ['p1', 'p2'], acceptors: ['p1', 'p2'] },
    };
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([change]) });
    const c = n.status().config!;
    expect(c.id).toBe(1);
    expect(c.start).toBe(5);
    expect(n.replica.configs.at(4)?.id).toBe(0);
    expect(n.replica.configs.at(5)?.id).toBe(1);
  });

  it('refuses a second membership change while one is pending, the same way on every replica', () => {
    const { n } = node('p1', ['p1', 'p2', 'p3'], 4);
    const change = (seq: number, members: string[]): Command => ({
      kind: 'reconfig',
      client: 'c',
      inc: 1,
      seq,
      ack: 0,
      expectedConfig: seq - 1,
      membership: { replicas: members, leaders: members, acceptors: members },
    });
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([change(1, ['p1', 'p2'])]) });
    n.step('p2', { type: 'decision', slot: 2, value: encodeBatch([change(2, ['p1'])]) });
    expect(n.status().config?.id).toBe(1);
    expect(n.replica.clients.get('c')?.outcomes.get(2)).toMatchObject({
      ok: false,
      code: 'reconfig-pending',
    });
  });
});

describe('skips (docs/protocol.md, "A membership change on an idle log")', () => {
  it('a decided skip voids the slots it names, on every replica alike, in slot order', () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3'], 8);
    // Slot 3 is decided before the skip in slot 2 that voids it, slot 6 after: neither is applied.
    n.step('p2', { type: 'decision', slot: 3, value: encodeBatch([put('d', 1, 'y', 'void')]) });
    n.step('p2', { type: 'decision', slot: 2, value: encodeSkip(2, 6, 8) });
    expect(n.status().slotOut).toBe(1);
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([put('c', 1, 'x', 'one')]) });
    expect(n.status().slotOut).toBe(7);
    n.step('p2', { type: 'decision', slot: 6, value: encodeBatch([put('e', 1, 'y', 'void')]) });
    n.step('p2', { type: 'decision', slot: 7, value: encodeBatch([put('c', 2, 'x', 'seven')]) });
    expect(n.status().slotOut).toBe(8);
    expect(sm.get('x')).toBe('seven');
    expect(sm.get('y')).toBe('');
    expect(sm.log.length).toBe(2);
  });

  it("a skip voids its last slot too: this replica's commands in the slots it voids are proposed again", () => {
    const { n } = node('p1', ['p1'], 8);
    n.tick(1000);
    for (let i = 0; i < 3; i++) {
      n.ready();
      n.advance();
    }
    expect(n.status().leader.active).toBe(true);
    // Slots 1..3 are assigned, one command each; our own acceptor has not answered yet.
    for (const value of ['a', 'b', 'c']) {
      n.propose(encodeKv({ op: 'put', key: 'k', value }));
      n.ready();
    }
    expect([...n.replica.proposals.keys()]).toEqual([1, 2, 3]);
    // Another leader's skip in slot 1 through 3 is decided: none of ours took effect.
    n.step('p9', { type: 'decision', slot: 1, value: encodeSkip(1, 3, 8) });
    expect(n.status().slotOut).toBe(4);
    expect(n.replica.requests.map((c) => c.seq).sort()).toEqual([1, 2, 3]);
  });

  it('a skip outside slot < through < slot + WINDOW is refused when made, and a no-op when decided', () => {
    expect(() => encodeSkip(5, 5, 8)).toThrow(InvalidSkipError);
    expect(() => encodeSkip(5, 4, 8)).toThrow(InvalidSkipError);
    expect(() => encodeSkip(5, 13, 8)).toThrow(InvalidSkipError);
    expect(skipThrough(encodeSkip(5, 12, 8), 5, 8)).toBe(12);
    expect(skipThrough(NOOP, 5, 8)).toBeUndefined();
    expect(decodeBatch(encodeSkip(5, 12, 8))).toEqual([]);
    const tooFar = encodeSkip(1, 8, 8); // decided in slot 1, it is a skip through 8 = 1 + WINDOW
    try {
      skipThrough(tooFar, 0, 8);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid-skip' });
    }
    const { n, sm } = node('p1', ['p1', 'p2', 'p3'], 8);
    n.step('p2', { type: 'decision', slot: 1, value: encodeSkip(9, 15, 8) }); // 15 ≥ 1 + WINDOW
    expect(n.status().slotOut).toBe(2);
    n.step('p2', { type: 'decision', slot: 2, value: encodeBatch([put('c', 1, 'x', 'two')]) });
    expect(n.status().slotOut).toBe(3);
    expect(sm.get('x')).toBe('two');
  });

  it('a log created before skips takes one for a no-op, as its older replicas do', () => {
    const { n, sm } = node('p1', ['p1', 'p2', 'p3'], 8, {}, false);
    expect(n.replica.skips).toBe(false);
    n.step('p2', { type: 'decision', slot: 1, value: encodeSkip(1, 5, 8) });
    expect(n.status().slotOut).toBe(2);
    n.step('p2', { type: 'decision', slot: 2, value: encodeBatch([put('c', 1, 'x', 'two')]) });
    expect(sm.get('x')).toBe('two');
    // Its snapshots stay in the format every release reads.
    n.replica.takeSnapshot();
    expect(n.replica.snapshot!.data[0]).toBe(1);
  });

  it("a skip never reaches into the next configuration's slots: decided so, it is a no-op", () => {
    const { n } = node('p1', ['p1', 'p2', 'p3'], 4);
    const change: Command = {
      kind: 'reconfig',
      client: 'c',
      inc: 1,
      seq: 1,
      ack: 0,
      expectedConfig: 0,
      membership: { replicas: ['p1', 'p2'], leaders: ['p1', 'p2'], acceptors: ['p1', 'p2'] },
    };
    n.step('p2', { type: 'decision', slot: 1, value: encodeBatch([change]) });
    // Configuration 1 governs from 5: a skip in 2 may void 3..4, not 5.
    n.step('p2', { type: 'decision', slot: 2, value: encodeSkip(2, 5, 4) });
    expect(n.status().slotOut).toBe(3);
    n.step('p2', { type: 'decision', slot: 3, value: encodeSkip(3, 4, 4) });
    expect(n.status().slotOut).toBe(5);
  });
});

describe('batches', () => {
  it('round-trip through the codec', () => {
    const cmds: Command[] = [
      put('a', 1, 'x', 'y'),
      {
        kind: 'reconfig',
        client: 'ü',
        inc: 2,
        seq: 3,
        ack: 2,
        expectedConfig: 7,
        membership: { replicas: ['a'], leaders: ['a'], acceptors: ['a', 'b'] },
      },
    ];
    expect(decodeBatch(encodeBatch(cmds))).toEqual(cmds);
    expect(decodeBatch(NOOP)).toEqual([]);
  });

  it('name each client once per batch, and still read batches of format 1 (logs of earlier releases)', () => {
    const id = '12D3KooWMXQdHcNbg95Dn9oAwFgLRG1gvqxTxJnsvyWZrnwkSQfz';
    const cmds = Array.from({ length: 100 }, (_, i) => put(id, i + 1, 'k', 'v'));
    const encoded = encodeBatch(cmds);
    const text = new TextDecoder('latin1').decode(encoded);
    expect(text.split(id).length - 1).toBe(1);
    expect(decodeBatch(encoded)).toEqual(cmds);
    // Format 1: the client and incarnation in every command.
    const w = new ByteWriter();
    w.byte(1).uint(1).byte(1).string('a').uint(1).uint(7).uint(6).bytes(Uint8Array.of(9));
    expect(decodeBatch(w.finish())).toEqual([
      { kind: 'app', client: 'a', inc: 1, seq: 7, ack: 6, op: Uint8Array.of(9) },
    ]);
    expect(isNoop(Uint8Array.of(1, 0))).toBe(true);
    expect(isNoop(NOOP)).toBe(true);
  });

  it('reject malformed bytes with a DecodeError', () => {
    const good = encodeBatch([put('a', 1, 'x', 'y')]);
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.of(9, 0),
      good.subarray(0, good.length - 1),
      Uint8Array.of(...good, 0),
    ]) {
      expect(() => decodeBatch(bad)).toThrow(expect.objectContaining({ code: 'decode-error' }));
    }
  });
});

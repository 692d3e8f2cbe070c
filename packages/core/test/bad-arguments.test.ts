/**
 * Bad input gets a clear, typed error and changes nothing: every public call of SynodNode,
 * startNode and initLog given a value of the wrong type or out of range fails with a SynodError
 * that has a code, proposes nothing, and leaves the node working. Before these checks,
 * `propose(null)` threw inside every later turn (the node stopped working), `propose('abc')`
 * took a slot, a NaN or negative timeout rejected at once after the command had been proposed,
 * roles of `{ replica: 'yes' }` added a peer, and `initLog(storage, '')` made a log of ''.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  initLog,
  MemoryNetwork,
  MemoryStorage,
  membership,
  startNode,
  SynodError,
  type Configuration,
  type NodeOptions,
  type SynodNode,
} from '../src/index.js';
import { encodeKv, KvStateMachine } from '../src/testing/kv-state-machine.js';

type KvNode = SynodNode<KvStateMachine>;
const running: KvNode[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

async function oneNode(extra: Partial<NodeOptions<KvStateMachine>> = {}): Promise<KvNode> {
  const storage = new MemoryStorage();
  await initLog(storage, 'a', new KvStateMachine());
  const node = await startNode({
    id: 'a',
    storage,
    transport: new MemoryNetwork().connect('a'),
    stateMachine: new KvStateMachine(),
    ...extra,
  });
  running.push(node);
  return node;
}

const cmd = (id: string) => encodeKv({ op: 'put', key: 'k', value: id, id });

/** The error `p` rejects with (or throws), failing the test if it resolves. */
async function refusal(p: () => unknown): Promise<SynodError> {
  let result: unknown;
  try {
    result = await p();
  } catch (e) {
    expect(e).toBeInstanceOf(SynodError);
    return e as SynodError;
  }
  throw new Error(`accepted: resolved with ${String(result)}`);
}

/** The commands applied so far (their ids) and the configuration. */
function state(node: KvNode): { applied: (string | undefined)[]; config: Configuration | null } {
  return { applied: node.stateMachine.log.map((e) => e.id), config: node.status().config };
}

/** After the refusals, a good command still goes through, and is the only one applied. */
async function stillWorks(node: KvNode, before: ReturnType<typeof state>): Promise<void> {
  await node.propose(cmd('after'));
  expect(state(node)).toEqual({ applied: [...before.applied, 'after'], config: before.config });
  expect(node.status().failure).toBeNull();
}

// Cast once: these are the calls a JavaScript app (or a value from JSON) can make.
type Loose = Record<string, (...args: unknown[]) => unknown>;
const loose = (node: KvNode) => node as unknown as Loose;

describe('bad arguments to SynodNode', () => {
  it('propose: a command that is no Uint8Array is refused, and nothing is proposed', async () => {
    const node = await oneNode();
    await node.propose(cmd('first'));
    const before = state(node);
    for (const op of [
      null,
      undefined,
      'abc',
      [1, 2],
      5,
      {},
      new Uint16Array(2),
      new DataView(new ArrayBuffer(2)),
    ]) {
      const err = await refusal(() => loose(node).propose!(op));
      expect(err.code, Object.prototype.toString.call(op)).toBe('invalid-argument');
    }
    // A Buffer is a Uint8Array.
    await node.propose(Buffer.from(cmd('buffer')));
    before.applied.push('buffer');
    await stillWorks(node, before);
  });

  it('propose: bad options (timeoutMs NaN, negative or a string, a signal that is none) are refused before anything is proposed', async () => {
    const node = await oneNode();
    const before = state(node);
    for (const options of [
      null,
      5,
      { timeoutMs: NaN },
      { timeoutMs: -1 },
      { timeoutMs: '5' },
      { signal: 'x' },
      { signal: {} },
    ]) {
      const err = await refusal(() => loose(node).propose!(cmd('bad'), options));
      expect(err.code, JSON.stringify(options)).toBe('invalid-argument');
      expect(err.message).toMatch(/options|timeoutMs|signal/);
    }
    await stillWorks(node, before);
  });

  it('propose with a signal aborted already is refused (StoppedError) and proposes nothing', async () => {
    const node = await oneNode();
    const before = state(node);
    const err = await refusal(() => node.propose(cmd('aborted'), { signal: AbortSignal.abort() }));
    expect(err.code).toBe('stopped');
    await stillWorks(node, before);
  });

  it('a timeout of Infinity, or past setTimeout range, waits as long as it takes (it timed out at once)', async () => {
    const net = new MemoryNetwork();
    const a = await oneNode({ transport: net.connect('a') });
    const storage = new MemoryStorage();
    const b = await startNode({
      id: 'b',
      storage,
      transport: net.connect('b'),
      stateMachine: new KvStateMachine(),
    });
    running.push(b);
    await a.addPeer('b');
    // Two acceptors, one cut off: nothing can be decided.
    net.isolate('b');
    const outcomes: string[] = [];
    for (const timeoutMs of [Infinity, 2 ** 40]) {
      a.propose(cmd(`wait ${timeoutMs}`), { timeoutMs }).then(
        () => outcomes.push(`${timeoutMs} resolved`),
        (e: SynodError) => outcomes.push(`${timeoutMs} ${e.code}`),
      );
    }
    // A short timeout fires meanwhile; the two above are still waiting then.
    await expect(a.propose(cmd('short'), { timeoutMs: 30 })).rejects.toMatchObject({
      code: 'timeout',
    });
    expect(outcomes).toEqual([]);
    await a.stop();
    await b.stop();
    expect(outcomes.sort()).toEqual(['1099511627776 stopped', 'Infinity stopped']);
  });

  it('a membership change with a timeout of Infinity or 2^40 ms waits for the new configuration (it timed out at once)', async () => {
    const node = await oneNode();
    const learner = { replica: true, leader: false, acceptor: false };
    await node.addPeer('b', learner, { timeoutMs: Infinity });
    await node.addPeer('c', learner, { timeoutMs: 2 ** 40 });
    expect(node.status().config?.replicas).toEqual(['a', 'b', 'c']);
  });

  it('read: a query that is no function, bad options or an aborted signal are refused', async () => {
    const node = await oneNode();
    const before = state(node);
    for (const args of [
      [],
      ['x'],
      [() => 1, null],
      [() => 1, { timeoutMs: NaN }],
      [() => 1, { timeoutMs: -1 }],
      [() => 1, { signal: 'x' }],
      [() => 1, { local: 'yes' }],
    ]) {
      const err = await refusal(() => loose(node).read!(...args));
      expect(err.code, JSON.stringify(args)).toBe('invalid-argument');
    }
    const err = await refusal(() => node.read(() => 1, { signal: AbortSignal.abort() }));
    expect(err.code).toBe('stopped');
    expect(await node.read(() => 'ok', { timeoutMs: Infinity })).toBe('ok');
    await stillWorks(node, before);
  });

  it('subscribe and watchStatus: a listener that is no function is refused at once', async () => {
    const node = await oneNode();
    for (const method of ['subscribe', 'watchStatus']) {
      expect(() => loose(node)[method]!('x')).toThrow(
        expect.objectContaining({ code: 'invalid-argument' }),
      );
    }
  });

  it('membership calls: bad peer ids, roles and options are refused before anything is proposed', async () => {
    const node = await oneNode();
    const before = state(node);
    const roles = { replica: true, leader: false, acceptor: false };
    const calls: [string, unknown[]][] = [
      ['addPeer', ['']],
      ['addPeer', [5]],
      ['addPeer', [null]],
      ['addPeer', ['x'.repeat(257)]],
      ['addPeer', ['b', 'all']],
      ['addPeer', ['b', { replica: 'yes', leader: 1, acceptor: 0 }]],
      ['addPeer', ['b', roles, { timeoutMs: NaN }]],
      ['addPeer', ['b', roles, { timeoutMs: -1 }]],
      ['addPeer', ['b', roles, { signal: 5 }]],
      ['removePeer', [5]],
      ['removePeer', ['a', { timeoutMs: '1' }]],
      ['replacePeer', ['a', 5]],
      ['replacePeer', [undefined, 'b']],
      ['setRoles', ['a', null]],
      ['setRoles', ['a', 'x']],
      ['setRoles', ['a', { replica: true, leader: true }]],
      ['transferLeadership', [5]],
      ['transferLeadership', ['a', { timeoutMs: NaN }]],
      ['awaitHandover', [{ timeoutMs: -1 }]],
      ['awaitHandover', [null]],
    ];
    for (const [method, args] of calls) {
      const err = await refusal(() => loose(node)[method]!(...args));
      expect(err.code, `${method} ${JSON.stringify(args)}`).toBe('invalid-argument');
    }
    const err = await refusal(() => node.addPeer('b', roles, { signal: AbortSignal.abort() }));
    expect(err.code).toBe('stopped');
    // The pure membership helpers check roles too.
    expect(() => membership.addPeer(before.config!, 'b', { replica: 'yes' } as never)).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    await stillWorks(node, before);
    // A good change still goes through afterwards.
    await node.addPeer('b', roles);
    expect(node.status().config?.replicas).toEqual(['a', 'b']);
  });

  it('a transport that names its peer ids (isPeerId) gets no other id into the membership', async () => {
    const net = new MemoryNetwork();
    const t = net.connect('peer-a');
    const node = await oneNode({
      id: 'peer-a',
      transport: Object.assign(t, { isPeerId: (id: string) => id.startsWith('peer-') }),
      storage: await (async () => {
        const s = new MemoryStorage();
        await initLog(s, 'peer-a', new KvStateMachine());
        return s;
      })(),
    });
    const before = state(node);
    for (const call of [
      () => node.addPeer('garbage'),
      () => node.replacePeer('peer-a', 'garbage'),
    ]) {
      const err = await refusal(call);
      expect(err.code).toBe('invalid-argument');
      expect(err.message).toMatch(/"garbage" is not a peer id the transport can reach/);
    }
    await stillWorks(node, before);
  });
});

describe('bad arguments to startNode and initLog', () => {
  it('startNode refuses bad options with invalid-config before it loads the store or starts the transport', async () => {
    for (const bad of [
      { operationTimeoutMs: NaN },
      { operationTimeoutMs: '5' },
      { operationTimeoutMs: -1 },
      { maxWritesInFlight: 0 },
      { stateMachine: {} },
      { clock: 'x' },
      { protocol: 5 },
      { id: '' },
    ]) {
      const storage = new MemoryStorage();
      await initLog(storage, 'a', new KvStateMachine());
      let loaded = false;
      const load = storage.load.bind(storage);
      storage.load = () => {
        loaded = true;
        return load();
      };
      const transport = new MemoryNetwork().connect('a');
      let started = false;
      const start = transport.start.bind(transport);
      transport.start = (h) => {
        started = true;
        return start(h);
      };
      const opts = { id: 'a', storage, transport, stateMachine: new KvStateMachine(), ...bad };
      const err = await refusal(() => startNode(opts as NodeOptions<KvStateMachine>));
      expect(err.code, JSON.stringify(bad)).toBe('invalid-config');
      expect([loaded, started]).toEqual([false, false]);
    }
    const err = await refusal(() => startNode(null as never));
    expect(err.code).toBe('invalid-config');
  });

  it('initLog refuses a bad id, store, state machine or protocol, and writes nothing', async () => {
    for (const [id, sm, protocol] of [
      ['', new KvStateMachine(), {}],
      [5, new KvStateMachine(), {}],
      ['x'.repeat(257), new KvStateMachine(), {}],
      ['a', null, {}],
      ['a', new KvStateMachine(), null],
    ] as const) {
      const storage = new MemoryStorage();
      const err = await refusal(() =>
        initLog(storage, id as never, sm as never, protocol as never),
      );
      expect(err.code, String(id)).toBe('invalid-argument');
      expect((await storage.load()).snapshot).toBeNull();
    }
    const err = await refusal(() => initLog(null as never, 'a', new KvStateMachine()));
    expect(err.code).toBe('invalid-argument');
  });
});

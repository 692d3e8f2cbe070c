/**
 * The conformance suite every Storage implementation must pass (in the manner of libp2p's
 * interface-compliance-tests and openraft's storage test suite). It is runner-agnostic: it
 * returns named cases that throw on failure, so any test runner can run them:
 *
 *   for (const c of storageConformanceCases(factory)) it(c.name, c.run);
 *
 * It checks the semantics StorageBatch documents (and MemoryStorage implements): round trips
 * of every field, ordering, the promise that never goes backwards, the watermark, compaction,
 * snapshot replacement (large ones too), meta, reopen, and failure after close; then random
 * batches against MemoryStorage as the reference model, across reopens.
 */
import type { Ballot } from '../ballot.js';
import { SynodError } from '../errors.js';
import { MemoryStorage } from '../memory-storage.js';
import type { Decided, PValue } from '../messages.js';
import type { PersistentState, Snapshot, Storage, StorageBatch } from '../storage.js';

export interface StorageFactory {
  /** A new, empty store. */
  create(): Promise<Storage>;
  /** Close `storage` and open the same store again, as a restarted peer would. */
  reopen(storage: Storage): Promise<Storage>;
  /**
   * A new, empty store and a batch it will fail to write (one past a size quota, say), for the
   * cases of a write failing while others are in flight. `reopen` then opens the store as a
   * restarted peer would once the cause is gone.
   */
  createFailing(): Promise<{ storage: Storage; failingBatch: StorageBatch }>;
  /** Called by the runner after the cases, if it wishes (remove temporary files...). */
  cleanup?(): Promise<void> | void;
}

export interface ConformanceOptions {
  /** Size of the large-snapshot case. Default 20 MB. */
  largeSnapshotBytes?: number;
  /** Batches in the random case. Default 400. */
  randomSteps?: number;
  /** Seed of the random case. */
  seed?: number;
}

export interface ConformanceCase {
  readonly name: string;
  run(): Promise<void>;
}

/** Thrown when a store does not conform. */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new ConformanceError(message);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function showBallot(b: Ballot): string {
  return `(${b.round},${JSON.stringify(b.leader)})`;
}

function showBytes(u: Uint8Array): string {
  const head = [...u.subarray(0, 8)].join(',');
  return `[${u.length}B ${head}${u.length > 8 ? ',...' : ''}]`;
}

/** Throws a ConformanceError naming the first difference between two states. */
export function assertSameState(
  actual: PersistentState,
  expected: PersistentState,
  where = '',
): void {
  const at = where === '' ? '' : ` (${where})`;
  check(
    actual.incarnation === expected.incarnation,
    `incarnation: got ${actual.incarnation}, want ${expected.incarnation}${at}`,
  );
  check(
    actual.watermark === expected.watermark,
    `watermark: got ${actual.watermark}, want ${expected.watermark}${at}`,
  );
  check(
    (actual.seq ?? 0) === (expected.seq ?? 0),
    `seq: got ${actual.seq ?? 0}, want ${expected.seq ?? 0}${at}`,
  );
  check(
    actual.amnesia === expected.amnesia,
    `amnesia: got ${JSON.stringify(actual.amnesia)}, want ${JSON.stringify(expected.amnesia)}${at}`,
  );
  const stores = (s: PersistentState) =>
    [...(s.peerStores ?? [])]
      .sort((x, y) => (x.peer < y.peer ? -1 : x.peer > y.peer ? 1 : 0))
      .map((p) => `${p.peer}:${p.run}:${p.start}:${p.seq}`)
      .join(' ');
  check(
    stores(actual) === stores(expected),
    `peerStores: got [${stores(actual)}], want [${stores(expected)}]${at}`,
  );
  const promises = (s: PersistentState) =>
    s.promises.map((p) => `${p.config}:${showBallot(p.ballot)}`).join(' ');
  check(
    promises(actual) === promises(expected),
    `promises: got [${promises(actual)}], want [${promises(expected)}]${at}`,
  );
  const pvs = (s: PersistentState) =>
    s.accepted
      .map((p) => `${p.slot}:${p.config}:${showBallot(p.ballot)}:${showBytes(p.value)}`)
      .join(' ');
  check(
    pvs(actual) === pvs(expected),
    `accepted: got [${pvs(actual)}], want [${pvs(expected)}]${at}`,
  );
  for (let i = 0; i < actual.accepted.length; i++) {
    check(
      sameBytes(actual.accepted[i]!.value, expected.accepted[i]!.value),
      `accepted value of slot ${actual.accepted[i]!.slot} differs${at}`,
    );
  }
  const ds = (s: PersistentState) =>
    s.decisions.map((d) => `${d.slot}:${showBytes(d.value)}`).join(' ');
  check(ds(actual) === ds(expected), `decisions: got [${ds(actual)}], want [${ds(expected)}]${at}`);
  for (let i = 0; i < actual.decisions.length; i++) {
    check(
      sameBytes(actual.decisions[i]!.value, expected.decisions[i]!.value),
      `decision of slot ${actual.decisions[i]!.slot} differs${at}`,
    );
  }
  const a = actual.snapshot;
  const e = expected.snapshot;
  if (a === null || e === null) {
    check(
      a === e,
      `snapshot: got ${a === null ? 'none' : `slot ${a.slot}`}, want ${e === null ? 'none' : `slot ${e.slot}`}${at}`,
    );
    return;
  }
  check(a.slot === e.slot, `snapshot slot: got ${a.slot}, want ${e.slot}${at}`);
  check(
    sameBytes(a.data, e.data),
    `snapshot data: got ${showBytes(a.data)}, want ${showBytes(e.data)}${at}`,
  );
}

const EMPTY: PersistentState = {
  incarnation: 0,
  promises: [],
  accepted: [],
  watermark: 0,
  snapshot: null,
  decisions: [],
};

/** A small deterministic generator (xorshift32), so a failing random case replays. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function bytes(n: number, seed: number): Uint8Array {
  const next = rng(seed);
  const out = new Uint8Array(n);
  const words = new Uint32Array(out.buffer, 0, n >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < n; i++) out[i] = next() & 0xff;
  return out;
}

const b = (round: number, leader: string): Ballot => ({ round, leader });
const pv = (slot: number, round: number, leader = 'a', config = 0, value?: Uint8Array): PValue => ({
  config,
  ballot: b(round, leader),
  slot,
  value: value ?? bytes(8 + (slot % 5), slot * 31 + round),
});
const dec = (slot: number, tag = 0): Decided => ({
  slot,
  value: bytes(4 + (slot % 3), slot * 7 + tag),
});

/**
 * A source of random batches over a few slots, configurations and leaders (so that upserts,
 * the watermark, compaction and promise ordering all collide), drawn from `next`.
 */
function randomBatches(next: () => number): (step: number) => StorageBatch {
  const int = (n: number) => next() % n;
  const leaders = ['a', 'b', 'c'];
  let watermark = 0;
  /** Slots with a pvalue at or above the watermark: what decidedAccepted may name. */
  const accepted = new Set<number>();
  return (step) => {
    const batch: StorageBatch = {};
    if (int(10) === 0) batch.incarnation = step;
    batch.seq = step + 1;
    if (int(8) === 0) {
      batch.peerStores = [
        { peer: leaders[int(3)]!, run: int(5), start: step, seq: step + int(10) },
      ];
    }
    if (int(3) === 0) {
      batch.promises = Array.from({ length: 1 + int(2) }, () => ({
        config: int(4),
        ballot: b(1 + int(6), leaders[int(3)]!),
      }));
    }
    if (int(2) === 0) {
      const slots = new Set(Array.from({ length: 1 + int(5) }, () => watermark + int(30) - 5));
      batch.accepted = [...slots]
        .filter((x) => x >= 0)
        .map((slot) => pv(slot, 1 + int(6), leaders[int(3)], int(4), bytes(int(40), next())));
      for (const p of batch.accepted) if (p.slot >= watermark) accepted.add(p.slot);
    }
    if (int(2) === 0) {
      batch.decisions = Array.from({ length: 1 + int(4) }, () => dec(int(60), int(3)));
    }
    if (accepted.size > 0 && int(2) === 0) {
      // Only slots with a pvalue, as the core asks (decided, compacted or not).
      const held = [...accepted];
      batch.decidedAccepted = Array.from({ length: 1 + int(3) }, () => held[int(held.length)]!);
    }
    if (int(12) === 0) batch.snapshot = { slot: int(60), data: bytes(int(3000), next()) };
    if (int(10) === 0) batch.truncateDecisionsBelow = int(60);
    if (int(8) === 0) {
      batch.watermark = watermark = watermark + int(6);
      for (const slot of accepted) if (slot < watermark) accepted.delete(slot);
    }
    if (int(15) === 0) batch.dropPromisesBelow = int(4);
    return batch;
  };
}

/**
 * The model: what a store must hold after `batches`, computed by MemoryStorage, whose
 * semantics are the reference.
 */
function model(batches: readonly StorageBatch[]): PersistentState {
  const m = new MemoryStorage();
  for (const batch of batches) m.applySync(batch);
  return m.loadSync();
}

export function storageConformanceCases(
  factory: StorageFactory,
  options: ConformanceOptions = {},
): ConformanceCase[] {
  const large = options.largeSnapshotBytes ?? 20 * 1024 * 1024;
  const steps = options.randomSteps ?? 400;
  const seed = options.seed ?? 0x5eed;

  /** Run `f` on a new store; the store it returns (after reopens) is closed afterwards. */
  const withStore =
    (f: (s: Storage) => Promise<Storage>): (() => Promise<void>) =>
    async () => {
      let s = await factory.create();
      let closed = false;
      try {
        s = await f(s);
        await s.close();
        closed = true;
      } finally {
        if (!closed) await s.close().catch(() => undefined);
      }
    };

  /** Write `batches`, then check the state, before and after a reopen. */
  const expectAfter = (batches: StorageBatch[], expected?: PersistentState) =>
    withStore(async (s) => {
      for (const batch of batches) await s.write(batch);
      const want = expected ?? model(batches);
      assertSameState(await s.load(), want, 'before reopen');
      const r = await factory.reopen(s);
      assertSameState(await r.load(), want, 'after reopen');
      return r;
    });

  const cases: ConformanceCase[] = [
    {
      name: 'a new store is empty',
      run: withStore(async (s) => {
        assertSameState(await s.load(), EMPTY);
        check((await s.getMeta('anything')) === undefined, 'a new store has no meta values');
        return s;
      }),
    },
    {
      name: 'the incarnation round-trips and is overwritten',
      run: expectAfter([{ incarnation: 1 }, { incarnation: 2 }, { incarnation: 7 }], {
        ...EMPTY,
        incarnation: 7,
      }),
    },
    {
      name: 'the batch number, the rolled-back mark and what is known of other stores round-trip',
      run: expectAfter(
        [
          { seq: 1, peerStores: [{ peer: 'b', run: 7, start: 3, seq: 9 }] },
          {
            seq: 2,
            amnesia: 'first reason',
            peerStores: [
              { peer: 'b', run: 8, start: 10, seq: 12 },
              { peer: 'a', run: 2 ** 32 - 1, start: 0, seq: Number.MAX_SAFE_INTEGER },
            ],
          },
          // The first reason stays: a store found rolled back stays so.
          { seq: 3, amnesia: 'second reason' },
        ],
        {
          ...EMPTY,
          seq: 3,
          amnesia: 'first reason',
          peerStores: [
            { peer: 'a', run: 2 ** 32 - 1, start: 0, seq: Number.MAX_SAFE_INTEGER },
            { peer: 'b', run: 8, start: 10, seq: 12 },
          ],
        },
      ),
    },
    {
      name: 'promises are kept per configuration, in configuration order',
      run: expectAfter(
        [
          { promises: [{ config: 2, ballot: b(1, 'a') }] },
          {
            promises: [
              { config: 0, ballot: b(3, 'b') },
              { config: 1, ballot: b(2, 'c') },
            ],
          },
          { promises: [{ config: 2, ballot: b(4, 'a') }] },
        ],
        {
          ...EMPTY,
          promises: [
            { config: 0, ballot: b(3, 'b') },
            { config: 1, ballot: b(2, 'c') },
            { config: 2, ballot: b(4, 'a') },
          ],
        },
      ),
    },
    {
      name: 'a promise never goes backwards (rounds, then leader ids)',
      run: expectAfter(
        [
          { promises: [{ config: 0, ballot: b(5, 'b') }] },
          { promises: [{ config: 0, ballot: b(4, 'z') }] },
          { promises: [{ config: 0, ballot: b(5, 'a') }] },
          { promises: [{ config: 0, ballot: b(5, 'b') }] },
          { promises: [{ config: 1, ballot: b(2, 'a') }] },
          { promises: [{ config: 1, ballot: b(2, 'ab') }] },
          { promises: [{ config: 1, ballot: b(1, 'zz') }] },
        ],
        {
          ...EMPTY,
          promises: [
            { config: 0, ballot: b(5, 'b') },
            { config: 1, ballot: b(2, 'ab') },
          ],
        },
      ),
    },
    {
      name: 'accepted pvalues are upserted per slot and come back in slot order',
      run: expectAfter([
        { accepted: [pv(9, 1), pv(3, 1), pv(5, 1, 'a', 1)] },
        { accepted: [pv(1, 2)] },
        { accepted: [pv(3, 2, 'b')] },
      ]),
    },
    {
      name: 'the watermark only rises, and drops the pvalues below it',
      run: expectAfter(
        [
          { accepted: [pv(1, 1), pv(2, 1), pv(3, 1), pv(4, 1), pv(6, 1)] },
          { watermark: 4 },
          { watermark: 2 },
        ],
        {
          ...EMPTY,
          watermark: 4,
          accepted: [pv(4, 1), pv(6, 1)],
        },
      ),
    },
    {
      name: 'pvalues below the watermark are ignored',
      run: expectAfter(
        [
          { watermark: 10 },
          { accepted: [pv(9, 1), pv(10, 1)] },
          { accepted: [pv(3, 1)], watermark: 10 },
        ],
        { ...EMPTY, watermark: 10, accepted: [pv(10, 1)] },
      ),
    },
    {
      name: 'a batch raising the watermark drops its own pvalues below it',
      run: expectAfter([{ accepted: [pv(12, 1), pv(14, 1)], watermark: 13 }], {
        ...EMPTY,
        watermark: 13,
        accepted: [pv(14, 1)],
      }),
    },
    {
      name: 'decisions come back in slot order, and a decided slot never changes',
      run: expectAfter(
        [
          { decisions: [dec(4), dec(2)] },
          { decisions: [dec(3), dec(1)] },
          { decisions: [dec(2, 99), dec(5)] },
        ],
        { ...EMPTY, decisions: [dec(1), dec(2), dec(3), dec(4), dec(5)] },
      ),
    },
    {
      name: "decidedAccepted decides a slot with its accepted value (this batch's or an earlier one's), never changing a decided slot",
      run: expectAfter(
        [
          { accepted: [pv(1, 1), pv(2, 1)] },
          // Slot 3's pvalue comes in the same batch; slot 2 is already decided: it stays.
          { decisions: [dec(2)], accepted: [pv(3, 1)], decidedAccepted: [1, 2, 3] },
          { accepted: [pv(1, 2, 'b')], decidedAccepted: [1] },
        ],
        {
          ...EMPTY,
          accepted: [pv(1, 2, 'b'), pv(2, 1), pv(3, 1)],
          decisions: [
            { slot: 1, value: pv(1, 1).value },
            dec(2),
            { slot: 3, value: pv(3, 1).value },
          ],
        },
      ),
    },
    {
      name: 'truncateDecisionsBelow compacts the log (after the batch inserts)',
      run: expectAfter(
        [
          { decisions: [dec(1), dec(2), dec(3), dec(4)] },
          { truncateDecisionsBelow: 3 },
          { decisions: [dec(1), dec(5)], truncateDecisionsBelow: 2 },
        ],
        { ...EMPTY, decisions: [dec(3), dec(4), dec(5)] },
      ),
    },
    {
      name: 'a snapshot replaces an older or equal one, never a newer one',
      run: expectAfter(
        [
          { snapshot: { slot: 10, data: bytes(100, 1) } },
          { snapshot: { slot: 20, data: bytes(50, 2) } },
          { snapshot: { slot: 20, data: bytes(60, 4) } },
          { snapshot: { slot: 15, data: bytes(70, 3) } },
        ],
        { ...EMPTY, snapshot: { slot: 20, data: bytes(60, 4) } },
      ),
    },
    {
      name: 'an empty snapshot round-trips',
      run: expectAfter([{ snapshot: { slot: 0, data: new Uint8Array(0) } }]),
    },
    {
      name: `a large snapshot (${(large / 1048576).toFixed(1)} MiB) round-trips byte for byte, and a smaller one replaces it`,
      run: withStore(async (s) => {
        const big: Snapshot = { slot: 1000, data: bytes(large, 42) };
        await s.write({ snapshot: big, decisions: [dec(1001)] });
        let got = (await s.load()).snapshot;
        check(got !== null && got.slot === 1000, 'the large snapshot is there');
        check(sameBytes(got.data, big.data), 'the large snapshot comes back byte for byte');
        const r = await factory.reopen(s);
        got = (await r.load()).snapshot;
        check(got !== null && sameBytes(got.data, big.data), 'the large snapshot survives reopen');
        const small: Snapshot = { slot: 2000, data: bytes(1000, 43) };
        await r.write({ snapshot: small });
        const r2 = await factory.reopen(r);
        assertSameState(await r2.load(), { ...EMPTY, snapshot: small, decisions: [dec(1001)] });
        return r2;
      }),
    },
    {
      name: 'dropPromisesBelow forgets the promises of old configurations',
      run: expectAfter(
        [
          {
            promises: [
              { config: 0, ballot: b(1, 'a') },
              { config: 1, ballot: b(1, 'a') },
              { config: 2, ballot: b(1, 'a') },
            ],
          },
          { dropPromisesBelow: 2 },
          { dropPromisesBelow: 1 },
        ],
        { ...EMPTY, promises: [{ config: 2, ballot: b(1, 'a') }] },
      ),
    },
    {
      name: 'one batch applies its fields in the documented order',
      run: expectAfter(
        [
          { watermark: 2, accepted: [pv(5, 1)], decisions: [dec(1), dec(2)] },
          {
            incarnation: 3,
            promises: [
              { config: 0, ballot: b(2, 'a') },
              { config: 3, ballot: b(1, 'a') },
            ],
            // accepted before watermark: slot 3 is written, then dropped by the watermark.
            accepted: [pv(1, 2), pv(3, 2), pv(7, 2, 'a', 3)],
            // decisions before truncate: slot 2 is inserted, then truncated.
            decisions: [dec(3), dec(4)],
            snapshot: { slot: 3, data: bytes(30, 9) },
            truncateDecisionsBelow: 4,
            watermark: 4,
            // promises before drop: config 0's raised promise goes.
            dropPromisesBelow: 3,
          },
        ],
        {
          incarnation: 3,
          promises: [{ config: 3, ballot: b(1, 'a') }],
          accepted: [pv(5, 1), pv(7, 2, 'a', 3)],
          watermark: 4,
          snapshot: { slot: 3, data: bytes(30, 9) },
          decisions: [dec(4)],
        },
      ),
    },
    {
      name: 'an empty batch changes nothing',
      run: expectAfter([{ incarnation: 2, decisions: [dec(1)], accepted: [pv(1, 1)] }, {}]),
    },
    {
      name: 'values are binary-safe (every byte value, empty values)',
      run: expectAfter([
        {
          accepted: [
            pv(
              1,
              1,
              'a',
              0,
              Uint8Array.from({ length: 256 }, (_, i) => i),
            ),
          ],
          decisions: [{ slot: 1, value: new Uint8Array(0) }],
        },
        { accepted: [pv(2, 1, 'peer-\u00e9\u{1f600}', 0, new Uint8Array(0))] },
      ]),
    },
    {
      name: 'readDecisions reads the decisions from a slot in order (values and marked pvalues), bounded by count and bytes, after the writes before it',
      run: withStore(async (s) => {
        const big = bytes(300, 9);
        // Not awaited: a read runs after the writes issued before it.
        void s.write({ accepted: [pv(1, 1), pv(2, 1), pv(5, 1)], decidedAccepted: [1, 2] });
        void s.write({ decisions: [dec(3), { slot: 4, value: big }, dec(7)] });
        const show = (ds: Decided[]) => ds.map((d) => d.slot).join(',');
        const all = await s.readDecisions(1, 100, 1 << 20);
        check(show(all) === '1,2,3,4,7', `read from 1: ${show(all)}, expected 1,2,3,4,7`);
        check(sameBytes(all[0]!.value, pv(1, 1).value), 'a marked slot reads its pvalue');
        check(sameBytes(all[3]!.value, big), 'a decision reads its value');
        check(show(await s.readDecisions(2, 2, 1 << 20)) === '2,3', 'at most max');
        const few = await s.readDecisions(3, 100, 100);
        check(show(few) === '3', `within maxBytes: ${show(few)}, expected 3`);
        check(show(await s.readDecisions(4, 100, 1)) === '4', 'the first one whatever its size');
        check((await s.readDecisions(8, 100, 1 << 20)).length === 0, 'beyond the last: none');
        await s.write({ truncateDecisionsBelow: 3 });
        const r = await factory.reopen(s);
        check(show(await r.readDecisions(0, 100, 1 << 20)) === '3,4,7', 'after compaction');
        return r;
      }),
    },
    {
      name: 'readAccepted reads the pvalues between two slots, at or above the watermark',
      run: withStore(async (s) => {
        void s.write({ accepted: [pv(1, 1), pv(2, 1), pv(3, 2, 'b'), pv(6, 1)] });
        void s.write({ accepted: [pv(2, 3)], watermark: 2 });
        const got = await s.readAccepted(0, 6);
        const show = got.map((x) => `${x.slot}@${x.ballot.round}${x.ballot.leader}`).join(',');
        check(show === '2@3a,3@2b', `read 0..5: ${show}, expected 2@3a,3@2b`);
        check(sameBytes(got[0]!.value, pv(2, 3).value), 'the pvalue read has its value');
        check((await s.readAccepted(7, 7)).length === 0, 'an empty range reads nothing');
        return s;
      }),
    },
    {
      name: 'a read with bad arguments rejects with invalid-read, and the store works on',
      run: withStore(async (s) => {
        await s.write({ decisions: [dec(1)] });
        const bad: [string, () => Promise<unknown>][] = [
          ['from -1', () => s.readDecisions(-1, 1, 1)],
          ['from 1.5', () => s.readDecisions(1.5, 1, 1)],
          ['from NaN', () => s.readDecisions(NaN, 1, 1)],
          ['max 0', () => s.readDecisions(1, 0, 1)],
          ['maxBytes -1', () => s.readDecisions(1, 1, -1)],
          ['to below from', () => s.readAccepted(5, 2)],
          ['to Infinity', () => s.readAccepted(0, Infinity)],
        ];
        for (const [what, read] of bad) {
          const err = await read().then(
            () => undefined,
            (e: unknown) => e,
          );
          check(
            err instanceof SynodError && err.code === 'invalid-read',
            `${what}: rejects with invalid-read (got ${String(err)})`,
          );
        }
        await s.write({ decisions: [dec(2)] });
        const d = await s.readDecisions(1, 10, 1 << 20);
        check(d.length === 2, 'the store still reads and writes');
        return s;
      }),
    },
    {
      name: 'meta values round-trip, are overwritten, and survive reopen',
      run: withStore(async (s) => {
        const key = bytes(32, 5);
        await s.setMeta('identity', key);
        await s.setMeta('name', new TextEncoder().encode('first'));
        await s.setMeta('name', new TextEncoder().encode('second'));
        await s.setMeta('empty', new Uint8Array(0));
        const r = await factory.reopen(s);
        const id = await r.getMeta('identity');
        check(id !== undefined && sameBytes(id, key), 'meta "identity" survives reopen');
        const name = await r.getMeta('name');
        check(
          name !== undefined && new TextDecoder().decode(name) === 'second',
          'meta "name" holds the last value set',
        );
        const empty = await r.getMeta('empty');
        check(empty !== undefined && empty.length === 0, 'an empty meta value is kept');
        check((await r.getMeta('missing')) === undefined, 'a missing meta key is undefined');
        return r;
      }),
    },
    {
      name: 'everything written survives close and reopen, repeatedly',
      run: withStore(async (s) => {
        const batches: StorageBatch[] = [];
        let cur = s;
        for (let i = 1; i <= 5; i++) {
          const batch: StorageBatch = {
            incarnation: i,
            promises: [{ config: 0, ballot: b(i, 'a') }],
            accepted: [pv(i * 10, i), pv(i * 10 + 1, i)],
            decisions: [dec(i * 10)],
            snapshot: { slot: i * 5, data: bytes(2000 * i, i) },
            truncateDecisionsBelow: i * 5,
          };
          batches.push(batch);
          await cur.write(batch);
          cur = await factory.reopen(cur);
          assertSameState(await cur.load(), model(batches), `after reopen ${i}`);
        }
        return cur;
      }),
    },
    {
      name: 'a write after close fails with StorageFailedError (code storage-failed)',
      run: async () => {
        const s = await factory.create();
        await s.write({ incarnation: 1 });
        await s.close();
        let err: unknown;
        try {
          await s.write({ incarnation: 2 });
        } catch (e) {
          err = e;
        }
        check(err !== undefined, 'write after close must reject');
        check(
          err instanceof SynodError && err.code === 'storage-failed',
          `write after close must reject with code storage-failed, got ${err instanceof Error ? err.message : typeof err}`,
        );
      },
    },
    {
      name: `random batches match the reference semantics across reopens (seed ${seed})`,
      run: withStore(async (s) => {
        const next = rng(seed);
        const int = (n: number) => next() % n;
        const random = randomBatches(next);
        const ref = new MemoryStorage();
        let cur = s;
        for (let step = 0; step < steps; step++) {
          const batch = random(step);
          ref.applySync(batch);
          await cur.write(batch);
          if (int(25) === 0) cur = await factory.reopen(cur);
          if (step % 10 === 0 || step === steps - 1) {
            assertSameState(await cur.load(), ref.loadSync(), `seed ${seed}, step ${step}`);
          }
        }
        return cur;
      }),
    },
    ...pipelinedCases(factory, { seed, withStore }),
  ];
  return cases;
}

/**
 * Writes issued while earlier ones are in flight (the runtime does not wait for one write to
 * complete before it issues the next): they complete in the order they were issued, each once
 * it is durable; what is issued behind them (a read, a meta value, close) runs after them; and
 * a failure is sticky and in order: the write that fails and every write behind it reject, and
 * after a restart the store holds exactly the writes that resolved. A store may commit writes
 * that wait together in one transaction, so a failure may take earlier writes of its group
 * with it: what resolved is always a prefix, and never includes the failing write.
 */
function pipelinedCases(
  factory: StorageFactory,
  o: { seed: number; withStore: (f: (s: Storage) => Promise<Storage>) => () => Promise<void> },
): ConformanceCase[] {
  /** Issue `writes` on `s`; returns the settled outcomes in the order they settled. */
  const issue = (s: Storage, batches: readonly StorageBatch[]) => {
    const settled: { index: number; error?: unknown }[] = [];
    const all = batches.map((batch, index) =>
      s.write(batch).then(
        () => void settled.push({ index }),
        (error: unknown) => void settled.push({ index, error }),
      ),
    );
    return { settled, done: Promise.all(all) };
  };
  const inIssueOrder = (settled: readonly { index: number }[], what: string) => {
    settled.forEach((x, i) =>
      check(
        x.index === i,
        `${what}: writes must complete in the order they were issued; got ${settled.map((y) => y.index).join(',')}`,
      ),
    );
  };
  const isStorageFailed = (e: unknown, what: string) =>
    check(
      e instanceof SynodError && e.code === 'storage-failed',
      `${what} must reject with code storage-failed, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );

  return [
    {
      name: `writes issued while earlier ones are in flight complete in order, each durable (seed ${o.seed})`,
      run: o.withStore(async (s) => {
        const random = randomBatches(rng(o.seed + 1));
        const batches = Array.from({ length: 120 }, (_, i) => random(i));
        const settled: { index: number }[] = [];
        const pending: Promise<void>[] = [];
        for (let i = 0; i < batches.length; i++) {
          pending.push(s.write(batches[i]!).then(() => void settled.push({ index: i })));
          // Now and then wait for a write a few places back, so that new writes are issued
          // while older ones are in flight, in bursts of varying size.
          if (i % 9 === 8) await pending[i - 4];
        }
        await Promise.all(pending);
        inIssueOrder(settled, 'pipelined writes');
        assertSameState(await s.load(), model(batches), 'after pipelined writes');
        const r = await factory.reopen(s);
        assertSameState(await r.load(), model(batches), 'pipelined writes, after reopen');
        return r;
      }),
    },
    {
      name: 'a read, a meta value and close issued behind writes in flight run after them',
      run: o.withStore(async (s) => {
        const random = randomBatches(rng(o.seed + 2));
        const first = Array.from({ length: 20 }, (_, i) => random(i));
        const { done } = issue(s, first);
        const meta = s.setMeta('behind', bytes(16, 3));
        assertSameState(await s.load(), model(first), 'a load issued behind writes sees them');
        await Promise.all([done, meta]);
        const second = Array.from({ length: 20 }, (_, i) => random(100 + i));
        const later = issue(s, second);
        await s.close();
        await later.done;
        check(
          later.settled.every((x) => x.error === undefined),
          'writes issued before close succeed',
        );
        const r = await factory.reopen(s);
        assertSameState(await r.load(), model([...first, ...second]), 'after close and reopen');
        const got = await r.getMeta('behind');
        check(got !== undefined && sameBytes(got, bytes(16, 3)), 'the meta value is kept');
        return r;
      }),
    },
    {
      name: 'a failed write fails every write behind it, in order; a restart finds the writes that resolved',
      run: async () => {
        const { storage: s, failingBatch } = await factory.createFailing();
        let r: Storage | undefined;
        try {
          const before: StorageBatch = { incarnation: 1, decisions: [dec(1)] };
          await s.write(before);
          const batches: StorageBatch[] = [
            { accepted: [pv(2, 1)] },
            { decisions: [dec(2)] },
            failingBatch,
            { accepted: [pv(3, 1)] },
            { incarnation: 9, decisions: [dec(3)] },
          ];
          const { settled, done } = issue(s, batches);
          const meta = s.setMeta('after-failure', bytes(4, 1)).then(
            () => undefined,
            (e: unknown) => e,
          );
          await done;
          inIssueOrder(settled, 'writes around a failure');
          const ok = settled.findIndex((x) => x.error !== undefined);
          check(
            ok >= 0 && ok <= 2,
            `the failing write (index 2) must fail; first failure at ${ok}`,
          );
          for (const x of settled.slice(ok)) isStorageFailed(x.error, `write ${x.index}`);
          isStorageFailed(await meta, 'setMeta behind a failed write');
          let late: unknown;
          await s.write({ incarnation: 10 }).catch((e: unknown) => (late = e));
          isStorageFailed(late, 'a write after a failure');
          r = await factory.reopen(s);
          const kept = [before, ...batches.slice(0, ok)];
          assertSameState(await r.load(), model(kept), 'after the failure, reopened');
          check(
            (await r.getMeta('after-failure')) === undefined,
            'a meta value set after a failed write is not kept',
          );
        } finally {
          await (r ?? s).close().catch(() => undefined);
        }
      },
    },
  ];
}

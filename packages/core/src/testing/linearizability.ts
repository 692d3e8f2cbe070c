/**
 * A linearizability checker for client histories: Wing & Gong's search with Lowe's
 * memoisation of (linearized set, state), as Porcupine and Knossos do, applied per partition
 * (P-compositionality: for a key-value store, each key separately).
 *
 * An operation whose outcome is unknown (its client crashed, or it was still pending at the
 * end) has `ret = Infinity` and no output: it may take effect at any point after its call, or,
 * equivalently, at the very end, where it changes nothing anyone observed.
 */

export interface Operation<I, O> {
  readonly client: string;
  readonly input: I;
  /** undefined: unknown (the operation may or may not have taken effect). */
  readonly output: O | undefined;
  readonly call: number;
  /** Infinity when the outcome is unknown. */
  readonly ret: number;
}

export interface Model<S, I, O> {
  init(): S;
  /** Apply `input` to `state`; ok is false when `output` could not have been returned. */
  step(state: S, input: I, output: O | undefined): { ok: boolean; state: S };
  /** A string that identifies a state, for memoisation. */
  key(state: S): string;
  /** Split a history into independent parts (default: one part). */
  partition?(ops: readonly Operation<I, O>[]): Operation<I, O>[][];
  /**
   * Remove operations of unknown outcome that provably cannot matter (a write whose value no
   * output ever shows may as well have taken effect at the very end). Keeps the search small.
   */
  prune?(ops: readonly Operation<I, O>[]): Operation<I, O>[];
  describe?(op: Operation<I, O>): string;
}

export interface CheckResult {
  readonly ok: boolean;
  /** The operations of the first partition that has no linearization, described. */
  readonly counterexample?: string[];
  /** True when the search gave up (too many states); the history is then not judged. */
  readonly inconclusive?: boolean;
}

interface Entry {
  call: boolean;
  id: number;
  time: number;
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  maxStates = 2_000_000,
): CheckResult {
  const parts = model.partition ? model.partition(history) : [history.slice()];
  for (const whole of parts) {
    const part = model.prune ? model.prune(whole) : whole;
    const r = checkPart(model, part, maxStates);
    if (r === 'inconclusive') return { ok: true, inconclusive: true };
    if (!r) {
      const describe = (op: Operation<I, O>) => model.describe?.(op) ?? JSON.stringify(op);
      return {
        ok: false,
        counterexample: [...part].sort((a, b) => a.call - b.call).map(describe),
      };
    }
  }
  return { ok: true };
}

function checkPart<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  maxStates: number,
): boolean | 'inconclusive' {
  if (ops.length === 0) return true;
  const events: Entry[] = [];
  ops.forEach((op, id) => {
    const call: Entry = {
      call: true,
      id,
      time: op.call,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    const ret: Entry = {
      call: false,
      id,
      time: op.ret,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    call.match = ret;
    events.push(call, ret);
  });
  // At equal times a call goes first: treating the two as concurrent is the permissive choice.
  events.sort((a, b) => a.time - b.time || (a.call === b.call ? 0 : a.call ? -1 : 1));
  const head: Entry = {
    call: false,
    id: -1,
    time: -Infinity,
    match: undefined,
    prev: undefined,
    next: undefined,
  };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  const lift = (e: Entry) => {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
    const m = e.match!;
    m.prev!.next = m.next;
    if (m.next) m.next.prev = m.prev;
  };
  const unlift = (e: Entry) => {
    const m = e.match!;
    m.prev!.next = m;
    if (m.next) m.next.prev = m;
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  };
  // The memo key: the set of linearized operations, as a 64-bit Zobrist hash updated in O(1)
  // per step, and the model state, interned to a small number.
  const zobrist = new Uint32Array(ops.length * 2);
  let seed = 0x9e3779b9;
  for (let i = 0; i < zobrist.length; i++) {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    zobrist[i] = seed;
  }
  let h1 = 0;
  let h2 = 0;
  const stateIds = new Map<string, number>();
  const stateId = (st: S) => {
    const k = model.key(st);
    let id = stateIds.get(k);
    if (id === undefined) stateIds.set(k, (id = stateIds.size));
    return id;
  };
  const flip = (id: number) => {
    h1 = (h1 ^ zobrist[2 * id]!) >>> 0;
    h2 = (h2 ^ zobrist[2 * id + 1]!) >>> 0;
  };
  const seen = new Set<string>();
  const stack: { entry: Entry; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  while (head.next !== undefined) {
    if (entry === undefined) return false;
    if (entry.call) {
      const op = ops[entry.id]!;
      const r = model.step(state, op.input, op.output);
      if (r.ok) {
        flip(entry.id);
        const key = `${h1}:${h2}:${stateId(r.state)}`;
        if (!seen.has(key)) {
          if (seen.size >= maxStates) return 'inconclusive';
          seen.add(key);
          stack.push({ entry, state });
          state = r.state;
          lift(entry);
          entry = head.next;
          continue;
        }
        flip(entry.id);
      }
      entry = entry.next;
    } else {
      const top = stack.pop();
      if (top === undefined) return false;
      state = top.state;
      flip(top.entry.id);
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return true;
}

/** Key-value operations as the simulator's workload issues them. */
export type KvInput =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'append'; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly key: string };

/** The model of KvStateMachine: put returns the previous value, append the new one, get the current one. */
export const kvModel: Model<string, KvInput, string> = {
  init: () => '',
  step(state, input, output) {
    switch (input.op) {
      case 'put':
        return { ok: output === undefined || output === state, state: input.value };
      case 'append': {
        const next = state + input.value;
        return { ok: output === undefined || output === next, state: next };
      }
      case 'get':
        return { ok: output === undefined || output === state, state };
    }
  },
  key: (s) => s,
  // Values are unique ("v17."), so a write of unknown outcome whose value appears in no output
  // was never observed: had it taken effect before any later operation, that operation's
  // output (the previous value, the new value, or the value read) would show it.
  prune(ops) {
    const seen: string[] = [];
    for (const op of ops) if (op.output !== undefined) seen.push(op.output);
    const all = seen.join('|');
    return ops.filter(
      (op) => op.output !== undefined || op.input.op === 'get' || all.includes(op.input.value),
    );
  },
  partition(ops) {
    const by = new Map<string, Operation<KvInput, string>[]>();
    for (const op of ops) {
      let list = by.get(op.input.key);
      if (list === undefined) by.set(op.input.key, (list = []));
      list.push(op);
    }
    return [...by.values()];
  },
  describe(op) {
    const i = op.input;
    const arg = i.op === 'get' ? '' : ` ${JSON.stringify(i.value)}`;
    const out = op.output === undefined ? '?' : JSON.stringify(op.output);
    return `[${op.call}, ${op.ret === Infinity ? '∞' : op.ret}] ${op.client}: ${i.op} ${i.key}${arg} -> ${out}`;
  },
};

/**
 * Commands and the value of a slot.
 *
 * PMMC decides one command per slot. Synod decides a *batch* per slot (DESIGN.md §3 item 2):
 * the replica beside the active leader packs every command that arrived in one turn into one
 * slot. A batch with no commands is the no-op that fills gaps (DESIGN.md §3 item 1). Each
 * command carries `(client, inc, seq)` for exactly-once execution (item 4).
 *
 * A slot's value is either such a batch or a *skip* (Mencius): "the slots after this one, up to
 * `through`, are empty". A replica that applies a skip in slot t moves its slotOut to
 * through + 1 and ignores whatever is decided in t+1 .. through; every replica applies slot t
 * alike, so all ignore the same slots (docs/protocol.md, "A membership change on an idle log").
 *
 * A slot's value travels and is stored as opaque bytes; only replicas decode it, once, when
 * they apply it.
 */
import { ByteReader, ByteWriter, utf8Length, varintSize } from './bytes.js';
import type { Membership } from './configuration.js';
import { DecodeError, InvalidSkipError } from './errors.js';
import type { ConfigId, Slot } from './types.js';

interface CommandBase {
  /** The client that issued the command: the proposing peer's id for commands of a node. */
  readonly client: string;
  /** The client's incarnation: a counter that grows every time the peer restarts. */
  readonly inc: number;
  /** 1, 2, 3, ... per (client, inc); a client's commands take effect in seq order. */
  readonly seq: number;
  /**
   * The client has the outcomes of all its commands up to this seq, so replicas may forget
   * them (as in the Raft dissertation §6.3); the outcomes of later ones are kept, so a replica
   * that skips them by installing a snapshot can still answer.
   */
  readonly ack: number;
}

export interface AppCommand extends CommandBase {
  readonly kind: 'app';
  /** The application's command, opaque to Synod. */
  readonly op: Uint8Array;
}

/** A membership change (PMMC: a reconfiguration command). */
export interface ReconfigCommand extends CommandBase {
  readonly kind: 'reconfig';
  /** Applied only if the newest configuration is still this one (compare-and-set). */
  readonly expectedConfig: ConfigId;
  readonly membership: Membership;
}

export type Command = AppCommand | ReconfigCommand;

/** The value decided for one slot. An empty batch is a no-op. */
export type Batch = readonly Command[];

/**
 * Format 2 names each (client, incarnation) once per batch, in a table at its head, and each
 * command by its index there: a batch of 1,024 commands from one peer carries its 52-byte id
 * once, not 1,024 times. Format 1 (the client in every command) is still read: logs and
 * snapshots written by earlier releases hold it.
 */
const BATCH_FORMAT_1 = 1;
const BATCH_FORMAT = 2;
/** The value's first byte: a skip, not a batch (the batch formats are the other values). */
const SKIP = 3;
const KIND_APP = 1;
const KIND_RECONFIG = 2;

/** The no-op, encoded once. */
export const NOOP: Uint8Array = new ByteWriter(3).byte(BATCH_FORMAT).uint(0).uint(0).finish();

export function isNoop(value: Uint8Array): boolean {
  // Either format: no clients (format 2), no commands.
  return (
    (value.length === 2 && value[0] === BATCH_FORMAT_1 && value[1] === 0) ||
    (value.length === 3 && value[0] === BATCH_FORMAT && value[1] === 0 && value[2] === 0)
  );
}

/** Whether a slot's value is a skip (whatever its range: see skipThrough). */
export function isSkip(value: Uint8Array): boolean {
  return value[0] === SKIP;
}

/**
 * A skip in `slot` voiding `slot + 1 .. through`. Throws InvalidSkipError unless
 * `slot < through < slot + window` (see skipThrough).
 */
export function encodeSkip(slot: Slot, through: Slot, window: number): Uint8Array {
  checkSkip(slot, through, window);
  return new ByteWriter(10).byte(SKIP).uint(through).finish();
}

/**
 * The last slot a skip decided in `slot` voids; undefined when the value is a batch. Throws
 * InvalidSkipError when the range is not `slot < through < slot + window`, and DecodeError when
 * the bytes are not a skip. Why that bound: a skip never reaches past what its proposer could
 * assign when it proposed it (slotOut ≤ slot, so slots below slot + WINDOW), and one bad value
 * voids at most WINDOW - 1 slots, no more than the no-ops it replaces would have filled
 * (a skip to near 2^53 would end the log).
 */
export function skipThrough(value: Uint8Array, slot: Slot, window: number): Slot | undefined {
  if (!isSkip(value)) return undefined;
  const r = new ByteReader(value);
  r.byte();
  const through = r.uint();
  r.end();
  checkSkip(slot, through, window);
  return through;
}

function checkSkip(slot: Slot, through: Slot, window: number): void {
  if (!(through > slot && through < slot + window)) {
    throw new InvalidSkipError(
      `a skip in slot ${slot} through slot ${through} is outside ${slot + 1}..${slot + window - 1}`,
    );
  }
}

export function encodeBatch(batch: Batch): Uint8Array {
  // The client table: one entry per (client, inc), in order of first appearance.
  const index = new Map<string, Map<number, number>>();
  const table: { client: string; inc: number }[] = [];
  const ids = new Array<number>(batch.length);
  // The exact size, so that the value is the writer's own buffer: the batch of a busy leader is
  // ~100 KB, and a writer sized by a bound and then copied out made a second one per slot,
  // garbage at once (issue 13: ArrayBuffers are malloc'd, and their churn holds RSS up).
  let size = 1 + varintSize(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const c = batch[i]!;
    let incs = index.get(c.client);
    if (incs === undefined) index.set(c.client, (incs = new Map<number, number>()));
    let id = incs.get(c.inc);
    if (id === undefined) {
      id = table.length;
      incs.set(c.inc, id);
      table.push({ client: c.client, inc: c.inc });
      size += stringSize(c.client) + varintSize(c.inc);
    }
    ids[i] = id;
    size += 1 + varintSize(id) + varintSize(c.seq) + varintSize(c.ack);
    if (c.kind === 'app') {
      size += varintSize(c.op.length) + c.op.length;
    } else {
      const m = c.membership;
      size += varintSize(c.expectedConfig);
      size += stringsSize(m.replicas) + stringsSize(m.leaders) + stringsSize(m.acceptors);
    }
  }
  size += varintSize(table.length);
  const w = new ByteWriter(size);
  w.byte(BATCH_FORMAT).uint(table.length);
  for (const t of table) w.string(t.client).uint(t.inc);
  w.uint(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const c = batch[i]!;
    w.byte(c.kind === 'app' ? KIND_APP : KIND_RECONFIG)
      .uint(ids[i]!)
      .uint(c.seq)
      .uint(c.ack);
    if (c.kind === 'app') {
      w.bytes(c.op);
    } else {
      w.uint(c.expectedConfig);
      w.strings(c.membership.replicas);
      w.strings(c.membership.leaders);
      w.strings(c.membership.acceptors);
    }
  }
  // Exactly filled: the buffer itself. (A miscount only costs the copy that finish makes.)
  return w.length === size ? w.written() : w.finish();
}

/** Bytes of ByteWriter.string(s). */
function stringSize(s: string): number {
  const n = utf8Length(s);
  return varintSize(n) + n;
}

/** Bytes of ByteWriter.strings(list). */
function stringsSize(list: readonly string[]): number {
  let n = varintSize(list.length);
  for (const s of list) n += stringSize(s);
  return n;
}

export function decodeBatch(value: Uint8Array): Command[] {
  const r = new ByteReader(value);
  const format = r.byte();
  if (format === SKIP) {
    // A skip carries no commands.
    r.uint();
    r.end();
    return [];
  }
  if (format !== BATCH_FORMAT && format !== BATCH_FORMAT_1)
    throw new DecodeError(`unknown batch format ${format}`);
  let table: { client: string; inc: number }[] | undefined;
  if (format === BATCH_FORMAT) {
    const clients = r.uint();
    if (clients > value.length) throw new DecodeError('batch client count exceeds its size');
    table = [];
    for (let i = 0; i < clients; i++) table.push({ client: r.string(), inc: r.uint() });
  }
  const n = r.uint();
  if (n > value.length) throw new DecodeError('batch count exceeds its size');
  const out: Command[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.byte();
    let client: string;
    let inc: number;
    if (table === undefined) {
      client = r.string();
      inc = r.uint();
    } else {
      const t = table[r.uint()];
      if (t === undefined) throw new DecodeError('command names a client not in its batch');
      client = t.client;
      inc = t.inc;
    }
    const seq = r.uint();
    const ack = r.uint();
    if (kind === KIND_APP) {
      out.push({ kind: 'app', client, inc, seq, ack, op: r.bytes() });
    } else if (kind === KIND_RECONFIG) {
      const expectedConfig = r.uint();
      const replicas = r.strings();
      const leaders = r.strings();
      const acceptors = r.strings();
      out.push({
        kind: 'reconfig',
        client,
        inc,
        seq,
        ack,
        expectedConfig,
        membership: { replicas, leaders, acceptors },
      });
    } else {
      throw new DecodeError(`unknown command kind ${kind}`);
    }
  }
  r.end();
  return out;
}

/** What became of a command once decided: its result, or why it had no effect. */
export type Outcome =
  | { readonly ok: true; readonly result: Uint8Array }
  | { readonly ok: false; readonly code: string; readonly message: string };

export function encodeOutcome(w: ByteWriter, o: Outcome): void {
  if (o.ok) {
    w.byte(1).bytes(o.result);
  } else {
    w.byte(0).string(o.code).string(o.message);
  }
}

export function decodeOutcome(r: ByteReader): Outcome {
  const ok = r.byte();
  if (ok === 1) return { ok: true, result: r.bytes() };
  if (ok === 0) return { ok: false, code: r.string(), message: r.string() };
  throw new DecodeError('bad outcome tag');
}

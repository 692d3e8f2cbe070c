/**
 * The shared document log: Synod's StateMachine for the desktop app.
 *
 * A log of entries (title, body, version, deleted flag, author, times) changed by operations
 * that are commands in the Paxos log: append, edit, delete, restore, rename-log, set-name.
 * Every replica applies the same commands in the same order and gets the same state and the
 * same results, byte for byte.
 *
 * - An edit carries patches and the version it was made against. Against a stale version it is
 *   refused with `conflict` — never applied to a text it was not made for — unless it asks to
 *   be rebased and changes only text that the edits decided since left alone (their changed
 *   ranges do not meet): then it is transformed over them (text-operation.ts), here,
 *   deterministically, the same way on every replica. Overlapping changes stay a conflict.
 * - A bad command (undecodable, unknown entry, patch out of range, over a limit, invalid text)
 *   gets an error result and changes nothing: every check runs before the first change, and
 *   patches that fail half-way are undone.
 * - The history (slot, author, operation, time) is part of the replicated state, bounded to the
 *   newest HISTORY_LIMIT operations, so it survives compaction and snapshot installs (a peer
 *   that installs a snapshot gets no `subscribe` events for the commands inside it).
 */
import type { ApplyContext, StateMachine } from '@synod/core';
import { ByteReader, ByteWriter } from '@synod/core';
import {
  CommandFormatError,
  decodeCommand,
  encodeResult,
  operationAt,
  operationPosition,
} from './codec.js';
import {
  DOCUMENT_FORMAT,
  HISTORY_LIMIT,
  MAX_BODY,
  MAX_ENTRIES,
  MAX_NAME,
  MAX_PATCHES,
  MAX_TITLE,
  REBASE_WINDOW,
} from './limits.js';
import { TextBuffer } from './text-buffer.js';
import { TextOperation } from './text-operation.js';
import type {
  DocumentCommand,
  DocumentErrorCode,
  DocumentResult,
  EditCommand,
  EntryView,
  HistoryRecord,
  Patch,
} from './types.js';

/** One version step of an entry, kept for rebasing: the patches from version - 1. */
interface Change {
  readonly version: number;
  /** The body's length before the patches. */
  readonly baseLength: number;
  readonly patches: readonly Patch[];
  /**
   * The text each patch deleted, so that bodyAt() can undo it. Memory only, never in a
   * snapshot (the state machine's replicated state and format stay as they are): a change
   * restored from a snapshot has none, and versions before it cannot be shown here.
   */
  readonly removed?: readonly string[];
}

interface Entry {
  readonly id: number;
  title: string;
  readonly body: TextBuffer;
  version: number;
  deleted: boolean;
  readonly author: string;
  readonly authorId: string;
  readonly created: number;
  readonly createdSlot: number;
  updated: number;
  updatedSlot: number;
  updatedBy: string;
  /** The newest REBASE_WINDOW changes are the kept ones (the array may hold more; see keep()). */
  changes: Change[];
}

class Refusal {
  constructor(
    readonly code: DocumentErrorCode,
    readonly message: string,
    readonly version = 0,
  ) {}
}

/**
 * Keep the newest `limit` items of a list that grows at its end, in amortised O(1): trim only
 * when it holds twice as many. Readers look at the newest `limit` (newest()), so what a reader
 * sees does not depend on when trimming happened — a restored replica sees the same.
 */
function keep<T>(list: T[], limit: number): void {
  if (list.length > 2 * limit) list.splice(0, list.length - limit);
}

function newest<T>(list: readonly T[], limit: number): readonly T[] {
  return list.length > limit ? list.slice(list.length - limit) : list;
}

export interface ListOptions {
  /** Include deleted entries (default false). */
  includeDeleted?: boolean;
  /** Include bodies (default true). */
  bodies?: boolean;
}

export interface HistoryQuery {
  /** Records with `n` greater than this; without it, the newest `limit` records. */
  after?: number | undefined;
  /** At most this many, oldest first (default 100). */
  limit?: number | undefined;
}

export interface DocumentStats {
  readonly title: string;
  readonly entries: number;
  readonly deleted: number;
  /** Operations applied since the log began (refused commands are not operations). */
  readonly operations: number;
  /** The slot of the last applied operation. */
  readonly lastSlot: number;
  /** The `n` of the oldest history record kept. */
  readonly historyFrom: number;
}

export class DocumentLog implements StateMachine {
  private title = '';
  private entries = new Map<number, Entry>();
  private nextId = 1;
  private operations = 0;
  private lastSlot = 0;
  private names = new Map<string, string>();
  private history: HistoryRecord[] = [];
  /** Called after restore() replaced the whole state (readers should read everything again). */
  onReset: (() => void) | undefined;

  // ------------------------------------------------------------------ StateMachine

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    let c: DocumentCommand;
    try {
      c = decodeCommand(command);
    } catch (err) {
      if (!(err instanceof CommandFormatError)) throw err;
      return encodeResult({ ok: false, code: err.code, message: err.message, version: 0 });
    }
    const result = this.run(c, ctx);
    if (result instanceof Refusal) {
      return encodeResult({
        ok: false,
        code: result.code,
        message: result.message,
        version: result.version,
      });
    }
    return encodeResult(result);
  }

  snapshot(): Uint8Array {
    const w = new ByteWriter(64 * 1024);
    w.byte(DOCUMENT_FORMAT).uint(this.nextId).uint(this.operations).uint(this.lastSlot);
    w.string(this.title);
    w.uint(this.names.size);
    for (const [id, name] of this.names) w.string(id).string(name);
    w.uint(this.entries.size);
    for (const e of this.entries.values()) {
      w.uint(e.id).string(e.title).string(e.body.toString()).uint(e.version);
      w.byte(e.deleted ? 1 : 0)
        .string(e.author)
        .string(e.authorId);
      w.uint(e.created).uint(e.createdSlot).uint(e.updated).uint(e.updatedSlot);
      w.string(e.updatedBy);
      const changes = newest(e.changes, REBASE_WINDOW);
      w.uint(changes.length);
      for (const ch of changes) {
        w.uint(ch.version).uint(ch.baseLength).uint(ch.patches.length);
        for (const [pos, del, ins] of ch.patches) w.uint(pos).uint(del).string(ins);
      }
    }
    const history = newest(this.history, HISTORY_LIMIT);
    w.uint(history.length);
    for (const h of history) {
      w.uint(h.n).uint(h.slot).string(h.client).string(h.author).uint(h.time);
      w.byte(operationPosition(h.type)).uint(h.entry).uint(h.version);
      w.uint(h.inserted)
        .uint(h.deleted)
        .string(h.text)
        .byte(h.rebased ? 1 : 0);
    }
    return w.finish();
  }

  restore(snapshot: Uint8Array): void {
    const r = new ByteReader(snapshot);
    const format = r.byte();
    if (format !== DOCUMENT_FORMAT) throw new Error(`unknown document snapshot format ${format}`);
    const nextId = r.uint();
    const operations = r.uint();
    const lastSlot = r.uint();
    const title = r.string();
    const names = new Map<string, string>();
    for (let n = r.uint(); n > 0; n--) names.set(r.string(), r.string());
    const entries = new Map<number, Entry>();
    for (let n = r.uint(); n > 0; n--) {
      const id = r.uint();
      const entryTitle = r.string();
      const body = new TextBuffer(r.string());
      const version = r.uint();
      const deleted = r.byte() === 1;
      const author = r.string();
      const authorId = r.string();
      const created = r.uint();
      const createdSlot = r.uint();
      const updated = r.uint();
      const updatedSlot = r.uint();
      const updatedBy = r.string();
      const changes: Change[] = [];
      for (let k = r.uint(); k > 0; k--) {
        const v = r.uint();
        const baseLength = r.uint();
        const patches: Patch[] = [];
        for (let p = r.uint(); p > 0; p--) patches.push([r.uint(), r.uint(), r.string()]);
        changes.push({ version: v, baseLength, patches });
      }
      entries.set(id, {
        id,
        title: entryTitle,
        body,
        version,
        deleted,
        author,
        authorId,
        created,
        createdSlot,
        updated,
        updatedSlot,
        updatedBy,
        changes,
      });
    }
    const history: HistoryRecord[] = [];
    for (let n = r.uint(); n > 0; n--) {
      const rec = {
        n: r.uint(),
        slot: r.uint(),
        client: r.string(),
        author: r.string(),
        time: r.uint(),
        type: operationAt(r.byte()),
        entry: r.uint(),
        version: r.uint(),
        inserted: r.uint(),
        deleted: r.uint(),
        text: r.string(),
        rebased: r.byte() === 1,
      };
      if (rec.type === undefined) throw new Error('unknown operation in the snapshot history');
      history.push(rec as HistoryRecord);
    }
    r.end();
    this.title = title;
    this.entries = entries;
    this.nextId = nextId;
    this.operations = operations;
    this.lastSlot = lastSlot;
    this.names = names;
    this.history = history;
    this.onReset?.();
  }

  // ------------------------------------------------------------------ reads

  stats(): DocumentStats {
    let deleted = 0;
    for (const e of this.entries.values()) if (e.deleted) deleted++;
    const kept = newest(this.history, HISTORY_LIMIT);
    return {
      title: this.title,
      entries: this.entries.size - deleted,
      deleted,
      operations: this.operations,
      lastSlot: this.lastSlot,
      historyFrom: kept[0]?.n ?? this.operations + 1,
    };
  }

  get logTitle(): string {
    return this.title;
  }

  list(options: ListOptions = {}): EntryView[] {
    const out: EntryView[] = [];
    for (const e of this.entries.values()) {
      if (e.deleted && options.includeDeleted !== true) continue;
      out.push(view(e, options.bodies !== false));
    }
    return out;
  }

  get(id: number): EntryView | undefined {
    const e = this.entries.get(id);
    return e === undefined ? undefined : view(e, true);
  }

  /**
   * The body of entry `id` as it was at `version`: the current body with the kept changes
   * since undone, newest first. Undefined when this replica no longer knows it (older than the
   * kept changes, or before a snapshot it restored). What a stale edit is diffed against, so
   * that the log can rebase it (`synod edit --base`).
   */
  bodyAt(id: number, version: number): string | undefined {
    const e = this.entries.get(id);
    if (e === undefined || version < 1 || version > e.version) return undefined;
    const changes = newest(e.changes, REBASE_WINDOW);
    const from = changes.findIndex((ch) => ch.version === version + 1);
    if (version < e.version && from < 0) return undefined;
    const body = new TextBuffer(e.body.toString());
    for (let i = changes.length - 1; from >= 0 && i >= from; i--) {
      const { patches, removed } = changes[i]!;
      if (removed === undefined) return undefined;
      for (let k = patches.length - 1; k >= 0; k--) {
        const [pos, , ins] = patches[k]!;
        body.splice(pos, ins.length, removed[k]!);
      }
    }
    return body.toString();
  }

  /**
   * History records, oldest first: the first `limit` after `after`, or without `after` the
   * newest `limit` (what a log viewer shows first, like `git log -n`).
   */
  historyRecords(query: HistoryQuery = {}): HistoryRecord[] {
    const kept = newest(this.history, HISTORY_LIMIT);
    const limit = Math.max(0, query.limit ?? 100);
    if (query.after === undefined) return limit === 0 ? [] : kept.slice(-limit);
    const after = query.after;
    // n grows by one per record: find the first record after `after` directly.
    const first = kept[0]?.n ?? 0;
    const start = Math.max(0, after + 1 - first);
    return kept.slice(start, start + limit);
  }

  /** Peer id -> the display name it last used. */
  peerNames(): Record<string, string> {
    return Object.fromEntries(this.names);
  }

  nameOf(peer: string): string | undefined {
    return this.names.get(peer);
  }

  // ------------------------------------------------------------------ operations

  private run(c: DocumentCommand, ctx: ApplyContext): DocumentResult | Refusal {
    if (c.author.length > MAX_NAME) {
      return new Refusal('too-large', `the author name exceeds ${MAX_NAME} code units`);
    }
    let result: DocumentResult | Refusal;
    let detail: Pick<HistoryRecord, 'entry' | 'inserted' | 'deleted' | 'text'> = {
      entry: 0,
      inserted: 0,
      deleted: 0,
      text: '',
    };
    switch (c.type) {
      case 'append': {
        if (c.title.length > MAX_TITLE) return tooLong('title', MAX_TITLE);
        if (c.body.length > MAX_BODY) return tooLong('body', MAX_BODY);
        if (this.entries.size >= MAX_ENTRIES) return tooLong('number of entries', MAX_ENTRIES);
        const id = this.nextId++;
        this.entries.set(id, {
          id,
          title: c.title,
          body: new TextBuffer(c.body),
          version: 1,
          deleted: false,
          author: c.author,
          authorId: ctx.client,
          created: c.time,
          createdSlot: ctx.slot,
          updated: c.time,
          updatedSlot: ctx.slot,
          updatedBy: c.author,
          changes: [],
        });
        result = { ok: true, id, version: 1, rebased: false };
        detail = { entry: id, inserted: c.body.length, deleted: 0, text: c.title };
        break;
      }
      case 'edit': {
        const r = this.edit(c, ctx.slot);
        if (r instanceof Refusal) return r;
        result = { ok: true, id: c.id, version: r.version, rebased: r.rebased };
        detail = { entry: c.id, inserted: r.inserted, deleted: r.deleted, text: c.title ?? '' };
        break;
      }
      case 'delete':
      case 'restore': {
        const e = this.entries.get(c.id);
        if (e === undefined) return new Refusal('unknown-entry', `no entry ${c.id}`);
        if (c.version !== 0 && c.version !== e.version) {
          return new Refusal('conflict', `entry ${c.id} is at version ${e.version}`, e.version);
        }
        if (c.type === 'delete' && e.deleted) {
          return new Refusal('deleted', `entry ${c.id} is already deleted`, e.version);
        }
        if (c.type === 'restore' && !e.deleted) {
          return new Refusal('not-deleted', `entry ${c.id} is not deleted`, e.version);
        }
        e.deleted = c.type === 'delete';
        this.step(e, [], e.body.length, c, ctx.slot);
        result = { ok: true, id: e.id, version: e.version, rebased: false };
        detail = { entry: e.id, inserted: 0, deleted: 0, text: '' };
        break;
      }
      case 'rename-log':
        if (c.title.length > MAX_TITLE) return tooLong('title', MAX_TITLE);
        this.title = c.title;
        result = { ok: true, id: 0, version: 0, rebased: false };
        detail = { entry: 0, inserted: 0, deleted: 0, text: c.title };
        break;
      case 'set-name':
        if (c.author.length === 0) return new Refusal('bad-command', 'the name is empty');
        result = { ok: true, id: 0, version: 0, rebased: false };
        detail = { entry: 0, inserted: 0, deleted: 0, text: c.author };
        break;
    }
    // Success: the operation counts, and is remembered.
    this.operations++;
    this.lastSlot = ctx.slot;
    if (c.author.length > 0) this.names.set(ctx.client, c.author);
    this.history.push({
      n: this.operations,
      slot: ctx.slot,
      client: ctx.client,
      author: c.author,
      time: c.time,
      type: c.type,
      version: result.version,
      rebased: result.rebased,
      ...detail,
    });
    keep(this.history, HISTORY_LIMIT);
    return result;
  }

  private edit(
    c: EditCommand,
    slot: number,
  ): { version: number; rebased: boolean; inserted: number; deleted: number } | Refusal {
    const e = this.entries.get(c.id);
    if (e === undefined) return new Refusal('unknown-entry', `no entry ${c.id}`);
    if (e.deleted) return new Refusal('deleted', `entry ${c.id} is deleted`, e.version);
    if (c.patches.length > MAX_PATCHES) return tooLong('patch list', MAX_PATCHES);
    if (c.title !== undefined && c.title.length > MAX_TITLE) return tooLong('title', MAX_TITLE);
    let patches = c.patches;
    let rebased = false;
    if (c.version !== e.version) {
      const stale = new Refusal(
        'conflict',
        `entry ${c.id} is at version ${e.version}, the edit was made against ${c.version}`,
        e.version,
      );
      if (c.rebase !== true || c.version > e.version || c.version < 1) return stale;
      const r = rebase(e, c.version, patches);
      if (r === 'too-old') return stale;
      if (r instanceof Refusal) return r;
      patches = r;
      rebased = true;
    }
    const baseLength = e.body.length;
    const undo: Patch[] = [];
    let inserted = 0;
    let deleted = 0;
    for (const [pos, del, ins] of patches) {
      const length = e.body.length;
      let refusal: Refusal | undefined;
      if (pos > length || del > length - pos) {
        refusal = new Refusal(
          'out-of-range',
          `patch [${pos}, ${del}] outside a text of ${length} code units`,
          e.version,
        );
      } else if (e.body.splitsPair(pos) || e.body.splitsPair(pos + del)) {
        refusal = new Refusal('bad-text', 'the patch would split a surrogate pair', e.version);
      } else if (length - del + ins.length > MAX_BODY) {
        refusal = new Refusal(
          'too-large',
          `the body would exceed ${MAX_BODY} code units`,
          e.version,
        );
      }
      if (refusal !== undefined) {
        for (let i = undo.length - 1; i >= 0; i--) {
          const [p, n, text] = undo[i]!;
          e.body.splice(p, n, text);
        }
        return refusal;
      }
      undo.push([pos, ins.length, e.body.splice(pos, del, ins)]);
      inserted += ins.length;
      deleted += del;
    }
    if (c.title !== undefined) e.title = c.title;
    const removed = undo.map(([, , text]) => text);
    this.step(e, patches, baseLength, c, slot, removed);
    return { version: e.version, rebased, inserted, deleted };
  }

  /** A new version of `e`: remember its patches for rebasing, and who changed it when. */
  private step(
    e: Entry,
    patches: readonly Patch[],
    baseLength: number,
    c: DocumentCommand,
    slot: number,
    removed: readonly string[] = [],
  ): void {
    e.version++;
    e.changes.push({ version: e.version, baseLength, patches, removed });
    keep(e.changes, REBASE_WINDOW);
    e.updated = c.time;
    e.updatedBy = c.author;
    e.updatedSlot = slot;
  }
}

function tooLong(what: string, limit: number): Refusal {
  return new Refusal('too-large', `the ${what} exceeds ${limit}`);
}

/**
 * Transform `patches`, made against version `base` of `e`, over the changes decided since.
 * 'too-old' when those changes are no longer kept.
 */
function rebase(e: Entry, base: number, patches: readonly Patch[]): Patch[] | 'too-old' | Refusal {
  const changes = newest(e.changes, REBASE_WINDOW);
  const from = changes.findIndex((ch) => ch.version === base + 1);
  if (from < 0) return 'too-old';
  const first = changes[from]!;
  let theirs = new TextOperation().retain(first.baseLength);
  for (let i = from; i < changes.length; i++) {
    const ch = changes[i]!;
    theirs = theirs.compose(TextOperation.fromPatches(ch.baseLength, ch.patches)!);
  }
  const ours = TextOperation.fromPatches(first.baseLength, patches);
  if (ours === undefined) {
    return new Refusal(
      'out-of-range',
      `a patch falls outside version ${base} (${first.baseLength} code units)`,
      e.version,
    );
  }
  // Only disjoint changes are merged: where ours meets theirs, neither intent survives a
  // splice ("Friday" to "Monday" and to "Tuesday" is not "TuesMonday"), so it is a conflict.
  if (TextOperation.overlaps(theirs, ours)) {
    return new Refusal(
      'conflict',
      `entry ${e.id} is at version ${e.version}, and the edit made against ${base} changes text that changed since`,
      e.version,
    );
  }
  const [, oursPrime] = TextOperation.transform(theirs, ours);
  return oursPrime.toPatches();
}

function view(e: Entry, withBody: boolean): EntryView {
  return {
    id: e.id,
    title: e.title,
    body: withBody ? e.body.toString() : '',
    version: e.version,
    deleted: e.deleted,
    author: e.author,
    authorId: e.authorId,
    created: e.created,
    createdSlot: e.createdSlot,
    updated: e.updated,
    updatedSlot: e.updatedSlot,
    updatedBy: e.updatedBy,
  };
}

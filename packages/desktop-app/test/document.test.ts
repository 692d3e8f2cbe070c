import { ByteWriter } from '@synod/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DocumentLog,
  HISTORY_LIMIT,
  MAX_BODY,
  MAX_ENTRIES,
  MAX_TITLE,
  REBASE_WINDOW,
  TextOperation,
  applyEdits,
  decodeResult,
  encodeCommand,
  type DocumentCommand,
  type DocumentResult,
  type Patch,
} from '../src/document/index.js';

let slot = 0;
function run(
  sm: DocumentLog,
  c: DocumentCommand | Uint8Array,
  client = 'peer-a',
  at = ++slot,
): DocumentResult {
  const bytes = c instanceof Uint8Array ? c : encodeCommand(c);
  return decodeResult(sm.apply(bytes, { slot: at, client }));
}

const base = { time: 1_700_000_000_000, author: 'alice' };
const append = (title: string, body: string): DocumentCommand => ({
  ...base,
  type: 'append',
  title,
  body,
});
const edit = (
  id: number,
  version: number,
  patches: Patch[],
  more: { rebase?: boolean; title?: string } = {},
): DocumentCommand => ({ ...base, type: 'edit', id, version, patches, ...more });

function ok(r: DocumentResult): Extract<DocumentResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected success, got ${r.code}: ${r.message}`);
  return r;
}

/** Apply a refused command and check it changed nothing at all (the snapshot is identical). */
function refused(sm: DocumentLog, c: DocumentCommand | Uint8Array, code: string): DocumentResult {
  const before = sm.snapshot();
  const r = run(sm, c);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.code).toBe(code);
  expect(Buffer.from(sm.snapshot()).equals(Buffer.from(before))).toBe(true);
  return r;
}

describe('the document log state machine', () => {
  it('appends, edits, deletes, restores, renames, and records who did what', () => {
    const sm = new DocumentLog();
    expect(ok(run(sm, append('Notes', 'hello')))).toEqual({
      ok: true,
      id: 1,
      version: 1,
      rebased: false,
    });
    expect(ok(run(sm, edit(1, 1, [[5, 0, ' world']]))).version).toBe(2);
    expect(ok(run(sm, edit(1, 2, [[0, 1, 'H']], { title: 'Greeting' }))).version).toBe(3);
    expect(sm.get(1)).toMatchObject({ title: 'Greeting', body: 'Hello world', version: 3 });
    expect(ok(run(sm, { ...base, type: 'delete', id: 1, version: 0 })).version).toBe(4);
    expect(sm.list()).toEqual([]);
    expect(sm.list({ includeDeleted: true })).toHaveLength(1);
    expect(ok(run(sm, { ...base, type: 'restore', id: 1, version: 4 })).version).toBe(5);
    ok(run(sm, { ...base, type: 'rename-log', title: 'Team log' }));
    ok(run(sm, { ...base, author: 'Alice B.', type: 'set-name' }, 'peer-a'));
    expect(sm.stats()).toMatchObject({ title: 'Team log', entries: 1, deleted: 0, operations: 7 });
    expect(sm.peerNames()).toEqual({ 'peer-a': 'Alice B.' });
    const h = sm.historyRecords();
    expect(h.map((r) => r.type)).toEqual([
      'append',
      'edit',
      'edit',
      'delete',
      'restore',
      'rename-log',
      'set-name',
    ]);
    expect(h[1]).toMatchObject({ n: 2, entry: 1, version: 2, inserted: 6, deleted: 0 });
    expect(h[2]).toMatchObject({ text: 'Greeting', inserted: 1, deleted: 1 });
    expect(sm.historyRecords({ after: 5, limit: 1 }).map((r) => r.n)).toEqual([6]);
  });

  it('refuses a stale edit with conflict, and rebases it when asked', () => {
    const sm = new DocumentLog();
    ok(run(sm, append('t', 'abcdef')));
    ok(run(sm, edit(1, 1, [[0, 0, 'XY']]))); // v2: XYabcdef (someone else's edit)
    // Ours, made against v1: replace "cd" by "CD".
    const r = refused(sm, edit(1, 1, [[2, 2, 'CD']]), 'conflict');
    expect(r.version).toBe(2);
    const rebased = ok(run(sm, edit(1, 1, [[2, 2, 'CD']], { rebase: true })));
    expect(rebased).toMatchObject({ version: 3, rebased: true });
    expect(sm.get(1)!.body).toBe('XYabCDef');
    // A version from the future is a conflict, rebase or not.
    refused(sm, edit(1, 9, [[0, 0, 'z']], { rebase: true }), 'conflict');
    // Both insert at one place: which first is nobody's intent, so it is a conflict.
    ok(run(sm, edit(1, 3, [[8, 0, '1']])));
    refused(sm, edit(1, 3, [[8, 0, '2']], { rebase: true }), 'conflict');
    // Their insert inside the range we delete: a conflict too (ours would delete theirs).
    ok(run(sm, edit(1, 4, [[3, 0, '!']]))); // XYa!bCDef1
    refused(sm, edit(1, 4, [[2, 4, '']], { rebase: true }), 'conflict');
    expect(sm.get(1)!.body).toBe('XYa!bCDef1');
  });

  it('refuses to rebase over changes it no longer keeps', () => {
    const sm = new DocumentLog();
    ok(run(sm, append('t', '')));
    for (let i = 0; i < REBASE_WINDOW + 5; i++) ok(run(sm, edit(1, i + 1, [[i, 0, 'x']])));
    refused(sm, edit(1, 2, [[0, 0, 'y']], { rebase: true }), 'conflict');
    const v = sm.get(1)!.version;
    ok(run(sm, edit(1, v - REBASE_WINDOW, [[0, 0, 'y']], { rebase: true })));
  });

  it('refuses bad commands with an error result, changing nothing', () => {
    const sm = new DocumentLog();
    ok(run(sm, append('t', 'a😀b'))); // 😀 is a surrogate pair: code units 1 and 2
    refused(sm, edit(7, 1, [[0, 0, 'x']]), 'unknown-entry');
    refused(sm, { ...base, type: 'delete', id: 7, version: 0 }, 'unknown-entry');
    refused(sm, edit(1, 1, [[5, 0, 'x']]), 'out-of-range');
    refused(sm, edit(1, 1, [[3, 2, 'x']]), 'out-of-range');
    refused(sm, edit(1, 1, [[2, 0, 'x']]), 'bad-text'); // between the halves of the pair
    refused(sm, edit(1, 1, [[1, 1, '']]), 'bad-text'); // deletes one half
    refused(sm, append('t', 'x'.repeat(MAX_BODY + 1)), 'too-large');
    refused(sm, append('x'.repeat(MAX_TITLE + 1), ''), 'too-large');
    refused(sm, edit(1, 1, [[0, 0, 'x'.repeat(MAX_BODY)]]), 'too-large');
    const full = new DocumentLog();
    for (let i = 0; i < MAX_ENTRIES; i++) ok(run(full, append(`e${i}`, '')));
    refused(full, append('one too many', ''), 'too-large');
    refused(sm, { ...base, type: 'restore', id: 1, version: 0 }, 'not-deleted');
    refused(sm, { ...base, type: 'delete', id: 1, version: 3 }, 'conflict');
    refused(sm, { ...base, author: '', type: 'set-name' }, 'bad-command');
    // The second patch fails: the first, already applied, is undone.
    refused(
      sm,
      edit(1, 1, [
        [0, 0, 'first'],
        [99, 0, 'second'],
      ]),
      'out-of-range',
    );
    // Bytes that are not a command.
    refused(sm, new Uint8Array([]), 'bad-command');
    refused(sm, new Uint8Array([9, 1, 0]), 'bad-command');
    refused(sm, encodeCommand(append('t', 'x')).slice(0, -1), 'bad-command');
    // A lone surrogate cannot be spelt in UTF-8; its WTF-8 bytes (ED A0 80) are refused.
    const wtf8 = new ByteWriter()
      .byte(1)
      .byte(1)
      .uint(0)
      .string('alice')
      .string('t')
      .bytes(new Uint8Array([0x61, 0xed, 0xa0, 0x80]))
      .finish();
    refused(sm, wtf8, 'bad-text');
    const invalidUtf8 = new ByteWriter()
      .byte(1)
      .byte(1)
      .uint(0)
      .string('alice')
      .bytes(new Uint8Array([0xff]))
      .string('')
      .finish();
    refused(sm, invalidUtf8, 'bad-text');
    expect(sm.get(1)!.body).toBe('a😀b');
    expect(sm.stats().operations).toBe(1);
  });

  it('keeps a bounded history that survives a snapshot', () => {
    const sm = new DocumentLog();
    ok(run(sm, append('t', '')));
    for (let i = 0; i < HISTORY_LIMIT + 50; i++) ok(run(sm, edit(1, i + 1, [[0, 0, 'x']])));
    const stats = sm.stats();
    expect(stats.operations).toBe(HISTORY_LIMIT + 51);
    expect(stats.historyFrom).toBe(52);
    const copy = new DocumentLog();
    let reset = 0;
    copy.onReset = () => reset++;
    copy.restore(sm.snapshot());
    expect(reset).toBe(1);
    expect(copy.historyRecords({ limit: HISTORY_LIMIT })).toEqual(
      sm.historyRecords({ limit: HISTORY_LIMIT }),
    );
    expect(Buffer.from(copy.snapshot()).equals(Buffer.from(sm.snapshot()))).toBe(true);
    // Restored and original go on identically (the rebase window travelled too).
    const v = sm.get(1)!.version;
    const c = edit(1, v - 10, [[0, 0, 'y']], { rebase: true });
    expect(run(copy, c, 'peer-b', 99_999)).toEqual(run(sm, c, 'peer-b', 99_999));
    expect(copy.get(1)).toEqual(sm.get(1));
  });
});

describe('rebasing (text operations)', () => {
  const patchesOn = (len: number) =>
    fc
      .array(
        fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.string({ maxLength: 3, unit: 'grapheme-ascii' })),
        { maxLength: 4 },
      )
      .map((raw) => {
        // Make each patch fit the text it applies to.
        const out: Patch[] = [];
        let l = len;
        for (const [p, d, s] of raw) {
          const pos = l === 0 ? 0 : p % (l + 1);
          const del = Math.min(d, l - pos);
          out.push([pos, del, s]);
          l += s.length - del;
        }
        return out;
      });
  const doc = fc.string({ maxLength: 12, unit: 'grapheme-ascii' });

  it('converges: theirs then ours-rebased equals ours then theirs-rebased', () => {
    fc.assert(
      fc.property(
        doc.chain((d) => fc.tuple(fc.constant(d), patchesOn(d.length), patchesOn(d.length))),
        ([d, a, b]) => {
          const A = TextOperation.fromPatches(d.length, a)!;
          const B = TextOperation.fromPatches(d.length, b)!;
          const [aPrime, bPrime] = TextOperation.transform(A, B);
          const left = applyEdits(applyEdits(d, [a]), [bPrime.toPatches()]);
          const right = applyEdits(applyEdits(d, [b]), [aPrime.toPatches()]);
          expect(left).toBe(right);
          // toPatches is the operation itself.
          expect(applyEdits(d, [A.toPatches()])).toBe(applyEdits(d, [a]));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rebases inside the state machine exactly as the transform says, when the changes are disjoint', () => {
    fc.assert(
      fc.property(
        doc.chain((d) => fc.tuple(fc.constant(d), patchesOn(d.length), patchesOn(d.length))),
        ([d, theirs, ours]) => {
          const sm = new DocumentLog();
          ok(run(sm, append('t', d)));
          ok(run(sm, edit(1, 1, theirs)));
          const T = TextOperation.fromPatches(d.length, theirs)!;
          const O = TextOperation.fromPatches(d.length, ours)!;
          if (TextOperation.overlaps(T, O)) {
            refused(sm, edit(1, 1, ours, { rebase: true }), 'conflict');
            return;
          }
          const r = ok(run(sm, edit(1, 1, ours, { rebase: true })));
          expect(r.version).toBe(3);
          const [, oPrime] = TextOperation.transform(T, O);
          expect(sm.get(1)!.body).toBe(applyEdits(applyEdits(d, [theirs]), [oPrime.toPatches()]));
        },
      ),
      { numRuns: 500, seed: 15 },
    );
  });
});

describe('bodyAt: the body at a past version (what `synod edit --base` diffs against)', () => {
  it('undoes the kept changes, newest first, back to any version they reach', () => {
    const sm = new DocumentLog();
    const id = ok(run(sm, append('t', 'one\ntwo\nthree'))).id;
    const bodies = ['one\ntwo\nthree'];
    // Several patches in one edit, a rebased edit, a delete and a restore (no patches).
    ok(
      run(
        sm,
        edit(id, 1, [
          [0, 3, 'ONE'],
          [8, 5, 'THREE!'],
        ]),
      ),
    );
    ok(run(sm, edit(id, 1, [[4, 3, '2']], { rebase: true })));
    bodies.push('ONE\ntwo\nTHREE!', 'ONE\n2\nTHREE!');
    ok(run(sm, { ...base, type: 'delete', id, version: 3 }));
    ok(run(sm, { ...base, type: 'restore', id, version: 4 }));
    bodies.push('ONE\n2\nTHREE!', 'ONE\n2\nTHREE!');
    ok(run(sm, edit(id, 5, [[0, 12, '']])));
    bodies.push('');
    bodies.forEach((body, i) => expect(sm.bodyAt(id, i + 1)).toBe(body));
    expect(sm.bodyAt(id, 0)).toBeUndefined();
    expect(sm.bodyAt(id, 7)).toBeUndefined();
    expect(sm.bodyAt(id + 1, 1)).toBeUndefined();
  });

  it('knows nothing before a restored snapshot, nor older than the rebase window', () => {
    const sm = new DocumentLog();
    const id = ok(run(sm, append('t', 'a'))).id;
    ok(run(sm, edit(id, 1, [[1, 0, 'b']])));
    const copy = new DocumentLog();
    copy.restore(sm.snapshot());
    expect(copy.bodyAt(id, 2)).toBe('ab');
    expect(copy.bodyAt(id, 1)).toBeUndefined();
    ok(run(copy, edit(id, 2, [[2, 0, 'c']])));
    expect(copy.bodyAt(id, 2)).toBe('ab');
    for (let v = 2; v <= REBASE_WINDOW + 2; v++) ok(run(sm, edit(id, v, [[0, 0, 'x']])));
    expect(sm.bodyAt(id, 3)).toBe('xab');
    expect(sm.bodyAt(id, 2)).toBeUndefined();
  });
});

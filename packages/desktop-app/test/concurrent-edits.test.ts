/**
 * Concurrent edits of one entry, as the UI makes them: each peer diffs its editor's text against
 * the version it opened (diffPatches) and sends the patches with that version, asking to be
 * rebased. The log decides an order; each later edit is rebased over the earlier ones or
 * refused as a conflict. Whatever the order, an edit applied keeps its intent exactly, and an
 * edit refused really met another's change.
 *
 * The oracle does not use the transform: every edit's patches are turned back into ranges of
 * the base text; the edits applied must have pairwise disjoint ranges (not even touching), the
 * result must be the base text with all their replacements spliced in, and every refused edit
 * must meet a range of an edit applied before it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DocumentLog,
  applyEdits,
  decodeResult,
  diffPatches,
  encodeCommand,
  type DocumentResult,
  type Patch,
} from '../src/document/index.js';

interface Hunk {
  readonly start: number;
  readonly end: number;
  readonly ins: string;
}

/** Sequential patches (ascending, as diffPatches makes them) as ranges of the text before. */
function hunksOf(patches: readonly Patch[]): Hunk[] {
  let delta = 0;
  return patches.map(([pos, del, ins]) => {
    const start = pos - delta;
    delta += ins.length - del;
    return { start, end: start + del, ins };
  });
}

const meet = (a: Hunk, b: Hunk): boolean => a.start <= b.end && b.start <= a.end;

function splice(base: string, hunks: readonly Hunk[]): string {
  let out = '';
  let at = 0;
  for (const h of [...hunks].sort((x, y) => x.start - y.start)) {
    out += base.slice(at, h.start) + h.ins;
    at = h.end;
  }
  return out + base.slice(at);
}

/** Run `edits` (each made against version 1 of `base`) in this order through the log. */
function decide(
  base: string,
  edits: readonly Patch[][],
): { results: DocumentResult[]; body: string } {
  const sm = new DocumentLog();
  let slot = 0;
  const run = (c: Parameters<typeof encodeCommand>[0]): DocumentResult =>
    decodeResult(sm.apply(encodeCommand(c), { slot: ++slot, client: 'p' }));
  run({ type: 'append', time: 0, author: 'a', title: 't', body: base });
  const results = edits.map((patches) =>
    run({ type: 'edit', time: 0, author: 'a', id: 1, version: 1, patches, rebase: true }),
  );
  return { results, body: sm.get(1)!.body };
}

function check(base: string, texts: readonly string[]): void {
  const patches = texts.map((t) => diffPatches(base, t));
  patches.forEach((p, i) => expect(applyEdits(base, [p])).toBe(texts[i]));
  const { results, body } = decide(base, patches);
  const applied: Hunk[][] = [];
  results.forEach((r, i) => {
    const mine = hunksOf(patches[i]!);
    expect(splice(base, mine)).toBe(texts[i]);
    const met = applied.some((hs) => hs.some((h) => mine.some((m) => meet(h, m))));
    if (r.ok) {
      expect(met).toBe(false);
      applied.push(mine);
    } else {
      expect(r.code).toBe('conflict');
      expect(met).toBe(true);
    }
  });
  expect(body).toBe(splice(base, applied.flat()));
}

const word = fc.constantFrom('Friday', 'Monday', 'the', 'plan', 'a', 'ship', 'it', 'x', 'ü', '😀');
const sep = fc.constantFrom(' ', ' ', '\n', ', ');
const text = fc
  .array(fc.tuple(word, sep), { maxLength: 14 })
  .map((ws) => ws.map(([w, s]) => w + s).join(''));

/** A person's edit of `base`: a few random word-level changes (replace, insert, delete). */
function editOf(base: string): fc.Arbitrary<string> {
  const change = fc.tuple(
    fc.constantFrom('replace', 'insert', 'delete'),
    fc.nat(),
    fc.nat({ max: 8 }),
    fc.tuple(word, sep),
  );
  return fc.array(change, { minLength: 1, maxLength: 3 }).map((cs) => {
    let t = base;
    for (const [kind, at, len, [w, s]] of cs) {
      let pos = t.length === 0 ? 0 : at % (t.length + 1);
      // Never cut a surrogate pair: the editor never does.
      if (pos > 0 && pos < t.length && /[\uDC00-\uDFFF]/.test(t[pos]!)) pos--;
      let end = Math.min(t.length, pos + (kind === 'insert' ? 0 : len));
      if (end > 0 && end < t.length && /[\uDC00-\uDFFF]/.test(t[end]!)) end++;
      t = t.slice(0, pos) + (kind === 'delete' ? '' : w + s) + t.slice(end);
    }
    return t;
  });
}

describe('concurrent edits: both intents exactly, or a conflict', () => {
  it('Friday to Monday and to Tuesday at once: a conflict, never "TuesMonday"', () => {
    const base = 'Meeting on Friday at 10.';
    const { results, body } = decide(base, [
      diffPatches(base, 'Meeting on Monday at 10.'),
      diffPatches(base, 'Meeting on Tuesday at 10.'),
    ]);
    expect(results[0]!.ok).toBe(true);
    expect(results[1]).toMatchObject({ ok: false, code: 'conflict', version: 2 });
    expect(body).toBe('Meeting on Monday at 10.');
  });

  it("an edit in two places keeps another's edit between them", () => {
    const base = 'one\ntwo\nthree\nfour\nfive\n';
    // alice changes lines one and five; bob appends to line three.
    const alice = 'ONE\ntwo\nthree\nfour\nFIVE\n';
    const bob = 'one\ntwo\nthree and more\nfour\nfive\n';
    expect(diffPatches(base, alice)).toHaveLength(2);
    for (const order of [
      [alice, bob],
      [bob, alice],
    ]) {
      const { results, body } = decide(
        base,
        order.map((t) => diffPatches(base, t)),
      );
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      expect(body).toBe('ONE\ntwo\nthree and more\nfour\nFIVE\n');
    }
  });

  it('diffPatches turns any text into any other, in hunks that leave the rest alone', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const p = diffPatches(a, b);
        expect(applyEdits(a, [p])).toBe(b);
        expect(splice(a, hunksOf(p))).toBe(b);
      }),
      { numRuns: 1000, seed: 1501 },
    );
  });

  it('random pairs of concurrent edits on random texts', () => {
    fc.assert(
      fc.property(
        text.chain((base) => fc.tuple(fc.constant(base), editOf(base), editOf(base))),
        ([base, x, y]) => check(base, [x, y]),
      ),
      { numRuns: 1500, seed: 1502 },
    );
  });

  it('random triples of concurrent edits on random texts', () => {
    fc.assert(
      fc.property(
        text.chain((base) => fc.tuple(fc.constant(base), editOf(base), editOf(base), editOf(base))),
        ([base, x, y, z]) => check(base, [x, y, z]),
      ),
      { numRuns: 1000, seed: 1503 },
    );
  });
});

/**
 * The UI's entry index (renderer/entry-index.ts): kept as entries arrive, its searches (the
 * narrowed ones too) always answer what filtering the whole list would.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntryView } from '../src/document/index.js';
import { EntryIndex } from '../renderer/entry-index.js';

function entry(
  id: number,
  version: number,
  title: string,
  body: string,
  deleted = false,
): EntryView {
  return {
    id,
    version,
    title,
    body,
    deleted,
    author: 'a',
    authorId: 'p',
    created: 1,
    createdSlot: 1,
    updated: 1,
    updatedSlot: 1,
    updatedBy: 'a',
  };
}

/** What a search must answer: the whole list filtered. */
function naive(entries: Map<number, EntryView>, query: string, deleted: boolean): number[] {
  const q = query.trim().toLowerCase();
  return [...entries.values()]
    .filter((e) => (deleted || !e.deleted) && `${e.title}\n${e.body}`.toLowerCase().includes(q))
    .map((e) => e.id)
    .sort((a, b) => a - b);
}

function ids(index: EntryIndex, query: string, deleted: boolean): number[] {
  const r = index.search(query, deleted);
  return Array.from({ length: r.count }, (_, k) => r.at(k)!.id);
}

describe('EntryIndex', () => {
  it('narrows a longer query within the previous matches, and keeps them as entries arrive', () => {
    const index = new EntryIndex();
    index.replaceAll([
      entry(1, 1, 'Note one', 'x'),
      entry(2, 1, 'Other', 'a note'),
      entry(3, 1, 'Zed', ''),
    ]);
    expect(ids(index, 'no', false)).toEqual([1, 2]);
    expect(ids(index, 'note', false)).toEqual([1, 2]);
    expect(ids(index, 'note o', false)).toEqual([1]);
    // An entry arrives that matches the query being typed: it is among the matches at once.
    expect(index.upsert(entry(4, 1, 'note only', ''))).toBe(true);
    expect(ids(index, 'note o', false)).toEqual([1, 4]);
    // A newer version that no longer matches leaves; an older version changes nothing.
    expect(index.upsert(entry(1, 2, 'renamed', 'x'))).toBe(true);
    expect(index.upsert(entry(1, 1, 'Note one', 'x'))).toBe(false);
    expect(ids(index, 'note o', false)).toEqual([4]);
    // Deleted entries only when asked; the total says how many could match.
    index.upsert(entry(4, 2, 'note only', '', true));
    expect(ids(index, 'note o', false)).toEqual([]);
    expect(ids(index, 'note o', true)).toEqual([4]);
    expect(index.search('', false).total).toBe(3);
    expect(index.search('', true).total).toBe(4);
  });

  it('answers every search as filtering the whole list would (random arrivals and queries)', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('upsert' as const),
        id: fc.integer({ min: 1, max: 12 }),
        version: fc.integer({ min: 1, max: 4 }),
        title: fc.stringMatching(/^[abAB ]{0,4}$/),
        body: fc.stringMatching(/^[ab\n]{0,4}$/),
        deleted: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('search' as const),
        query: fc.stringMatching(/^[abAB ]{0,3}$/),
        deleted: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('type' as const),
        letter: fc.constantFrom('a', 'b', 'B', ' '),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const index = new EntryIndex();
        const truth = new Map<number, EntryView>();
        let query = '';
        let deleted = false;
        for (const o of ops) {
          if (o.kind === 'upsert') {
            const e = entry(o.id, o.version, o.title, o.body, o.deleted);
            const newer = (truth.get(o.id)?.version ?? 0) < o.version;
            expect(index.upsert(e)).toBe(newer);
            if (newer) truth.set(o.id, e);
          } else {
            if (o.kind === 'search') {
              query = o.query;
              deleted = o.deleted;
            } else query += o.letter;
            expect(ids(index, query, deleted)).toEqual(naive(truth, query, deleted));
          }
          expect(index.size).toBe(truth.size);
        }
        expect(ids(index, query, deleted)).toEqual(naive(truth, query, deleted));
      }),
      { numRuns: 300 },
    );
  });
});

/** The UI's text helpers (renderer/format.ts): the one patch an editor save sends. */
import { describe, expect, it } from 'vitest';
import { isWellFormed, TextBuffer } from '../src/document/index.js';
import { diffPatches as diffPatch } from '../src/document/diff.js';

function apply(text: string, patches: ReturnType<typeof diffPatch>): string {
  const b = new TextBuffer(text);
  for (const [pos, del, ins] of patches) b.splice(pos, del, ins);
  return b.toString();
}

describe("diffPatches (the editor's patches)", () => {
  it('turns one text into the other with one patch of the changed middle', () => {
    expect(diffPatch('same', 'same')).toEqual([]);
    expect(diffPatch('hello world', 'hello brave world')).toEqual([[6, 0, 'brave ']]);
    expect(diffPatch('abc', '')).toEqual([[0, 3, '']]);
    expect(diffPatch('', 'xyz')).toEqual([[0, 0, 'xyz']]);
    expect(diffPatch('aaa', 'aa')).toEqual([[2, 1, '']]);
  });

  it('never cuts a surrogate pair', () => {
    const cases: [string, string][] = [
      ['a😀b', 'a😃b'],
      ['😀', '😃'],
      ['x😀', 'x😀😀'],
      ['😀y', '😃y'],
      ['ab😀cd', 'ab😁cd'],
    ];
    for (const [from, to] of cases) {
      const patches = diffPatch(from, to);
      expect(apply(from, patches)).toBe(to);
      for (const [, , ins] of patches) expect(isWellFormed(ins)).toBe(true);
      for (const [pos, del] of patches) {
        const cut = (i: number) => {
          const c = from.charCodeAt(i);
          return c >= 0xdc00 && c <= 0xdfff;
        };
        expect(cut(pos)).toBe(false);
        expect(cut(pos + del)).toBe(false);
      }
    }
  });

  it('round-trips random edits', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', 'b', ' ', '😀', 'é'];
    const word = (n: number) => Array.from({ length: n }, () => alphabet[rnd(5)]).join('');
    for (let i = 0; i < 500; i++) {
      const from = word(rnd(12));
      const to = word(rnd(12));
      expect(apply(from, diffPatch(from, to))).toBe(to);
    }
  });
});

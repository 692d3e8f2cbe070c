/**
 * The patches of an edit, from the text before and the text after: one patch per changed run
 * (a hunk), from jsdiff's character diff (the `diff` package: Myers' O(ND) algorithm, over code
 * points, so a surrogate pair is never cut). An edit in two places is two patches, never one
 * replacement spanning everything between them: the text in between stays untouched, so a
 * concurrent edit there survives (and one that meets a hunk is a conflict, see TextOperation).
 *
 * Why jsdiff: small, well kept, ESM and typed, and it bounds its own work (maxEditLength):
 * a paste that replaces most of a long text falls back to one replacement of the changed middle
 * instead of an O(N²) search. No DOM or Node: the renderer and the tests use the same function.
 */
import { diffChars } from 'diff';

/** Beyond this many changed code points, one replacement of the changed middle is exact enough. */
const MAX_EDIT_LENGTH = 2000;

/**
 * Patches that turn `before` into `after`, to apply one after the other (each position in the
 * text the previous ones made), as DocumentLog's edit takes them. Empty when nothing changed.
 */
export function diffPatches(before: string, after: string): [number, number, string][] {
  if (before === after) return [];
  // The common ends first: cheap, and what the fallback keeps.
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  // Never split a surrogate pair at either cut.
  if (start > 0 && isHigh(before.charCodeAt(start - 1))) start--;
  if (end > 0 && isLow(before.charCodeAt(before.length - end))) end--;
  const a = before.slice(start, before.length - end);
  const b = after.slice(start, after.length - end);
  const changes = diffChars(a, b, { maxEditLength: MAX_EDIT_LENGTH });
  if (changes === undefined) return [[start, a.length, b]];
  const out: [number, number, string][] = [];
  let pos = start;
  for (const c of changes) {
    if (!c.added && !c.removed) {
      pos += c.value.length;
      continue;
    }
    const last = out[out.length - 1];
    // A removal and an addition next to each other are one replacement.
    const joined = last !== undefined && last[0] + last[2].length === pos;
    const patch: [number, number, string] = joined ? last : [pos, 0, ''];
    if (!joined) out.push(patch);
    if (c.removed) patch[1] += c.value.length;
    else {
      patch[2] += c.value;
      pos += c.value.length;
    }
  }
  return out;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

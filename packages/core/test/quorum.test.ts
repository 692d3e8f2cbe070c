/** Majority arithmetic, table-tested (as etcd-io/raft's quorum tests). */
import { describe, expect, it } from 'vitest';
import { majority, majorityValue, quorumReached } from '../src/quorum.js';

describe('majority', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
    [6, 4],
    [7, 4],
  ])('of %i voters is %i', (n, m) => {
    expect(majority(n)).toBe(m);
  });
});

describe('quorumReached (PMMC: |waitfor| < |acceptors| / 2)', () => {
  const abc = ['a', 'b', 'c'];
  const abcd = ['a', 'b', 'c', 'd'];
  it.each<[string, string[], string[], boolean]>([
    ['one voter, answered', ['a'], [], true],
    ['one voter, waiting', ['a'], ['a'], false],
    ['3 voters, 2 answered', abc, ['c'], true],
    ['3 voters, 1 answered', abc, ['b', 'c'], false],
    ['4 voters, 2 answered (a tie is no majority)', abcd, ['c', 'd'], false],
    ['4 voters, 3 answered', abcd, ['d'], true],
    ['a stranger in waitfor does not count', abc, ['c', 'x'], true],
  ])('%s', (_, voters, waitfor, want) => {
    expect(quorumReached(voters, new Set(waitfor))).toBe(want);
  });
});

describe('majorityValue: the highest value a majority reached', () => {
  const v = (m: Record<string, number>) => (p: string) => m[p];
  it.each<[string, string[], Record<string, number>, number, number]>([
    ['none heard', ['a', 'b', 'c'], {}, 0, 0],
    ['one of three', ['a', 'b', 'c'], { a: 5 }, 0, 0],
    ['two of three', ['a', 'b', 'c'], { a: 5, b: 3 }, 0, 3],
    ['all three', ['a', 'b', 'c'], { a: 5, b: 3, c: 9 }, 0, 5],
    ['four voters need three', ['a', 'b', 'c', 'd'], { a: 5, b: 3, c: 9 }, 0, 3],
    ['missing counts as given', ['a', 'b', 'c'], { a: 10 }, -Infinity, -Infinity],
    ['non-voters ignored', ['a', 'b', 'c'], { a: 4, x: 100, y: 100 }, 0, 0],
    ['no voters', [], {}, 7, 7],
  ])('%s', (_, voters, values, missing, want) => {
    expect(majorityValue(voters, v(values), missing)).toBe(want);
  });
});

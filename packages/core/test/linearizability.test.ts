import { describe, expect, it } from 'vitest';
import {
  checkLinearizable,
  kvModel,
  type KvInput,
  type Operation,
} from '../src/testing/linearizability.js';

type Op = Operation<KvInput, string>;
const op = (
  client: string,
  input: KvInput,
  output: string | undefined,
  call: number,
  ret: number,
): Op => ({
  client,
  input,
  output,
  call,
  ret,
});

describe('linearizability checker', () => {
  it('accepts a sequential history', () => {
    const h = [
      op('a', { op: 'put', key: 'x', value: '1' }, '', 0, 1),
      op('b', { op: 'get', key: 'x' }, '1', 2, 3),
      op('a', { op: 'append', key: 'x', value: '2' }, '12', 4, 5),
    ];
    expect(checkLinearizable(kvModel, h).ok).toBe(true);
  });

  it('accepts concurrent operations in either order', () => {
    const h = [
      op('a', { op: 'put', key: 'x', value: '1' }, '', 0, 10),
      op('b', { op: 'get', key: 'x' }, '', 1, 2),
      op('c', { op: 'get', key: 'x' }, '1', 3, 4),
    ];
    expect(checkLinearizable(kvModel, h).ok).toBe(true);
  });

  it('rejects a stale read', () => {
    const h = [
      op('a', { op: 'put', key: 'x', value: '1' }, '', 0, 1),
      op('b', { op: 'get', key: 'x' }, '', 2, 3),
    ];
    const r = checkLinearizable(kvModel, h);
    expect(r.ok).toBe(false);
    expect(r.counterexample?.length).toBe(2);
  });

  it('rejects a lost write that a later operation should have seen', () => {
    const h = [
      op('a', { op: 'append', key: 'x', value: '1' }, '1', 0, 1),
      op('b', { op: 'append', key: 'x', value: '2' }, '2', 2, 3),
    ];
    expect(checkLinearizable(kvModel, h).ok).toBe(false);
  });

  it('lets an operation of unknown outcome take effect or not', () => {
    const took = [
      op('a', { op: 'put', key: 'x', value: '1' }, undefined, 0, Infinity),
      op('b', { op: 'get', key: 'x' }, '1', 5, 6),
    ];
    const didNot = [
      op('a', { op: 'put', key: 'x', value: '1' }, undefined, 0, Infinity),
      op('b', { op: 'get', key: 'x' }, '', 5, 6),
    ];
    expect(checkLinearizable(kvModel, took).ok).toBe(true);
    expect(checkLinearizable(kvModel, didNot).ok).toBe(true);
  });

  it('checks keys independently', () => {
    const h = [
      op('a', { op: 'put', key: 'x', value: '1' }, '', 0, 1),
      op('a', { op: 'put', key: 'y', value: '1' }, '', 0, 1),
      op('b', { op: 'get', key: 'y' }, '', 2, 3),
    ];
    expect(checkLinearizable(kvModel, h).ok).toBe(false);
  });
});

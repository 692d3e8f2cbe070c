/**
 * The closed-loop load's latency histogram (bench/lib/latency-histogram.mjs) against the exact
 * summary of the same samples (common.mjs's latencySummary, nearest rank): percentiles within
 * 0.1%, n and max exact, mean to rounding.
 */
import { Prng } from '@synod/core/testing';
import { describe, expect, it } from 'vitest';

// The bench's modules are plain JavaScript (no declarations for this program): their types here.
type Summary = { n: number; p50: number; p99: number; p999: number; mean: number; max: number };
const lib = (f: string) => new URL(`../bench/lib/${f}`, import.meta.url).href;
const { latencySummary } = (await import(lib('common.mjs'))) as {
  latencySummary: (xs: ArrayLike<number>) => Summary;
};
const { LatencyHistogram } = (await import(lib('latency-histogram.mjs'))) as {
  LatencyHistogram: new () => { record: (ms: number) => void; summary: () => Summary };
};

/** The simulator's seeded PRNG: the same samples every run. */
function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

/** Compare both summaries of `xs` (ms). */
function check(xs: Float64Array) {
  const h = new LatencyHistogram();
  for (const x of xs) h.record(x);
  const got = h.summary();
  const exact = latencySummary(xs);
  expect(got.n).toBe(exact.n);
  expect(got.max).toBe(exact.max);
  expect(Math.abs(got.mean - exact.mean) / exact.mean).toBeLessThan(1e-9);
  for (const k of ['p50', 'p99', 'p999'] as const) {
    expect(Math.abs(got[k] - exact[k]) / exact[k], k).toBeLessThanOrEqual(0.001);
  }
}

describe('latency histogram', () => {
  it('agrees with the exact percentiles of C=1-like latencies (0.5-1 ms, a tail to 50 ms)', () => {
    const r = prng(1);
    const xs = new Float64Array(300_000);
    for (let i = 0; i < xs.length; i++) {
      // ~0.7 ms (lognormal), 1% of a slow tail.
      const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      xs[i] = r() < 0.01 ? 1 + 49 * r() : 0.7 * Math.exp(0.1 * z);
    }
    check(xs);
  });

  it('agrees with the exact percentiles of C=1024-like latencies (2-40 ms, uniform)', () => {
    const r = prng(2);
    const xs = new Float64Array(400_000);
    for (let i = 0; i < xs.length; i++) xs[i] = 2 + 38 * r();
    check(xs);
  });

  it('summarises no samples as latencySummary does', () => {
    const got = new LatencyHistogram().summary();
    expect(got).toEqual(latencySummary([]));
  });
});

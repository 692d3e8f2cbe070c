// The closed-loop load's latencies in bounded memory: Node's HDR histogram (perf_hooks), 3
// significant figures. The load runs in the leader's process, whose peak RSS the cluster bench
// reports at C=1024: one sample per command (250k+ cmd/s) was the leader's largest object, 8 MiB
// and more with its copies, which no user's program carries. The histogram takes ~0.3 MiB
// whatever the count.
import { createHistogram } from 'node:perf_hooks';

const NS_PER_MS = 1e6;
/** The largest latency recorded as itself (1000 s); a longer one counts as this. */
const HIGHEST_NS = 1e12;

/**
 * Latencies (ms) recorded as integer nanoseconds: a bucket of 3 significant figures is 2^-10 of
 * its value (0.1%) wide, 512 ns at 0.5-1 ms (C=1's latency), so p50 there is within 0.5 µs;
 * microseconds would make it 1 µs. n, mean and max are exact (kept beside the histogram).
 */
export class LatencyHistogram {
  constructor() {
    this.h = createHistogram({ lowest: 1, highest: HIGHEST_NS, figures: 3 });
    this.n = 0;
    this.sum = 0;
    this.max = -Infinity;
  }

  /** @param {number} ms */
  record(ms) {
    this.n++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    this.h.record(Math.min(HIGHEST_NS, Math.max(1, Math.round(ms * NS_PER_MS))));
  }

  /**
   * What common.mjs's latencySummary gives of the raw samples (ms). A percentile is the top of
   * its bucket (at most 0.1% above the sample's value), never above the exact max.
   */
  summary() {
    const at = (/** @type {number} */ p) =>
      this.n === 0 ? NaN : Math.min(this.max, this.h.percentile(p) / NS_PER_MS);
    return {
      n: this.n,
      p50: at(50),
      p99: at(99),
      p999: at(99.9),
      mean: this.n > 0 ? this.sum / this.n : NaN,
      max: this.n > 0 ? this.max : NaN,
    };
  }
}

// The closed-loop load of the Synod benchmarks: `conc` workers in the app's process, each with
// exactly one proposal outstanding (send, await its result, repeat), as the etcd anchor's client
// does with HTTP requests. Commands that start before `from` (warm-up) or end after the stop
// are not counted. Latencies go to a histogram (latency-histogram.mjs), not a list: the load runs
// in the leader's process, and the RSS the cluster bench reports for the leader must not include
// the bench's own samples.
import { benchCommand } from './bench-sm.mjs';
import { LatencyHistogram } from './latency-histogram.mjs';

/**
 * Wall-clock ms with sub-ms resolution, comparable between processes of one machine. (The
 * origin read once: `performance.timeOrigin` is a getter that costs as much as `now()` itself,
 * twice per command in the load that runs in the leader's process.)
 */
const ORIGIN = performance.timeOrigin;
export const now = () => ORIGIN + performance.now();

/**
 * A growable typed array of numbers: the timeline, for the runs that ask for it (one entry per
 * command; latencies in ms fit a Float32Array, to 1 µs below 8 s).
 */
export class Samples {
  /** @param {Float32ArrayConstructor | Float64ArrayConstructor} [type] @param {number} [capacity] */
  constructor(type = Float64Array, capacity = 1 << 16) {
    /** @type {(n: number) => Float32Array | Float64Array} */
    this.make = (n) => new type(n);
    this.a = this.make(capacity);
    this.n = 0;
  }
  /** @param {number} x */
  push(x) {
    if (this.n === this.a.length) {
      const b = this.make(Math.max(1 << 16, this.a.length * 2));
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  values() {
    return this.a.slice(0, this.n);
  }
}

let nextCommand = Math.floor(Math.random() * 2 ** 40);

/**
 * @typedef {{ stopAt: number, latency: ReturnType<LatencyHistogram['summary']>,
 *   timelineDone: Float32Array | Float64Array, timelineLat: Float32Array | Float64Array,
 *   errors: Record<string, number>, total: number, counted: number,
 *   firstStart: number, lastEnd: number, cpuUs: number }} LoadResult
 */

/**
 * Start the load; `stop()` ends it (waiting for the commands in flight) and returns the figures.
 * @param {(cmd: Uint8Array, opts: { timeoutMs?: number }) => Promise<unknown>} propose
 * @param {{ conc: number, size: number, from: number, timeline?: boolean, timeoutMs?: number }} o
 */
export function startLoad(propose, o) {
  let stopped = false;
  let stopAt = Infinity;
  const lat = new LatencyHistogram();
  // The timeline (absolute times: 64-bit) only when asked for.
  const done = new Samples(Float64Array, o.timeline === true ? 1 << 16 : 0);
  const doneLat = new Samples(Float32Array, o.timeline === true ? 1 << 16 : 0);
  /** @type {Record<string, number>} */
  const errors = {};
  let firstStart = Infinity;
  let lastEnd = 0;
  let total = 0;
  let cpu0 = process.cpuUsage();
  let cpuFrom = false;
  const opts = o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs };
  const worker = async () => {
    while (!stopped) {
      const cmd = benchCommand(nextCommand++, o.size);
      const t = now();
      if (!cpuFrom && t >= o.from) {
        cpuFrom = true;
        cpu0 = process.cpuUsage();
      }
      try {
        await propose(cmd, opts);
      } catch (e) {
        const k = e instanceof Error ? `${e.name}: ${e.message.slice(0, 80)}` : String(e);
        errors[k] = (errors[k] ?? 0) + 1;
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const e = now();
      total++;
      if (o.timeline === true) {
        done.push(e);
        doneLat.push(e - t);
      }
      if (t >= o.from && e <= stopAt) {
        lat.record(e - t);
        if (t < firstStart) firstStart = t;
        if (e > lastEnd) lastEnd = e;
      }
    }
  };
  const workers = Array.from({ length: o.conc }, () => worker());
  return {
    /** @returns {Promise<LoadResult>} */
    stop: async () => {
      stopAt = now();
      stopped = true;
      const cpu = process.cpuUsage(cpu0);
      await Promise.all(workers);
      return {
        stopAt,
        latency: lat.summary(),
        timelineDone: done.values(),
        timelineLat: doneLat.values(),
        errors,
        total,
        counted: lat.n,
        firstStart,
        lastEnd,
        cpuUs: cpu.user + cpu.system,
      };
    },
  };
}

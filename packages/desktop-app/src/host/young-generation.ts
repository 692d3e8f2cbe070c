/**
 * The app's V8 policy for its peer (issue 13, memory): keep V8's young generation at two 8 MiB
 * semi-spaces instead of the default 16.
 *
 * Under any sustained load V8 doubles the young generation until it reaches its maximum, two
 * 16 MiB semi-spaces (32 MiB resident), and keeps it while busy. A peer at high throughput then
 * spends 32 MiB there; with 8 MiB semi-spaces, scavenges come twice as often and the peer's
 * peak is ~15 MiB lower (packages/peer/README.md "Memory" has the figures), at a CPU cost
 * within the noise of the cluster bench.
 *
 * This is a process-wide choice, so it is the app's (`synod start`, the Electron main process),
 * never the libraries': a program embedding @synod/core or @synod/peer keeps V8's defaults
 * unless it chooses otherwise (e.g. `node --max-semi-space-size=8`).
 *
 * Why not `--max-semi-space-size`: V8 reads it once, when the heap is set up, so setting it at
 * run time does nothing, and the packaged app is started by the OS, not with our flags. V8
 * reads `--semi-space-growth-factor` whenever it grows the young generation: after each garbage
 * collection this sets it to 1 (no growth) once the young generation has reached the cap, and
 * back to V8's 2 while it is below (V8 shrinks it when the peer idles, and it must be able to
 * grow back).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation's cap: both semi-spaces together, as V8 reports new_space. */
export const YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;

/** V8's default growth factor of the young generation. */
const V8_GROWTH_FACTOR = 2;

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Keep the young generation at most `capBytes` (both semi-spaces) from now on, in this process.
 * Returns a function that stops doing so and restores V8's growth.
 */
export function capYoungGeneration(capBytes = YOUNG_GENERATION_CAP_BYTES): () => void {
  let capped = false;
  const check = (): void => {
    const atCap = youngGenerationBytes() >= capBytes;
    if (atCap === capped) return;
    capped = atCap;
    setFlagsFromString(`--semi-space-growth-factor=${atCap ? 1 : V8_GROWTH_FACTOR}`);
  };
  // A 'gc' entry follows each collection (delivered in batches, soon after): the young
  // generation only grows at a collection, and needs several before it can grow again.
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  check();
  return () => {
    observer.disconnect();
    if (capped) setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
    capped = false;
  };
}

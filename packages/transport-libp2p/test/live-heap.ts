import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Live heap and ArrayBuffer bytes, for tests that bound what a peer makes another hold. gc()
 * twice: a full GC frees unreachable ArrayBuffers' memory on a background thread, and
 * process.memoryUsage().arrayBuffers counts them until that sweep ends; the next GC first waits
 * for it. With one gc(), a loaded machine (the sweeper thread not yet run) counted 35-40 MB of
 * garbage frames in slow-reader.test.ts.
 */
export function liveHeapBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

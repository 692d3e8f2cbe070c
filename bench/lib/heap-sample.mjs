// V8's sampling heap profiler over a window, through the inspector (issue 13's footprint): which
// allocation sites hold memory at the end of the window, and, with `majorGC`, also what was
// collected meanwhile by a full GC only, i.e. objects that survived the young generation and then
// died: the old generation's garbage, which sets a busy peer's heap size.
import { Session } from 'node:inspector/promises';

/**
 * Sample for `ms`; returns the top allocation sites by bytes.
 * @param {{ ms: number, majorGC?: boolean, minorGC?: boolean, top?: number, intervalBytes?: number }} o
 */
export async function sampleHeap(o) {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: o.intervalBytes ?? 16384,
      includeObjectsCollectedByMajorGC: o.majorGC === true,
      includeObjectsCollectedByMinorGC: o.minorGC === true,
    });
    await new Promise((resolve) => setTimeout(resolve, o.ms));
    const { profile } = await session.post('HeapProfiler.stopSampling');
    /**
     * @typedef {{ callFrame: { functionName: string, url: string, lineNumber: number },
     *   selfSize: number, children: SampleNode[] }} SampleNode
     */
    /** @type {Map<string, number>} */
    const bySite = new Map();
    let total = 0;
    /** @param {SampleNode} node @param {string} parent */
    const walk = (node, parent) => {
      const f = node.callFrame;
      const url = String(f.url).replace(/^.*\/(packages|node_modules|bench)\//, '$1/');
      const site = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
      if (node.selfSize > 0) {
        const key = `${site} <- ${parent}`;
        bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
        total += node.selfSize;
      }
      for (const c of node.children) walk(c, site);
    };
    walk(/** @type {SampleNode} */ (profile.head), '');
    const top = [...bySite]
      .sort((a, b) => b[1] - a[1])
      .slice(0, o.top ?? 25)
      .map(([site, bytes]) => ({ site, mb: Math.round(bytes / 1e4) / 100 }));
    return { totalMB: Math.round(total / 1e4) / 100, top };
  } finally {
    session.disconnect();
  }
}

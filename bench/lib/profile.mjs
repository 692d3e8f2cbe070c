// Summaries of V8 CPU profiles (node --cpu-prof): self and inclusive time per function, and
// per package (core, transport, storage, libp2p, node internals...), for REPORT.md.
//
//   node bench/lib/profile.mjs <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJson } from './common.mjs';

/**
 * @typedef {{ functionName: string, url: string, lineNumber: number, columnNumber: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, children?: number[], hitCount?: number }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }} Profile
 */

/** Where a function lives, as a short name. @param {string} url */
export function areaOf(url) {
  if (url === '') return '(native/V8)';
  const m = /\/packages\/([^/]+)\//.exec(url);
  if (m !== null) return `@synod/${m[1]}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm !== null) return nm[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/bench/')) return 'bench';
  return url;
}

/** @param {CallFrame} f */
function frameKey(f) {
  const file = f.url === '' ? '' : basename(f.url);
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
}

/**
 * @param {string} file
 * @returns {{ totalMs: number, idleMs: number, gcMs: number,
 *   self: { fn: string, area: string, ms: number }[],
 *   inclusive: { fn: string, area: string, ms: number }[],
 *   areas: { area: string, ms: number }[] }}
 */
export function summarizeProfile(file) {
  const p = /** @type {Profile} */ (parseJson(readFileSync(file, 'utf8')));
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** @type {Map<number, number>} */
  const selfUs = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    const dt = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  let total = 0;
  let idle = 0;
  let gc = 0;
  /** @type {Map<string, { area: string, us: number }>} */
  const self = new Map();
  /** @type {Map<string, { area: string, us: number }>} */
  const incl = new Map();
  /** @type {Map<string, number>} */
  const areas = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (n === undefined) continue;
    total += us;
    const name = n.callFrame.functionName;
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    if (name === '(garbage collector)') gc += us;
    const k = frameKey(n.callFrame);
    const area = name === '(garbage collector)' ? '(gc)' : areaOf(n.callFrame.url);
    const s = self.get(k) ?? { area, us: 0 };
    s.us += us;
    self.set(k, s);
    // The area of the innermost frame that is not a node internal or V8 builtin: whose work it is.
    let owner = area;
    let cur = /** @type {number | undefined} */ (id);
    while (cur !== undefined && (owner === '(native/V8)' || owner === 'node internals')) {
      const c = byId.get(cur);
      if (c === undefined) break;
      const a = areaOf(c.callFrame.url);
      if (a !== '(native/V8)' && a !== 'node internals') owner = a;
      cur = parent.get(cur);
    }
    areas.set(owner, (areas.get(owner) ?? 0) + us);
    /** @type {Set<string>} */
    const seen = new Set();
    cur = id;
    while (cur !== undefined) {
      const c = byId.get(cur);
      if (c === undefined) break;
      const ck = frameKey(c.callFrame);
      if (!seen.has(ck) && c.callFrame.functionName !== '(root)') {
        seen.add(ck);
        const e = incl.get(ck) ?? { area: areaOf(c.callFrame.url), us: 0 };
        e.us += us;
        incl.set(ck, e);
      }
      cur = parent.get(cur);
    }
  }
  const sorted = (/** @type {Map<string, { area: string, us: number }>} */ m) =>
    [...m].map(([fn, v]) => ({ fn, area: v.area, ms: v.us / 1000 })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    gcMs: gc / 1000,
    self: sorted(self),
    inclusive: sorted(incl),
    areas: [...areas].map(([area, us]) => ({ area, ms: us / 1000 })).sort((a, b) => b.ms - a.ms),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  const top = Number(process.argv[process.argv.indexOf('--top') + 1] || 25);
  if (file === undefined) {
    console.error('usage: node bench/lib/profile.mjs <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  const s = summarizeProfile(file);
  const busy = s.totalMs - s.idleMs;
  console.log(
    `total ${s.totalMs.toFixed(0)} ms, busy ${busy.toFixed(0)} ms, gc ${s.gcMs.toFixed(0)} ms`,
  );
  console.log('\nby area (% of busy):');
  for (const a of s.areas)
    console.log(`  ${((100 * a.ms) / busy).toFixed(1).padStart(5)}%  ${a.area}`);
  console.log('\nself time (% of busy):');
  for (const f of s.self.slice(0, top)) {
    console.log(`  ${((100 * f.ms) / busy).toFixed(1).padStart(5)}%  ${f.fn}  [${f.area}]`);
  }
  console.log('\ninclusive time (% of busy):');
  for (const f of s.inclusive.slice(0, top)) {
    console.log(`  ${((100 * f.ms) / busy).toFixed(1).padStart(5)}%  ${f.fn}  [${f.area}]`);
  }
}

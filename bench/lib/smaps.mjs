// Where a process's resident memory is, from /proc/PID/smaps (Linux; issue 13's footprint): the
// mappings' resident KiB summed by kind. V8's heap and the ArrayBuffers it hands to malloc are not
// told apart by the kernel: set this beside the `memory` answer of peer-child.mjs (V8's spaces,
// external and ArrayBuffer bytes) to split the anonymous part.
import { readFileSync, realpathSync } from 'node:fs';

const ARENA = 64n << 20n;
const NODE = realpathSync(process.execPath);

/**
 * Resident MiB by kind: `brk heap` (glibc's main malloc arena: ArrayBuffers, SQLite, OpenSSL,
 * libuv), `malloc thread arenas` (one per thread that mallocs, 64 MiB-aligned), `other
 * anonymous` (V8's heap pages, large mmap'd chunks), `node binary` (its text and data, mapped
 * from the file), `other files` (shared libraries, better-sqlite3's addon), `stacks`.
 * @param {number} pid
 * @returns {{ rssMiB: number, anonymousMiB: number, byKind: Record<string, number>, threads: number }}
 */
export function smapsBreakdown(pid) {
  /** @type {{ start: bigint, end: bigint, perms: string, name: string, kb: number }[]} */
  const maps = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (m !== null) {
      maps.push({
        start: BigInt(`0x${m[1]}`),
        end: BigInt(`0x${m[2]}`),
        perms: m[3],
        name: m[4],
        kb: 0,
      });
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r !== null && maps.length > 0) maps[maps.length - 1].kb = Number(r[1]);
  }
  /** @type {Record<string, number>} */
  const kb = {};
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    let kind = 'other files';
    if (m.name === '[heap]') kind = 'brk heap';
    else if (m.name.startsWith('[stack')) kind = 'stacks';
    else if (m.name.startsWith('[')) kind = 'other';
    else if (m.name === '') {
      // A thread arena: 64 MiB-aligned, its used part read-write, the rest of its 64 MiB reserved.
      const arena =
        m.start % ARENA === 0n &&
        m.perms.startsWith('rw') &&
        (m.end - m.start === ARENA ||
          (next !== undefined &&
            next.name === '' &&
            next.perms === '---p' &&
            next.start === m.end &&
            next.end - m.start === ARENA));
      kind = arena ? 'malloc thread arenas' : 'other anonymous';
    } else if (m.name === NODE) kind = 'node binary';
    kb[kind] = (kb[kind] ?? 0) + m.kb;
  });
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (/** @type {string} */ k) =>
    Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  const threads = Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  const mib = (/** @type {number} */ k) => Math.round(k / 102.4) / 10;
  return {
    rssMiB: mib(field('Rss')),
    anonymousMiB: mib(field('Anonymous')),
    byKind: Object.fromEntries(Object.entries(kb).map(([k, v]) => [k, mib(v)])),
    threads,
  };
}

// Diagnostics (SYNOD_BENCH_LAT_TRACE=<dir>): timestamps of each step on a command's critical
// path in one peer process, kept in memory and written to <dir>/<name>.json when the peer stops:
// proposals and their results, runtime turns, transport sends and receives, the bytes handed to
// and read from the TCP sockets, storage write() calls, the transactions, the WAL's fdatasync and
// the files' stats.
// bench/latency.mjs runs a C=1 load with it and prints where a command's time goes.
import fs, { writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { now } from './load.mjs';

/** @type {[number, string, string][]} */
const events = [];
const MAX = 400_000;
/** @param {string} kind @param {string} [detail] */
const ev = (kind, detail = '') => {
  if (events.length < MAX) events.push([now(), kind, detail]);
};

/**
 * The parts of a peer this module wraps (some are private to their classes: a diagnostic's
 * licence; a rename there shows up here as a TypeError at start, not as silent figures).
 * @typedef {{ send: (to: string, msgs: { type: string }[]) => unknown,
 *   start: (h: (from: string, msgs: { type: string }[]) => void) => Promise<void> }} TracedTransport
 * @typedef {{ write: (b: Record<string, unknown>, hint?: unknown) => Promise<void>,
 *   io?: { runner?: { run: (reqs: { op: string }[]) => unknown[] } } }} TracedStorage
 * @typedef {{ propose: (op: Uint8Array, o?: object) => Promise<Uint8Array>, turn: () => void,
 *   written: (id: number) => void }} TracedNode
 */

/** @param {{ type: string }[]} msgs */
const types = (msgs) => msgs.map((m) => m.type).join(',');

/**
 * Before startNode (the node hands the transport its handler at start).
 * @param {unknown} store a SqliteStorage
 * @param {unknown} tr the libp2p transport
 */
export function traceIo(store, tr) {
  const storage = /** @type {TracedStorage} */ (store);
  const transport = /** @type {TracedTransport} */ (tr);
  const sock =
    /** @type {{ write: (...a: unknown[]) => boolean, push: (...a: unknown[]) => boolean }} */ (
      /** @type {unknown} */ (net.Socket.prototype)
    );
  const sockWrite = sock.write;
  sock.write = function (...args) {
    ev('sock-out', String(/** @type {Uint8Array} */ (args[0])?.length ?? 0));
    return sockWrite.apply(this, args);
  };
  const sockPush = sock.push;
  sock.push = function (...args) {
    if (args[0] !== null) ev('sock-in', String(/** @type {Uint8Array} */ (args[0])?.length ?? 0));
    return sockPush.apply(this, args);
  };
  const send = transport.send.bind(transport);
  transport.send = (to, msgs) => {
    ev('send', `${to.slice(-4)}:${types(msgs)}`);
    return send(to, msgs);
  };
  const start = transport.start.bind(transport);
  transport.start = (h) =>
    start((from, msgs) => {
      ev('recv', `${from.slice(-4)}:${types(msgs)}`);
      h(from, msgs);
      ev('recv-end');
    });
  const write = storage.write.bind(storage);
  storage.write = (b, hint) => {
    ev(
      'write-call',
      Object.entries(b)
        .map(([k, v]) => `${k}${Array.isArray(v) ? `[${v.length}]` : ''}`)
        .join(','),
    );
    return write(b, hint).then(() => ev('write-done'));
  };
  // The WAL's fdatasync (split io: on this thread when awaited, else on the pool) and the stats
  // that check the files are still ours: node:fs's exports, rebound for modules that import them.
  const fsx = /** @type {Record<string, (...a: unknown[]) => unknown>} */ (
    /** @type {unknown} */ (fs)
  );
  /** @type {[string, string][]} */
  const wrapped = [
    ['fdatasyncSync', 'datasync'],
    ['statSync', 'stat'],
  ];
  for (const [name, kind] of wrapped) {
    const orig = fsx[name];
    fsx[name] = (...args) => {
      ev(kind);
      const out = orig(...args);
      ev(`${kind}-end`);
      return out;
    };
  }
  const fdatasync = fsx.fdatasync;
  fsx.fdatasync = (fd, cb) => {
    ev('datasync', 'pool');
    return fdatasync(fd, (/** @type {unknown} */ err) => {
      ev('datasync-end', 'pool');
      /** @type {(e: unknown) => void} */ (cb)(err);
    });
  };
  syncBuiltinESMExports();
  // The transaction itself (inline io: with its fsync; split io: without).
  const runner = storage.io?.runner;
  if (runner !== undefined) {
    const run = runner.run.bind(runner);
    runner.run = (reqs) => {
      const w = reqs.some((r) => r.op === 'write');
      if (w) ev('tx');
      const out = run(reqs);
      if (w) ev('tx-end');
      return out;
    };
  }
}

/** After startNode. @param {unknown} n a SynodNode */
export function traceNode(n) {
  const node = /** @type {TracedNode} */ (n);
  const propose = node.propose.bind(node);
  node.propose = (op, o) => {
    ev('propose');
    const p = propose(op, o);
    p.then(
      () => ev('result'),
      () => ev('result-error'),
    );
    return p;
  };
  const turn = node.turn.bind(node);
  node.turn = () => {
    ev('turn');
    turn();
    ev('turn-end');
  };
  const written = node.written.bind(node);
  node.written = (id) => {
    ev('written', String(id));
    written(id);
  };
}

/** Write the events to `<dir>/<name>.json` (name '': drop them). @param {string} dir @param {string} name */
export function dumpLatencyTrace(dir, name) {
  if (name !== '') writeFileSync(join(dir, `${name}.json`), JSON.stringify(events));
  events.length = 0;
}

/**
 * Index of the first event at or after time `t` in a dumped trace, events in time order (binary
 * search; bench/latency.mjs and bench/rounds.mjs read the traces).
 * @param {[number, string, string][]} e @param {number} t
 */
export function firstAtOrAfter(e, t) {
  let lo = 0;
  let hi = e.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (e[m][0] < t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

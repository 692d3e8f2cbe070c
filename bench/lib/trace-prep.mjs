// Prepares the trace suite's commands on a worker thread, so that the proposer's event loop
// keeps serving the protocol while 259,778 edits are read, parsed and encoded (blocking it for
// seconds would let its leadership lapse before the first edit). The main side:
//
//   const prep = startTracePrep(file, smKind);        // the worker reads and parses the trace
//   const { startContent } = await prep.parsed;       // for the document log's `append`
//   const cmds = await prep.commands({ id, version }); // then every edit, encoded
//
// The commands arrive as one transferred buffer and its offsets: no copy on the main thread.
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';

/**
 * @typedef {{ startContent: string, txns: { patches: [number, number, string][] }[] }} Trace
 * @typedef {{ at(i: number): Uint8Array, readonly length: number }} Commands
 */

/**
 * @param {string} file the gzipped JSON trace @param {'document' | 'text'} sm
 */
export function startTracePrep(file, sm) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { file, sm } });
  /** @type {{ resolve: (m: unknown) => void, reject: (e: Error) => void }[]} */
  const waiting = [];
  /** @type {Error | undefined} */
  let failed;
  worker.on('message', (/** @type {unknown} */ m) => waiting.shift()?.resolve(m));
  worker.on('error', (e) => {
    failed = e;
    for (const w of waiting.splice(0)) w.reject(e);
  });
  /** @returns {Promise<unknown>} */
  const next = () =>
    failed !== undefined
      ? Promise.reject(failed)
      : new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const parsed = /** @type {Promise<{ startContent: string, edits: number }>} */ (next());
  return {
    parsed,
    /**
     * The encoded edits; for the document log, against the entry `id` at `version`.
     * @param {{ id?: number, version?: number }} entry @returns {Promise<Commands>}
     */
    async commands(entry) {
      await parsed;
      const answer = next();
      worker.postMessage(entry);
      const { buffer, offsets } = /** @type {{ buffer: ArrayBuffer, offsets: Uint32Array }} */ (
        await answer
      );
      void worker.terminate();
      const bytes = new Uint8Array(buffer);
      return {
        length: offsets.length - 1,
        at: (i) => bytes.subarray(offsets[i], offsets[i + 1]),
      };
    },
  };
}

// ------------------------------------------------------------------ the worker

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  /** @type {unknown} */
  const start = workerData;
  const { file, sm } = /** @type {{ file: string, sm: 'document' | 'text' }} */ (start);
  /** @type {unknown} */
  const json = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
  const data = /** @type {Trace} */ (json);
  /** @type {[number, number, string][]} */
  const patches = [];
  for (const tx of data.txns) for (const p of tx.patches) patches.push(p);
  port.postMessage({ startContent: data.startContent, edits: patches.length });
  /** @param {{ id?: number, version?: number }} entry */
  const encodeAll = async (entry) => {
    /** @type {Uint8Array[]} */
    let cmds;
    if (sm === 'document') {
      const doc = await import('@synod/desktop-app/document');
      cmds = doc.traceEditCommands(patches, {
        id: /** @type {number} */ (entry.id),
        version: Number(entry.version),
        author: 'bench',
      });
    } else {
      const { encodeEdit } = await import('./text-sm.mjs');
      cmds = patches.map(([pos, del, ins]) => encodeEdit(pos, del, ins));
    }
    const offsets = new Uint32Array(cmds.length + 1);
    for (let i = 0; i < cmds.length; i++) offsets[i + 1] = offsets[i] + cmds[i].length;
    const bytes = new Uint8Array(offsets[cmds.length]);
    cmds.forEach((c, i) => bytes.set(c, offsets[i]));
    port.postMessage({ buffer: bytes.buffer, offsets }, [bytes.buffer, offsets.buffer]);
  };
  port.once('message', (/** @type {{ id?: number, version?: number }} */ entry) => {
    encodeAll(entry).catch((e) => {
      throw e;
    });
  });
}

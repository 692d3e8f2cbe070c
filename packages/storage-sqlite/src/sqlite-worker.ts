/**
 * The storage worker: owns the SQLite connection, so that transactions and their fsync run off
 * the caller's event loop (better-sqlite3 is synchronous). Started by io/worker-io.ts with the
 * file's path and options; it opens the file (every open-time check and typed error happens
 * here, before anything is written), then serves requests in the order they arrive. Whatever
 * has arrived while it was busy runs together: consecutive writes in one transaction.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { batchCodec } from './codec/batch-codec.js';
import { decode } from './codec/codec.js';
import type { WireOutcome, WireRequest, WorkerReply, WorkerStart } from './io/worker-protocol.js';
import { SqliteFile } from './sqlite-file.js';
import { StoreRunner, type StoreRequest } from './store-runner.js';
import { errorToWire, packBytes } from './wire.js';

const port = parentPort;
if (port === null) throw new Error('sqlite-worker.js runs in a worker thread (see worker-io.ts)');
const start = workerData as WorkerStart;

const reply = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let file: SqliteFile | undefined;
try {
  file = new SqliteFile(start.path, start.opts);
} catch (e) {
  reply({ kind: 'open-failed', error: errorToWire(e) });
  port.close();
}

if (file !== undefined) {
  const opened = file;
  const runner = new StoreRunner(opened);
  reply({ kind: 'opened', facts: opened.facts });
  port.on('message', (first: WireRequest) => {
    const wire = [first];
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      wire.push(m.message as WireRequest);
    }
    const outcomes = runner.run(wire.map(fromWire));
    // The batches are written (or failed): their buffers go back to the caller's pool.
    const returned = wire.flatMap((r) =>
      r.op === 'write' ? [r.encoded.buffer as ArrayBuffer] : [],
    );
    const answers: WireOutcome[] = outcomes.map((o) =>
      o.ok ? o : { ok: false, error: errorToWire(o.error) },
    );
    const packed = packBytes(answers);
    reply(
      {
        kind: 'done',
        outcomes: packed.value,
        pageCount: runner.isClosed ? NaN : opened.pageCount(),
        commits: runner.commits,
        returned,
      },
      [...packed.transfer, ...returned],
    );
    if (runner.isClosed) port.close();
  });
}

function fromWire(r: WireRequest): StoreRequest {
  return r.op === 'write' ? { op: 'write', batch: decode(batchCodec, r.encoded) } : r;
}

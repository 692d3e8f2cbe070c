/**
 * The crash test's child process: a real SynodNode (acceptor and replica `A`) on a real
 * database file, talking to the parent over IPC. The parent kills it with SIGKILL at random
 * moments. Started through `fork` (dist/testing/crash-child.js); it loads its modules, says
 * `booted`, and opens the file the parent names in `go`, so that booting node can overlap the
 * previous child's life.
 *
 * SYNOD_CRASH_HOOK breaks the child on purpose, to show that the test can fail:
 * `ack-before-write` makes the store acknowledge before writing (see AckBeforeWriteStorage);
 * `skip-fsync` opens it with durability `normal-unsafe` (commits are not fsynced), which survives
 * a SIGKILL and only a power cut catches.
 * SYNOD_CRASH_IO picks the store's thread (worker or inline).
 */
import { startNode, type Storage } from '@synod/core';
import { KvStateMachine } from '@synod/core/testing';
import { openSqliteStorage } from '../sqlite-storage.js';
import { AckBeforeWriteStorage } from './ack-before-write.js';
import {
  ACCEPTOR,
  CRASH_CHUNK_BYTES,
  CRASH_LOG_ID,
  CRASH_PROTOCOL,
  LEADER,
} from './crash-workload.js';
import { IpcTransport, isIpcFrame, type IpcFrame } from './ipc-transport.js';

async function run(path: string): Promise<void> {
  const io = process.env.SYNOD_CRASH_IO;
  const sqlite = await openSqliteStorage(path, {
    logId: CRASH_LOG_ID,
    snapshotChunkBytes: CRASH_CHUNK_BYTES,
    durability: process.env.SYNOD_CRASH_HOOK === 'skip-fsync' ? 'normal-unsafe' : 'full',
    ...(io === 'worker' || io === 'inline' || io === 'split' ? { io } : {}),
  });
  const storage: Storage =
    process.env.SYNOD_CRASH_HOOK === 'ack-before-write'
      ? new AckBeforeWriteStorage(sqlite)
      : sqlite;
  const sm = new KvStateMachine();
  sm.keepLog = false;
  await startNode({
    id: ACCEPTOR,
    storage,
    transport: new IpcTransport(ACCEPTOR, LEADER),
    stateMachine: sm,
    protocol: CRASH_PROTOCOL,
  });
  const ready: IpcFrame = { kind: 'ready' };
  process.send?.(ready);
}

function fail(e: unknown): never {
  process.stderr.write(`crash-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(3);
}

if (process.send === undefined) fail(new Error('start crash-child.js through fork (IPC channel)'));
// The parent went away: nothing more to do.
process.on('disconnect', () => process.exit(0));
process.once('message', (m: unknown) => {
  if (isIpcFrame(m) && m.kind === 'go') run(m.path).catch(fail);
  else fail(new Error('expected go'));
});
const booted: IpcFrame = { kind: 'booted' };
process.send?.(booted);

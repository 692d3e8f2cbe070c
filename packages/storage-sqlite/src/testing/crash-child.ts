/**
 * The crash test's child process: a real SynodNode (acceptor and replica `A`) on a real
 * database file, talking to the parent over IPC. The parent kills it with SIGKILL at random
 * moments. Run as `node dist/testing/crash-child.js <db path>` through `fork`.
 *
 * SYNOD_CRASH_HOOK=ack-before-write makes the store acknowledge before writing (see
 * AckBeforeWriteStorage), to show that the test can fail.
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
import { IpcTransport, type IpcFrame } from './ipc-transport.js';

async function main(): Promise<void> {
  const path = process.argv[2];
  if (path === undefined || process.send === undefined) {
    throw new Error('usage: fork crash-child.js <db path> (with an IPC channel)');
  }
  // The parent went away: nothing more to do.
  process.on('disconnect', () => process.exit(0));
  const sqlite = await openSqliteStorage(path, {
    logId: CRASH_LOG_ID,
    snapshotChunkBytes: CRASH_CHUNK_BYTES,
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
  process.send(ready);
}

main().catch((e: unknown) => {
  process.stderr.write(`crash-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(3);
});

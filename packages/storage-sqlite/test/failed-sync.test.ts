/**
 * A failed fsync on Linux (EIO, the disk failed a write-back) leaves the pages it could not
 * write clean: the data stays readable, and no later fsync writes it (PostgreSQL's "fsyncgate",
 * 2018). power-cut-fs models exactly that (failSyncs). The store whose sync failed fails closed
 * and its process goes; the next run opens the file and finds the failed commit there, readable.
 * If it takes that for durable and writes after it, a power cut loses the failed commit's frames,
 * and with them every later frame of the WAL: a write acknowledged by the second run is gone.
 *
 * Each run is a child process killed with SIGKILL (a clean close would checkpoint the WAL into
 * the database and hide the loss). Needs FUSE, as power-cut.test.ts.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PowerCutFs } from '@synod/power-cut-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStorage, type StorageIo } from '../src/index.js';
import { tempDir } from './tmp.js';

const tmp = tempDir('synod-failed-sync-');
let disk: PowerCutFs;
beforeAll(async () => {
  disk = await PowerCutFs.mount(join(tmp.dir, 'disk'));
});
afterAll(async () => {
  await disk?.unmount();
  tmp.remove();
});

const STORAGE = new URL('../dist/index.js', import.meta.url).href;

/**
 * Run `body` in a child with `s`, the store at `path`, open; `line()` waits for a line from the
 * test. The child prints what it is told to (`say`), then SIGKILLs itself. Resolves with what it
 * printed; `onLine` sees each line as it comes.
 */
function run(
  path: string,
  io: StorageIo,
  body: string,
  onLine: (line: string, tell: (s: string) => void) => void = () => undefined,
): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createInterface } from 'node:readline';
       const { openSqliteStorage } = await import(${JSON.stringify(STORAGE)});
       const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
       const line = async () => (await lines.next()).value;
       const say = (s) => console.log(s);
       const s = await openSqliteStorage(${JSON.stringify(path)}, { io: ${JSON.stringify(io)} });
       ${body}
       process.kill(process.pid, 'SIGKILL');`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const out: string[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      out.push(l);
      onLine(l, (s) => child.stdin.write(`${s}\n`));
    }
  });
  return new Promise((resolve) => child.on('exit', () => resolve(out)));
}

const promise = (round: number) =>
  `{ promises: [{ config: 0, ballot: { round: ${round}, leader: 'a' } }] }`;

describe('a failed fsync, then a restart, then a power cut', () => {
  it.each(['split', 'inline', 'worker'] as const)(
    'io %s: a write acknowledged after the restart survives the cut',
    async (io) => {
      const path = join(disk.mountpoint, `peer-${io}.db`);
      // Run 1: a write, then one whose sync fails (EIO): rejected, the store fails closed.
      const first = await run(
        path,
        io,
        `await s.write(${promise(1)}, { awaited: true });
         say('written');
         await line();
         await s.write(${promise(2)}, { awaited: true }).then(() => say('2 resolved'), (e) => say('2 rejected: ' + e.message));`,
        (l, tell) => {
          if (l === 'written') void disk.failSyncs(1).then(() => tell('go'));
        },
      );
      expect(first[1]).toMatch(/^2 rejected: .*(EIO|I\/O)/i);
      // Run 2: the failed commit reads back; a new write after it is acknowledged.
      const second = await run(
        path,
        io,
        `say('loaded ' + (await s.load()).promises[0].ballot.round);
         await s.write(${promise(3)}, { awaited: true });
         say('3 resolved');`,
      );
      expect(second).toContain('3 resolved');
      await disk.cut();
      const r = await openSqliteStorage(path, { io });
      const round = (await r.load()).promises[0]?.ballot.round;
      await r.close();
      // Before: 1 (the cut took the failed commit's frames and the acknowledged one after them).
      expect(round).toBe(3);
    },
    60_000,
  );
});

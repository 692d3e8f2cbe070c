/**
 * The crash test (issue 4): a child process runs a real node on a real database file under
 * load and is killed with SIGKILL at random moments; after every kill the parent reopens the
 * file and checks it against what the child had reported (crash-check.ts), then restarts the
 * child on the same file. Several lanes (one file and one child each) run side by side.
 *
 * With `powerCuts` (issue 18), each lane's file lives on a power-cut filesystem of its own
 * (@synod/power-cut-fs) and every kill is followed by a power cut: everything the child wrote
 * but did not make durable is forgotten, as after a pulled plug, before the file is reopened.
 * A SIGKILL alone cannot find a missing fsync (the page cache outlives the process); this can.
 *
 * The child is compiled JS (dist/testing/crash-child.js): `npm test` builds before it runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { PowerCutFs } from '@synod/power-cut-fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from '@synod/core';
import { openSqliteStorage } from '../sqlite-storage.js';
import { checkRecovered, NOTHING_RECOVERED, type Recovered } from './crash-check.js';
import { ScriptedLeader } from './crash-leader.js';
import {
  ACCEPTOR,
  CRASH_CHUNK_BYTES,
  CRASH_LOG_ID,
  initialSnapshot,
  LEADER,
} from './crash-workload.js';
import { isIpcFrame, type IpcFrame } from './ipc-transport.js';

/** From src/testing or dist/testing alike: the compiled child. */
export const CRASH_CHILD = fileURLToPath(
  new URL('../../dist/testing/crash-child.js', import.meta.url),
);

export interface CrashTestOptions {
  /** A directory for the database files. */
  dir: string;
  /** Kills in total, over all lanes. */
  kills: number;
  seed?: number;
  /** Children run side by side, each on its own file. Default 2. */
  lanes?: number;
  /**
   * A deliberately broken child, to show the test can fail: `ack-before-write` acknowledges
   * before writing (AckBeforeWriteStorage); `skip-fsync` commits without fsync (durability
   * `normal-unsafe`), which only a power cut can catch.
   */
  hook?: CrashHook;
  /** Follow every kill by a power cut of the lane's disk (half of them torn). Default false. */
  powerCuts?: boolean;
  /** The child's storage thread (SqliteStorageOptions.io). Default: the store's default. */
  io?: 'worker' | 'inline' | 'split';
  /** Stop once a violation is found. Default false. */
  stopAtFirstViolation?: boolean;
  /**
   * After the child is ready, kill it within this many ms. Default 150. The window stretches on
   * a machine too busy to do a few P2bs in it (see LIVES_WORTH_OF_P2BS).
   */
  maxRunMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export const CRASH_HOOKS = ['ack-before-write', 'skip-fsync'] as const;
export type CrashHook = (typeof CRASH_HOOKS)[number];

export interface CrashTestResult {
  kills: number;
  /** Power cuts (each after a kill), and how many of them were torn. */
  powerCuts: number;
  tornCuts: number;
  /** Cuts that found something not yet durable, and forgot it. */
  cutsThatForgot: number;
  /** Kills that landed while the child was still starting (opening, loading). */
  killsDuringStartup: number;
  violations: string[];
  /** Slots decided over all lanes. */
  decided: number;
  p1bs: number;
  p2bs: number;
  /** The highest snapshot slot recovered in any lane. */
  maxSnapshotSlot: number;
  elapsedMs: number;
}

/**
 * A life under load lasts a random time in a window of at least this many P2bs of the child's
 * (on average half of it). On a quiet machine the fixed window (maxRunMs) holds more; at load
 * 17 (npm test beside 17 spinning processes) one run counted 64 P2bs in 30 lives, so the cuts
 * no longer landed on enough work and power-cut.test's "more than 5 P2bs per cut" failed.
 */
const LIVES_WORTH_OF_P2BS = 16;

/** mulberry32: a small seeded generator, so that a run's kill schedule replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LaneStats {
  kills: number;
  powerCuts: number;
  tornCuts: number;
  cutsThatForgot: number;
  killsDuringStartup: number;
  violations: string[];
  leader: ScriptedLeader;
  recovered: Recovered;
}

export async function runCrashTest(opts: CrashTestOptions): Promise<CrashTestResult> {
  if (!existsSync(CRASH_CHILD)) throw new Error(`${CRASH_CHILD} is missing: run tsc -b first`);
  mkdirSync(opts.dir, { recursive: true });
  const t0 = Date.now();
  const lanes = opts.lanes ?? 2;
  const seed = opts.seed ?? 1;
  const stop = { now: false };
  const results = await Promise.all(
    Array.from({ length: lanes }, (_, i) => {
      const kills = Math.floor(opts.kills / lanes) + (i < opts.kills % lanes ? 1 : 0);
      return runLane(opts.dir, i, kills, seed * 1000 + i, opts, stop);
    }),
  );
  const all = results.flatMap((r) => r.violations);
  return {
    kills: results.reduce((n, r) => n + r.kills, 0),
    powerCuts: results.reduce((n, r) => n + r.powerCuts, 0),
    tornCuts: results.reduce((n, r) => n + r.tornCuts, 0),
    cutsThatForgot: results.reduce((n, r) => n + r.cutsThatForgot, 0),
    killsDuringStartup: results.reduce((n, r) => n + r.killsDuringStartup, 0),
    violations: all,
    decided: results.reduce((n, r) => n + r.leader.decided.size, 0),
    p1bs: results.reduce((n, r) => n + r.leader.ledger.p1bs, 0),
    p2bs: results.reduce((n, r) => n + r.leader.ledger.p2bs, 0),
    maxSnapshotSlot: Math.max(...results.map((r) => r.recovered.snapshotSlot)),
    elapsedMs: Date.now() - t0,
  };
}

async function runLane(
  dir: string,
  index: number,
  kills: number,
  seed: number,
  opts: CrashTestOptions,
  stop: { now: boolean },
): Promise<LaneStats> {
  // A disk of its own per lane: one lane's power cut must not wait for the other's child.
  const disk =
    opts.powerCuts === true ? await PowerCutFs.mount(join(dir, `disk-${index}`)) : undefined;
  try {
    return await runLaneOn(
      disk !== undefined ? join(disk.mountpoint, 'lane.db') : join(dir, `lane-${index}.db`),
      disk,
      kills,
      seed,
      opts,
      stop,
    );
  } finally {
    await disk?.unmount();
  }
}

async function runLaneOn(
  path: string,
  disk: PowerCutFs | undefined,
  kills: number,
  seed: number,
  opts: CrashTestOptions,
  stop: { now: boolean },
): Promise<LaneStats> {
  const random = prng(seed);
  const leader = new ScriptedLeader(random);
  const lane: LaneStats = {
    kills: 0,
    powerCuts: 0,
    tornCuts: 0,
    cutsThatForgot: 0,
    killsDuringStartup: 0,
    violations: [],
    leader,
    recovered: NOTHING_RECOVERED,
  };
  const init = await openSqliteStorage(path, {
    logId: CRASH_LOG_ID,
    snapshotChunkBytes: CRASH_CHUNK_BYTES,
  });
  await init.write({ snapshot: initialSnapshot() });
  await init.close();
  const maxRunMs = opts.maxRunMs ?? 150;
  let startupMs = 20;
  /** How long one P2b takes the child here and now: a moving average over the lives so far. */
  let msPerP2b = 0;

  // A spare child boots (node, modules) while the current one lives, so that the time between
  // kills goes to the part under test: opening, loading, and running under load.
  let spare = bootChild(opts.hook, opts.io);
  try {
    while (lane.kills < kills && !stop.now) {
      const child = await spare;
      spare = bootChild(opts.hook, opts.io);
      // Mostly kill under load; one time in six, while the child is still opening or loading.
      const duringStartup = random() < 1 / 6;
      const window = Math.max(maxRunMs, LIVES_WORTH_OF_P2BS * msPerP2b);
      let runMs: number | undefined;
      const p2bsBefore = leader.ledger.p2bs;
      const life = await runChild(child, path, leader, (ready) =>
        ready
          ? duringStartup
            ? undefined
            : (runMs = random() * window)
          : duringStartup
            ? random() * startupMs
            : undefined,
      );
      if (life.readyAfterMs !== undefined) startupMs = 0.8 * startupMs + 0.2 * life.readyAfterMs;
      if (life.ready && runMs !== undefined) {
        const p2bs = leader.ledger.p2bs - p2bsBefore;
        msPerP2b = 0.8 * msPerP2b + 0.2 * (runMs / Math.max(1, p2bs));
      }
      lane.kills++;
      if (!life.ready) lane.killsDuringStartup++;
      const found: string[] = [];
      if (!life.killed)
        found.push(`the child exited by itself (${life.exit}): ${life.stderr.trim()}`);
      found.push(...leader.violations.splice(0));
      if (disk !== undefined) {
        // The plug is pulled: whatever the child wrote and did not make durable is forgotten.
        const torn = random() < 0.5;
        const cut = await disk.cut({ torn, seed: Math.floor(random() * 2 ** 31) });
        lane.powerCuts++;
        if (torn) lane.tornCuts++;
        if (cut.files + cut.dirs > 0) lane.cutsThatForgot++;
      }
      // Reopen the file as a restarting peer would, and check it.
      let slotOut = lane.recovered.slotOut;
      if (!existsSync(path)) found.push('the database file is gone');
      try {
        const s = await openSqliteStorage(path, {
          logId: CRASH_LOG_ID,
          snapshotChunkBytes: CRASH_CHUNK_BYTES,
        });
        const state = await s.load();
        await s.close();
        const r = checkRecovered(state, leader, lane.recovered);
        found.push(...r.violations);
        lane.recovered = r.recovered;
        slotOut = r.recovered.slotOut;
      } catch (e) {
        found.push(`the file does not reopen: ${e instanceof Error ? e.message : String(e)}`);
      }
      leader.stopped(slotOut);
      if (found.length > 0) {
        const where = `${path}, ${disk !== undefined ? 'power cut' : 'kill'} ${lane.kills}, seed ${seed}`;
        lane.violations.push(...found.map((f) => `${where}: ${f}`));
        opts.log?.(`violation at ${where}: ${found[0]}`);
        if (opts.stopAtFirstViolation === true) stop.now = true;
      }
      if (lane.kills % 50 === 0) {
        opts.log?.(
          `${path}: ${lane.kills} kills, ${leader.decided.size} slots decided, snapshot at ${lane.recovered.snapshotSlot}`,
        );
      }
    }
  } finally {
    const last = await spare;
    await new Promise((resolve) => {
      last.child.once('exit', resolve);
      last.child.kill('SIGKILL');
    });
  }
  return lane;
}

interface Life {
  ready: boolean;
  readyAfterMs: number | undefined;
  killed: boolean;
  exit: string;
  stderr: string;
}

interface Booted {
  readonly child: ChildProcess;
  readonly stderr: { text: string };
}

/** Start a child process and wait until it has loaded its modules and waits for `go`. */
function bootChild(hook: CrashTestOptions['hook'], io: CrashTestOptions['io']): Promise<Booted> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (hook !== undefined) env.SYNOD_CRASH_HOOK = hook;
    else delete env.SYNOD_CRASH_HOOK;
    if (io !== undefined) env.SYNOD_CRASH_IO = io;
    else delete env.SYNOD_CRASH_IO;
    const child: ChildProcess = fork(CRASH_CHILD, [], {
      serialization: 'advanced',
      // Not the test runner's flags (loaders, inspector): a plain node running compiled JS.
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    const stderr = { text: '' };
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.text.length < 10_000) stderr.text += d.toString();
    });
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`the crash child died while booting (${signal ?? code}): ${stderr.text}`));
    child.once('exit', onExit);
    child.on('error', () => {
      // Reported through 'exit'.
    });
    child.once('message', (m: unknown) => {
      child.off('exit', onExit);
      if (isIpcFrame(m) && m.kind === 'booted') resolve({ child, stderr });
      else reject(new Error('the crash child spoke before booting'));
    });
  });
}

/**
 * One life of a booted child: tell it to open `path`, connect it to the leader, and SIGKILL it
 * after the delay `killAfter` chooses (asked at `go` with ready = false, and at ready with
 * ready = true; undefined: not at this point). Resolves once the process is gone and its IPC
 * channel drained, so every message it sent has reached the leader.
 */
function runChild(
  booted: Booted,
  path: string,
  leader: ScriptedLeader,
  killAfter: (ready: boolean) => number | undefined,
): Promise<Life> {
  const { child, stderr } = booted;
  return new Promise((resolve) => {
    const t0 = Date.now();
    const life: Life = {
      ready: false,
      readyAfterMs: undefined,
      killed: false,
      exit: '',
      stderr: '',
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number | undefined) => {
      if (ms !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    };
    const send = (frame: IpcFrame) => {
      if (!child.connected) return;
      child.send(frame, () => {
        // An error means the child died while the frame was on its way: as good as lost.
      });
    };
    child.on('message', (m: unknown) => {
      if (!isIpcFrame(m)) return;
      if (m.kind === 'ready') {
        life.ready = true;
        life.readyAfterMs = Date.now() - t0;
        leader.start((messages: Message[]) => send({ kind: 'msgs', peer: LEADER, messages }));
        if (timer === undefined) arm(killAfter(true) ?? 0);
      } else if (m.kind === 'msgs' && m.peer === ACCEPTOR) {
        leader.onMessages(m.messages);
      }
    });
    let exited = false;
    let disconnected = !child.connected;
    const done = () => {
      if (!exited || !disconnected) return;
      if (timer !== undefined) clearTimeout(timer);
      life.stderr = stderr.text;
      resolve(life);
    };
    child.on('exit', (code, signal) => {
      exited = true;
      life.killed = signal === 'SIGKILL';
      life.exit = signal ?? `code ${code}`;
      done();
    });
    child.on('disconnect', () => {
      disconnected = true;
      done();
    });
    send({ kind: 'go', path });
    arm(killAfter(false));
  });
}

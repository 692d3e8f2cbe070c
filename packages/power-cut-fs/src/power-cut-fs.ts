/**
 * One mounted power-cut filesystem (README.md): a directory whose contents live in a process of
 * their own, and which forgets, on `cut()`, everything not yet made durable — unsynced file
 * contents, and creations, renames and unlinks whose directory was not synced.
 *
 * A power cut kills every process too: kill the processes that use the mount first (SIGKILL),
 * then cut; the cut waits until the kernel has closed their files and refuses if some stay open.
 *
 * The filesystem process exits (and unmounts) when this process closes its stdin: a test that
 * dies leaves no mount behind. FUSE's auto_unmount covers the filesystem process dying too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { powerCutFsBinary, powerCutFsUnavailable } from './build.js';
import { PowerCutFsError, PowerCutFsUnavailableError } from './errors.js';

export interface CutOptions {
  /**
   * A harsher cut: each unsynced 512-byte sector of a file is kept or lost at random (torn and
   * reordered writes), a file's size is the old or the new one, and each directory keeps or
   * loses its unsynced entries, at random. Synced data is kept either way.
   */
  torn?: boolean;
  /** The torn cut's draws (default 1). */
  seed?: number;
}

/** What one cut forgot. */
export interface CutReport {
  /** Files whose contents (or size) were not all durable. */
  readonly files: number;
  /** Directories whose entries were not all durable. */
  readonly dirs: number;
  /** Bytes of file data not yet durable (in 4 KiB blocks). */
  readonly bytes: number;
  readonly torn: boolean;
}

export interface PowerCutFsStats {
  /** Files and directories open now. */
  readonly open: number;
  readonly inodes: number;
  /** 4 KiB blocks held (both states, shared blocks once). */
  readonly blocks: number;
  /** Files and directories with something not yet durable. */
  readonly dirty: number;
  readonly fsyncs: number;
  readonly dirsyncs: number;
  readonly cuts: number;
}

const READY_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 30_000;

export class PowerCutFs {
  private readonly replies: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = '';
  private exited = false;
  private readonly exit: Promise<void>;
  /** Cuts made through this mount. */
  cuts = 0;

  private constructor(
    /** The directory the filesystem is mounted on. */
    readonly mountpoint: string,
    private readonly proc: ChildProcess,
  ) {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const w = this.waiter;
      this.waiter = undefined;
      if (w !== undefined) w(line);
      else this.replies.push(line);
    });
    proc.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-5000);
    });
    this.exit = new Promise((resolve) => {
      proc.once('exit', () => {
        this.exited = true;
        this.waiter?.(undefined);
        this.waiter = undefined;
        resolve();
      });
    });
    proc.stdin!.on('error', () => undefined);
  }

  /**
   * Mount a new, empty power-cut filesystem on `mountpoint` (created if needed). Throws
   * PowerCutFsUnavailableError where FUSE cannot be had, saying what to install.
   */
  static async mount(mountpoint: string): Promise<PowerCutFs> {
    const reason = powerCutFsUnavailable();
    if (reason !== undefined) throw new PowerCutFsUnavailableError(reason);
    const binary = powerCutFsBinary();
    mkdirSync(mountpoint, { recursive: true });
    const proc = spawn(binary, [mountpoint], { stdio: ['pipe', 'pipe', 'pipe'] });
    const fs = new PowerCutFs(mountpoint, proc);
    const first = await fs.nextLine(READY_TIMEOUT_MS);
    if (first !== 'ready') {
      proc.kill('SIGKILL');
      throw new PowerCutFsUnavailableError(
        `cannot mount the power-cut filesystem on ${mountpoint}: ${first ?? 'it exited'}; ${fs.stderr.trim()}`,
      );
    }
    return fs;
  }

  /**
   * Cut the power: forget everything not yet durable. Every process using the mount must be
   * dead (or about to be: the cut waits up to 10 s for their files to be closed).
   */
  async cut(options: CutOptions = {}): Promise<CutReport> {
    const seed = Math.floor(options.seed ?? 1) >>> 0;
    const r = (await this.command(options.torn === true ? `cut torn ${seed}` : 'cut')) as CutReport;
    this.cuts++;
    return r;
  }

  /** Make everything durable now (as sync(2) would). */
  async sync(): Promise<void> {
    await this.command('sync');
  }

  /**
   * Make the next `n` fsyncs or fdatasyncs of a file fail with EIO, as Linux's do when the disk
   * fails a write-back: what such a sync was to make durable stays as processes see it but is
   * never made durable by a later sync unless written again (Linux marks the pages clean and
   * reports the error once: PostgreSQL's "fsyncgate", 2018), and a cut forgets it. 0 stops it.
   */
  async failSyncs(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`failSyncs: ${n} is no count`);
    await this.command(`fail-syncs ${n}`);
  }

  stats(): Promise<PowerCutFsStats> {
    return this.command('stats') as Promise<PowerCutFsStats>;
  }

  /** Unmount and stop the filesystem (its contents are gone). Nothing may use it any more. */
  async unmount(): Promise<void> {
    if (!this.exited) {
      this.proc.stdin!.end('quit\n');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
      await this.exit;
      clearTimeout(timer);
    }
  }

  private command(line: string): Promise<unknown> {
    const run = async (): Promise<unknown> => {
      if (this.exited) throw new PowerCutFsError(`the filesystem on ${this.mountpoint} is gone`);
      this.proc.stdin!.write(line + '\n');
      const reply = await this.nextLine(COMMAND_TIMEOUT_MS);
      if (reply === undefined) {
        throw new PowerCutFsError(
          `the filesystem on ${this.mountpoint} exited during "${line}": ${this.stderr.trim()}`,
        );
      }
      if (!reply.startsWith('ok ')) {
        throw new PowerCutFsError(`${this.mountpoint}: "${line}" failed: ${reply}`);
      }
      return JSON.parse(reply.slice(3)) as unknown;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private nextLine(timeoutMs: number): Promise<string | undefined> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.exited) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new PowerCutFsError(`${this.mountpoint}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }
}

/**
 * Drives a fixture script in a child process over JSON lines (commands on stdin, answers and
 * events on stdout). The fixtures run the compiled packages (dist/), as a real app would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

type Answer = Record<string, unknown> & { ok?: boolean; error?: string };

export class ChildPeer {
  readonly proc: ChildProcess;
  readonly ready: Promise<Answer>;
  stderr = '';
  private nextId = 1;
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private readonly events: Answer[] = [];
  private readonly eventWaiters: ((a: Answer) => void)[] = [];
  private exited = false;

  /** Run `node <fixture> ...args`, or `command args...` when `argv` is given in full. */
  constructor(argv: string[], env: Record<string, string> = {}) {
    const [cmd, ...args] = argv;
    this.proc = spawn(cmd!, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 200_000) this.stderr = this.stderr.slice(-100_000);
    });
    this.proc.on('exit', () => {
      this.exited = true;
    });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let msg: Answer;
      try {
        msg = JSON.parse(line) as Answer;
      } catch {
        this.stderr += `[stdout] ${line}\n`;
        return;
      }
      const id = msg.id as number | undefined;
      if (id !== undefined && this.waiting.has(id)) {
        this.waiting.get(id)!(msg);
        this.waiting.delete(id);
      } else {
        const w = this.eventWaiters.shift();
        if (w !== undefined) w(msg);
        else this.events.push(msg);
      }
    });
    this.ready = this.nextEvent(30_000);
  }

  /** The next unsolicited line (e.g. 'ready', 'discovered'). */
  nextEvent(timeoutMs: number): Promise<Answer> {
    const queued = this.events.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return withTimeout(
      new Promise<Answer>((resolve) => this.eventWaiters.push(resolve)),
      timeoutMs,
      () => `no event from the child within ${timeoutMs} ms; stderr:\n${this.stderr}`,
    );
  }

  /** Send a command; resolves with its answer, rejects with the child's error. */
  async request(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000) {
    if (this.exited) throw new Error(`the child exited; stderr:\n${this.stderr}`);
    const id = this.nextId++;
    const answer = await withTimeout(
      new Promise<Answer>((resolve) => {
        this.waiting.set(id, resolve);
        this.proc.stdin!.write(JSON.stringify({ id, cmd, ...args }) + '\n');
      }),
      timeoutMs,
      () => `${cmd} got no answer within ${timeoutMs} ms; stderr:\n${this.stderr}`,
    );
    if (answer.ok !== true) throw new Error(`${cmd} failed in the child: ${answer.error}`);
    return answer;
  }

  /** Ask the child to stop; kill it if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    try {
      await this.request('stop', {}, 5000);
    } catch {
      // Killed below.
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(what())), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

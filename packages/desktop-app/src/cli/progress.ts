/**
 * Progress of catching up (a peer that joined, or came back after being away): a progress bar
 * (cli-progress) over slots, or over snapshot bytes while a snapshot is transferred. On stderr,
 * so stdout stays parseable; without a terminal it prints a line a second instead of redrawing.
 */
import { SingleBar } from 'cli-progress';
import type { ServiceStatus } from '../service/types.js';
import { CliError } from './cli-error.js';

type Mode = 'slots' | 'bytes';

export class CatchupBar {
  private bar: SingleBar | undefined;
  private mode: Mode | undefined;

  constructor(private readonly label: string) {}

  /**
   * Show `s`; returns true once caught up (initialized and nothing to catch up). With
   * `showDone`, a peer already caught up shows a full bar (a join that was quick).
   */
  update(s: ServiceStatus, showDone = false): boolean {
    const p = s.protocol;
    if (p === null) return false;
    const c = p.catchup;
    if (p.initialized && c === null) {
      if (showDone && this.bar === undefined) this.show('slots', p.slotOut - 1, p.slotOut - 1);
      this.finish(p.slotOut - 1);
      return true;
    }
    const bytes = c?.snapshotBytes ?? null;
    const mode: Mode = bytes !== null ? 'bytes' : 'slots';
    const total = bytes !== null ? bytes.total : Math.max(c?.target ?? 0, p.slotOut);
    const value = bytes !== null ? bytes.received : p.slotOut;
    if (this.mode !== mode) this.show(mode, total, value);
    else {
      this.bar!.setTotal(total);
      this.bar!.update(value);
    }
    return false;
  }

  private show(mode: Mode, total: number, value: number): void {
    this.bar?.stop();
    this.mode = mode;
    this.bar = new SingleBar({
      format: `${this.label} |{bar}| {value}/{total} ${mode === 'bytes' ? 'snapshot bytes' : 'slots'} ({percentage}%)`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: false,
      clearOnComplete: false,
    });
    this.bar.start(total, value);
  }

  finish(finalValue?: number): void {
    if (this.bar !== undefined) {
      if (finalValue !== undefined && this.mode === 'slots') {
        this.bar.setTotal(finalValue);
        this.bar.update(finalValue);
      }
      this.bar.stop();
    }
    this.bar = undefined;
    this.mode = undefined;
  }
}

/** Poll `status` until caught up; shows the bar meanwhile. */
export async function waitCaughtUp(
  status: () => Promise<ServiceStatus>,
  label: string,
  timeoutMs: number,
): Promise<ServiceStatus> {
  const bar = new CatchupBar(label);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const s = await status();
      if (s.state === 'removed') throw new CliError('this peer was removed from the log');
      if (s.state === 'failed') throw new CliError(`the peer failed: ${s.failure ?? 'unknown'}`);
      if (bar.update(s, true)) return s;
      if (Date.now() > deadline) {
        throw new CliError(
          `not caught up after ${Math.round(timeoutMs / 1000)} s (it goes on in the background; see synod status)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    bar.finish();
  }
}

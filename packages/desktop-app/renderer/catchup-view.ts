/**
 * Catch-up progress: after a join (waiting for the log's snapshot, then the slots decided
 * since) and after wake from sleep, how far this replica is from the log's newest slot.
 * Hidden when caught up.
 */
import type { ServiceStatus } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';

export class CatchupView {
  readonly element = h('section', {
    class: 'catchup',
    'data-testid': 'catchup',
    'aria-label': 'Catch-up',
    hidden: true,
  });
  private readonly bar = h('progress', { 'aria-label': 'Catch-up progress' });
  private readonly text = h('span');

  constructor() {
    fill(this.element, this.text, this.bar);
  }

  update(s: ServiceStatus): void {
    const p = s.protocol;
    const progress = s.state !== 'running' || p === null ? null : catchupOf(p);
    this.element.hidden = progress === null;
    if (progress === null) return;
    this.text.textContent = progress.text;
    if (progress.total > 0) {
      this.bar.max = progress.total;
      this.bar.value = progress.done;
    } else this.bar.removeAttribute('value');
  }
}

/** Where a replica is in catching up, or null when it is caught up. */
export function catchupOf(p: NonNullable<ServiceStatus['protocol']>): {
  text: string;
  done: number;
  total: number;
} | null {
  const snap = p.catchup?.snapshotBytes ?? null;
  if (snap !== null) {
    const kb = (n: number) => Math.ceil(n / 1024);
    return {
      text: `Catching up: the log's snapshot, ${kb(snap.received)} of ${kb(snap.total)} kB`,
      done: snap.received,
      total: snap.total,
    };
  }
  if (!p.initialized) {
    return { text: 'Joining: waiting for the log from the other peers…', done: 0, total: 0 };
  }
  if (p.catchup !== null) {
    return {
      text: `Catching up: slot ${p.slotOut} of ${p.catchup.target}`,
      done: p.slotOut,
      total: p.catchup.target,
    };
  }
  return null;
}

/** The writes of this page not committed yet: queued, committing or waiting, or failed. */
import { fill, h } from './dom.js';
import type { WriteQueue } from './writes.js';

export class PendingView {
  private readonly list = h('ul', { class: 'pending', 'data-testid': 'pending' });
  readonly element = h('section', { class: 'panel' }, h('h2', null, 'Pending writes'), this.list);

  constructor(private readonly writes: WriteQueue) {}

  update(noMajority: boolean): void {
    const pending = this.writes.pending;
    fill(
      this.list,
      ...pending.map((p) =>
        h(
          'li',
          { class: `pending-${p.state}` },
          p.label,
          ' · ',
          p.state === 'failed'
            ? p.maybe === true
              ? `not confirmed, it may still be decided: ${p.error ?? ''}`
              : `failed: ${p.error ?? ''}`
            : p.state === 'queued'
              ? 'queued behind the writes before it'
              : noMajority
                ? 'waiting for a majority'
                : 'committing…',
          p.state === 'failed'
            ? h('button', { class: 'small', onclick: () => this.writes.dismiss(p) }, 'Dismiss')
            : null,
        ),
      ),
      pending.length === 0 ? h('li', { class: 'muted' }, 'None: every write is committed.') : null,
    );
  }
}

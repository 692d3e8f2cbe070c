/**
 * The decided history (slot, author, operation, time), newest first: the same order in every
 * peer's page. Only the records after the last one shown are read; new ones go on top and the
 * oldest shown drop off, so following a busy log costs a few rows per read, not the table.
 */
import type { HistoryRecord } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';
import { clock, shortId } from './format.js';
import type { Ui } from './ui.js';

const SHOWN = 200;
/** Records read at once. */
const PAGE = 1000;

export class HistoryView {
  readonly element: HTMLElement;
  private readonly body = h('tbody', { id: 'history' });
  /** The `n` of the newest record shown (0: none). */
  private lastN = 0;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(private readonly ui: Ui) {
    const th = (text: string) => h('th', null, text);
    this.element = h(
      'section',
      { class: 'panel history-panel' },
      h('h2', null, 'History (decided order)'),
      h(
        'table',
        { class: 'history', 'data-testid': 'history' },
        h(
          'thead',
          null,
          h('tr', null, th('slot'), th('#'), th('author'), th('operation'), th('time')),
        ),
        this.body,
      ),
    );
  }

  /** Forget what is shown (the document was replaced, or the link came back): read it all. */
  reset(): void {
    this.lastN = 0;
    fill(this.body);
  }

  /** Read the records after the last one shown (one read at a time; calls meanwhile coalesce). */
  read(): Promise<void> {
    if (this.reading !== undefined) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          const after = this.lastN;
          const { records } = await this.ui.bridge.history({ read: 'local', after, limit: PAGE });
          // A reset while reading: that answer is stale.
          if (this.lastN !== after) {
            this.again = true;
            continue;
          }
          const fresh = records.filter((r) => r.n > after).slice(-SHOWN);
          if (fresh.length === 0) continue;
          this.lastN = fresh[fresh.length - 1]!.n;
          this.body.prepend(...fresh.reverse().map(row));
          while (this.body.children.length > SHOWN) this.body.lastElementChild?.remove();
          // More than a page behind: read on.
          if (records.length === PAGE) this.again = true;
        } while (this.again);
      } catch {
        // The next event or reconnection reads again.
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
}

function row(r: HistoryRecord): HTMLElement {
  return h(
    'tr',
    { 'data-testid': 'history-row', class: r.rebased ? 'rebased' : '' },
    h('td', null, String(r.slot)),
    h('td', null, String(r.n)),
    h('td', null, r.author || shortId(r.client)),
    h('td', null, operationText(r)),
    h('td', null, clock(r.time)),
  );
}

export function operationText(r: HistoryRecord): string {
  switch (r.type) {
    case 'append':
      return `append #${r.entry} “${r.text}”`;
    case 'edit':
      return `edit #${r.entry} → v${r.version} (+${r.inserted} −${r.deleted})${r.rebased ? ' rebased' : ''}${r.text !== '' ? ` title “${r.text}”` : ''}`;
    case 'delete':
      return `delete #${r.entry}`;
    case 'restore':
      return `restore #${r.entry}`;
    case 'rename-log':
      return `rename log “${r.text}”`;
    case 'set-name':
      return `name “${r.text}”`;
  }
}

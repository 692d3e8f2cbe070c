/**
 * The entry list: searchable and virtualized, so that a log at its limit (10,000 entries) stays
 * quick. Only the rows in view exist in the DOM (fixed-height rows, positioned in a spacer as
 * tall as the whole list); a search filters an index of lower-cased titles and bodies kept per
 * entry version, so typing a query or opening an entry touches a few dozen rows, not the list.
 *
 * Keyboard: the list is one tab stop (a listbox); arrow keys, Home/End and Page Up/Down move
 * the active row, Enter opens it. Export: the entries as Markdown or JSON, downloaded as a file.
 */
import type { EntryView } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';
import { dateTime } from './format.js';

/** Must match `.entry-row` in style.css. */
const ROW_HEIGHT = 44;
/** Rows drawn beyond the visible ones, above and below (smooth scrolling). */
const OVERSCAN = 8;

export interface EntriesViewOptions {
  /** Open an entry in the editor. */
  readonly open: (id: number) => void;
}

export class EntriesView {
  readonly element: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly count: HTMLElement;
  private entries: readonly EntryView[] = [];
  private shown: readonly EntryView[] = [];
  private readonly index = new Map<number, { version: number; text: string }>();
  private showDeleted = false;
  private selected: number | null = null;
  private active = 0;
  private pendingLabels: readonly string[] = [];

  constructor(private readonly o: EntriesViewOptions) {
    this.search = h('input', {
      type: 'search',
      'data-testid': 'search',
      placeholder: 'Search titles and text',
      'aria-label': 'Search entries',
    });
    this.search.addEventListener('input', () => this.update());
    const deleted = h('input', { type: 'checkbox', 'data-testid': 'show-deleted' });
    deleted.addEventListener('change', () => {
      this.showDeleted = deleted.checked;
      this.update();
    });
    this.spacer = h('div', { class: 'entries-spacer' });
    this.viewport = h(
      'div',
      {
        class: 'entries',
        'data-testid': 'entries',
        role: 'listbox',
        tabindex: 0,
        'aria-label': 'Entries',
      },
      this.spacer,
    );
    this.viewport.addEventListener('scroll', () => this.draw());
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.count = h('span', { class: 'muted small', 'aria-live': 'polite' });
    const md = h('button', { class: 'small', 'data-testid': 'export-md' }, 'Export Markdown');
    md.addEventListener('click', () => this.download('md'));
    const json = h('button', { class: 'small', 'data-testid': 'export-json' }, 'Export JSON');
    json.addEventListener('click', () => this.download('json'));
    this.element = h(
      'div',
      { class: 'entries-view' },
      h(
        'div',
        { class: 'entries-tools' },
        this.search,
        h('label', { class: 'inline' }, deleted, ' show deleted'),
      ),
      this.viewport,
      h('div', { class: 'entries-foot' }, this.count, md, json),
    );
  }

  /** The whole list (this replica's entries, deleted ones included). */
  setEntries(entries: readonly EntryView[]): void {
    this.entries = entries;
    this.update();
  }

  /** Labels of appends still pending (shown under the list). */
  setPending(labels: readonly string[]): void {
    this.pendingLabels = labels;
    this.draw();
  }

  select(id: number | null): void {
    this.selected = id;
    this.draw();
  }

  /** The query as typed. */
  get query(): string {
    return this.search.value;
  }

  private text(e: EntryView): string {
    const kept = this.index.get(e.id);
    if (kept !== undefined && kept.version === e.version) return kept.text;
    const text = `${e.title}\n${e.body}`.toLowerCase();
    this.index.set(e.id, { version: e.version, text });
    return text;
  }

  private update(): void {
    const q = this.search.value.trim().toLowerCase();
    this.shown = this.entries.filter(
      (e) => (this.showDeleted || !e.deleted) && (q === '' || this.text(e).includes(q)),
    );
    this.active = Math.min(this.active, Math.max(0, this.shown.length - 1));
    const total = this.entries.filter((e) => this.showDeleted || !e.deleted).length;
    fill(
      this.count,
      q === '' ? `${total} entries` : `${this.shown.length} of ${total} entries match`,
    );
    this.draw();
  }

  /** Draw the rows in view (and a few around them). */
  private draw(): void {
    const rows = this.shown.length + this.pendingLabels.length;
    this.spacer.style.height = `${Math.max(rows, 1) * ROW_HEIGHT}px`;
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const items: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const e = this.shown[i];
      const row =
        e !== undefined
          ? this.row(e, i)
          : h(
              'div',
              { class: 'entry entry-row pending-entry', role: 'presentation' },
              h('span', { class: 'entry-title' }, this.pendingLabels[i - this.shown.length] ?? ''),
              ' · pending',
            );
      row.style.top = `${i * ROW_HEIGHT}px`;
      items.push(row);
    }
    if (rows === 0) {
      items.push(
        h(
          'div',
          { class: 'muted entry-row empty' },
          this.entries.length === 0 ? 'No entries yet: add the first one.' : 'No entry matches.',
        ),
      );
    }
    fill(this.spacer, ...items);
    const activeEntry = this.shown[this.active];
    if (activeEntry !== undefined) {
      this.viewport.setAttribute('aria-activedescendant', `entry-${activeEntry.id}`);
    } else {
      this.viewport.removeAttribute('aria-activedescendant');
    }
  }

  private row(e: EntryView, i: number): HTMLElement {
    const selected = this.selected === e.id;
    return h(
      'div',
      {
        id: `entry-${e.id}`,
        class: `entry entry-row${e.deleted ? ' deleted' : ''}${selected ? ' selected' : ''}${i === this.active ? ' active' : ''}`,
        role: 'option',
        'aria-selected': String(selected),
        'data-testid': 'entry',
        'data-id': e.id,
        onclick: () => {
          this.active = i;
          this.o.open(e.id);
        },
      },
      h('span', { class: 'entry-id' }, `#${e.id}`),
      h('span', { class: 'entry-title', 'data-testid': 'entry-title' }, e.title || '(untitled)'),
      h(
        'span',
        { class: 'entry-meta' },
        `v${e.version} · ${e.updatedBy || e.author} · ${dateTime(e.updated)}${e.deleted ? ' · deleted' : ''}`,
      ),
    );
  }

  private onKey(ev: KeyboardEvent): void {
    const n = this.shown.length;
    if (n === 0) return;
    const page = Math.max(1, Math.floor((this.viewport.clientHeight || 400) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: this.active + 1,
      ArrowUp: this.active - 1,
      PageDown: this.active + page,
      PageUp: this.active - page,
      Home: 0,
      End: n - 1,
    };
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      const e = this.shown[this.active];
      if (e !== undefined) this.o.open(e.id);
      return;
    }
    const to = moves[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    this.active = Math.max(0, Math.min(n - 1, to));
    // Keep the active row in view.
    const y = this.active * ROW_HEIGHT;
    const vp = this.viewport;
    if (y < vp.scrollTop) vp.scrollTop = y;
    else if (y + ROW_HEIGHT > vp.scrollTop + vp.clientHeight) {
      vp.scrollTop = y + ROW_HEIGHT - vp.clientHeight;
    }
    this.draw();
  }

  private download(kind: 'md' | 'json'): void {
    const live = this.entries.filter((e) => !e.deleted);
    const text =
      kind === 'json'
        ? JSON.stringify(live, null, 2)
        : live
            .map(
              (e) =>
                `## ${e.title || '(untitled)'}\n\n_#${e.id}, v${e.version}, by ${e.author}, ${dateTime(e.created)}; last changed by ${e.updatedBy || e.author}, ${dateTime(e.updated)}_\n\n${e.body}\n`,
            )
            .join('\n');
    const blob = new Blob([text], {
      type: kind === 'json' ? 'application/json' : 'text/markdown',
    });
    const a = h('a', {
      href: URL.createObjectURL(blob),
      download: `synod-log.${kind}`,
      'data-testid': `download-${kind}`,
    });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}

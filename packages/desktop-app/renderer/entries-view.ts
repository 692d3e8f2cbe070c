/**
 * The entry list: searchable and virtualized, so that a log at its limit (10,000 entries) stays
 * quick. Only the rows in view exist in the DOM (fixed-height rows, positioned in a spacer as
 * tall as the whole list, the viewport's layout contained); rows already drawn are kept when
 * they still show the same thing. The search index is kept as entries arrive (entry-index.ts),
 * so a keystroke filters (the previous matches, when one more letter was typed) and draws the
 * few dozen rows in view: bounded work, whatever the size of the log.
 *
 * Entries arriving (applied events) are drawn by the app, paced (paced.ts); typing redraws at
 * once.
 *
 * Keyboard: the list is one tab stop (a listbox); arrow keys, Home/End and Page Up/Down move
 * the active row, Enter opens it. Export: the entries as Markdown or JSON, downloaded as a file.
 */
import type { EntryView } from '../src/desktop/bridge-api.js';
import { h } from './dom.js';
import type { EntryIndex, SearchResult } from './entry-index.js';
import { dateTime } from './format.js';

/** Must match `.entry-row` in style.css. */
const ROW_HEIGHT = 44;
/** Rows drawn beyond the visible ones, above and below (smooth scrolling). */
const OVERSCAN = 8;
/** The viewport's height until it has been measured (`.entries` in style.css). */
const DEFAULT_HEIGHT = 420;

export interface EntriesViewOptions {
  /** This replica's entries (kept by the app, read here). */
  readonly index: EntryIndex;
  /** Open an entry in the editor. */
  readonly open: (id: number) => void;
}

export class EntriesView {
  readonly element: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly count: HTMLElement;
  private shown: SearchResult;
  private showDeleted = false;
  private selected: number | null = null;
  private active = 0;
  private pendingLabels: readonly string[] = [];
  /** Drawn rows by what they show (reused while it is unchanged). */
  private rows = new Map<string, HTMLElement>();
  /** The viewport's geometry, kept from its events (reading it would force a layout). */
  private scrollTop = 0;
  private height = DEFAULT_HEIGHT;
  private frame: number | undefined;

  constructor(private readonly o: EntriesViewOptions) {
    this.search = h('input', {
      type: 'search',
      'data-testid': 'search',
      placeholder: 'Search titles and text',
      'aria-label': 'Search entries',
    });
    this.search.addEventListener('input', () => this.redraw());
    const deleted = h('input', { type: 'checkbox', 'data-testid': 'show-deleted' });
    deleted.addEventListener('change', () => {
      this.showDeleted = deleted.checked;
      this.redraw();
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
    this.viewport.addEventListener('scroll', () => {
      this.scrollTop = this.viewport.scrollTop;
      this.draw();
    });
    new ResizeObserver(([e]) => {
      const height = e?.contentRect.height ?? 0;
      if (height > 0 && height !== this.height) {
        this.height = height;
        this.draw();
      }
    }).observe(this.viewport);
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
    this.shown = o.index.search('', false);
  }

  /** The entries changed (arrived, or read again): redraw in the next frame. */
  changed(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.redraw();
    });
  }

  /** Labels of appends still pending (shown under the list). */
  setPending(labels: readonly string[]): void {
    if (sameLabels(labels, this.pendingLabels)) return;
    this.pendingLabels = labels;
    this.draw();
  }

  select(id: number | null): void {
    if (id === this.selected) return;
    this.selected = id;
    this.draw();
  }

  /** The query as typed. */
  get query(): string {
    return this.search.value;
  }

  /** Filter and draw now (a keystroke; the app's paced arrivals). */
  redraw(): void {
    if (this.frame !== undefined) {
      cancelAnimationFrame(this.frame);
      this.frame = undefined;
    }
    const q = this.search.value;
    this.shown = this.o.index.search(q, this.showDeleted);
    this.active = Math.min(this.active, Math.max(0, this.shown.count - 1));
    const { count, total } = this.shown;
    const text = q.trim() === '' ? `${total} entries` : `${count} of ${total} entries match`;
    if (this.count.textContent !== text) this.count.textContent = text;
    this.draw();
  }

  /** Draw the rows in view (and a few around them); keep the ones already drawn. */
  private draw(): void {
    const rows = this.shown.count + this.pendingLabels.length;
    const spacerHeight = `${Math.max(rows, 1) * ROW_HEIGHT}px`;
    if (this.spacer.style.height !== spacerHeight) this.spacer.style.height = spacerHeight;
    // The list may have shrunk under the scroll position (the browser clamps it and says so
    // with a scroll event; draw what will be in view meanwhile).
    const top = Math.min(this.scrollTop, Math.max(0, rows * ROW_HEIGHT - this.height));
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows, Math.ceil((top + this.height) / ROW_HEIGHT) + OVERSCAN);
    const drawn = new Map<string, HTMLElement>();
    const items: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const e = this.shown.at(i);
      const label = this.pendingLabels[i - this.shown.count] ?? '';
      const key =
        e !== undefined
          ? `${e.id}:${e.version}:${i}:${this.selected === e.id ? 's' : ''}${i === this.active ? 'a' : ''}`
          : `pending:${i}:${label}`;
      const row =
        this.rows.get(key) ?? (e !== undefined ? this.row(e, i) : this.pendingRow(label, i));
      drawn.set(key, row);
      items.push(row);
    }
    if (rows === 0) {
      items.push(
        h(
          'div',
          { class: 'muted entry-row empty' },
          this.o.index.size === 0 ? 'No entries yet: add the first one.' : 'No entry matches.',
        ),
      );
    }
    this.rows = drawn;
    if (!sameChildren(this.spacer, items)) this.spacer.replaceChildren(...items);
    const activeEntry = this.shown.at(this.active);
    if (activeEntry !== undefined) {
      this.viewport.setAttribute('aria-activedescendant', `entry-${activeEntry.id}`);
    } else {
      this.viewport.removeAttribute('aria-activedescendant');
    }
  }

  private pendingRow(label: string, i: number): HTMLElement {
    const row = h(
      'div',
      { class: 'entry entry-row pending-entry', role: 'presentation' },
      h('span', { class: 'entry-title' }, label),
      ' · pending',
    );
    row.style.top = `${i * ROW_HEIGHT}px`;
    return row;
  }

  private row(e: EntryView, i: number): HTMLElement {
    const selected = this.selected === e.id;
    const row = h(
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
    row.style.top = `${i * ROW_HEIGHT}px`;
    return row;
  }

  private onKey(ev: KeyboardEvent): void {
    const n = this.shown.count;
    if (n === 0) return;
    const page = Math.max(1, Math.floor(this.height / ROW_HEIGHT) - 1);
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
      const e = this.shown.at(this.active);
      if (e !== undefined) this.o.open(e.id);
      return;
    }
    const to = moves[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    this.active = Math.max(0, Math.min(n - 1, to));
    // Keep the active row in view.
    const y = this.active * ROW_HEIGHT;
    if (y < this.scrollTop) this.scrollTo(y);
    else if (y + ROW_HEIGHT > this.scrollTop + this.height) {
      this.scrollTo(y + ROW_HEIGHT - this.height);
    }
    this.draw();
  }

  private scrollTo(y: number): void {
    this.scrollTop = y;
    this.viewport.scrollTop = y;
  }

  private download(kind: 'md' | 'json'): void {
    const live = this.o.index.all().filter((e) => !e.deleted);
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

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether `el` already has exactly these children, in this order. */
function sameChildren(el: Element, items: readonly Element[]): boolean {
  const kids = el.children;
  if (kids.length !== items.length) return false;
  for (let i = 0; i < items.length; i++) if (kids[i] !== items[i]) return false;
  return true;
}

/**
 * The editor of one entry. A save sends the changes as patches (one per hunk, from jsdiff)
 * against the version the text was opened at, asking to be rebased: another peer's change
 * elsewhere in the text is merged (and the editor says so); a change that meets the user's is a
 * conflict — never a splice — and the user's text stays in the editor beside the current one,
 * to save again over it. Newer versions arriving while the user types are announced, not
 * forced into the text. Editing is off while a save is decided or the link to the peer is lost.
 */
import { BridgeError, type EntryView } from '../src/desktop/bridge-api.js';
import { diffPatches } from '../src/document/diff.js';
import { fill, h } from './dom.js';
import type { EntriesView } from './entries-view.js';
import type { EntryIndex } from './entry-index.js';
import { errorText, mayStillCommit } from './format.js';
import type { Ui } from './ui.js';
import { WRITE_TIMEOUT_MS } from './writes.js';

interface Editing {
  readonly id: number;
  baseVersion: number;
  baseTitle: string;
  baseBody: string;
  /** A save of this entry is in flight: the editor is read-only until it is decided. */
  saving: boolean;
  /** Told in the editor: changed by others meanwhile, rebased, conflict. */
  note: { kind: 'info' | 'warn' | 'ok'; text: string; theirs?: string } | null;
}

export class EditorView {
  readonly element = h('section', { id: 'editor', class: 'panel editor-panel' });
  private editing: Editing | null = null;
  private connected = true;
  private majorityOk = true;
  private readonly title = h('input', {
    id: 'editor-title',
    'data-testid': 'editor-title',
    maxlength: 200,
    'aria-label': 'Entry title',
  });
  private readonly body = h('textarea', {
    id: 'editor-body',
    'data-testid': 'editor-body',
    rows: 14,
    'aria-label': 'Entry text',
  });
  private readonly saveButton = h('button', { 'data-testid': 'save', class: 'primary' }, 'Save');
  private readonly deleteButton = h('button', { 'data-testid': 'delete', class: 'danger' });
  private readonly version = h('span', { class: 'muted' });
  private readonly note = h('div', { 'data-testid': 'editor-note' });
  private readonly heading = h('h2');

  constructor(
    private readonly ui: Ui,
    private readonly index: EntryIndex,
    private readonly list: EntriesView,
  ) {
    this.body.addEventListener('keydown', (e) => {
      if (e.key === 's' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.save();
      }
    });
    this.saveButton.addEventListener('click', () => this.save());
    this.deleteButton.addEventListener('click', () => this.deleteOrRestore());
    this.draw();
  }

  /** The link to the peer and the majority, as the banner says them. */
  setLink(connected: boolean, majorityOk: boolean): void {
    if (connected === this.connected && majorityOk === this.majorityOk) return;
    this.connected = connected;
    this.majorityOk = majorityOk;
    this.drawState();
  }

  /** Open an entry (unsaved changes to another one are dropped, and the user is told). */
  open(id: number): void {
    const e = this.index.get(id);
    if (e === undefined) return;
    const ed = this.editing;
    if (ed !== null && ed.id !== id && this.isDirty()) {
      this.ui.notify('warn', `unsaved changes to #${ed.id} were discarded`);
    }
    this.editing = editingOf(e, null);
    this.draw();
  }

  /** Entries changed: a newer version of the open one is taken, or announced while typing. */
  sync(): void {
    const ed = this.editing;
    if (ed === null || ed.saving) return;
    const e = this.index.get(ed.id);
    if (e === undefined || e.version === ed.baseVersion) return;
    const by = e.updatedBy || 'another peer';
    // The new version holds what the editor holds: a save of this tab's whose answer was lost
    // (decided after all), or the same change made elsewhere. Nothing is left to save.
    const mine = this.isDirty() && this.title.value === e.title && this.body.value === e.body;
    if (!this.isDirty() || mine) {
      Object.assign(ed, {
        baseVersion: e.version,
        baseBody: e.body,
        baseTitle: e.title,
        note: mine
          ? { kind: 'ok', text: `v${e.version} has your text` }
          : { kind: 'info', text: `updated to v${e.version} by ${by}` },
      });
      this.draw();
      return;
    }
    if (!e.deleted) {
      ed.note = {
        kind: 'warn',
        text: `${by} changed #${e.id} while you were editing (now v${e.version}): your changes will be rebased onto it when you save`,
      };
      this.drawState();
    }
  }

  private isDirty(): boolean {
    const ed = this.editing;
    return ed !== null && (this.title.value !== ed.baseTitle || this.body.value !== ed.baseBody);
  }

  private draw(): void {
    const ed = this.editing;
    this.list.select(ed?.id ?? null);
    if (ed === null) {
      fill(
        this.element,
        h('h2', null, 'Editor'),
        h('p', { class: 'muted' }, 'Pick an entry to edit it.'),
      );
      return;
    }
    this.heading.textContent = `Editor · #${ed.id}`;
    this.title.value = ed.baseTitle;
    this.body.value = ed.baseBody;
    fill(
      this.element,
      this.heading,
      this.title,
      this.body,
      h('div', { class: 'editor-actions' }, this.saveButton, this.deleteButton, this.version),
      this.note,
    );
    this.drawState();
  }

  private drawState(): void {
    const ed = this.editing;
    if (ed === null) return;
    const entry = this.index.get(ed.id);
    // No editing while a save is decided, nor while the link to the peer is lost (the tab
    // cannot know what is current; the typed text stays).
    for (const c of [this.title, this.body, this.saveButton, this.deleteButton]) {
      c.disabled = ed.saving || !this.connected;
    }
    this.deleteButton.textContent = entry?.deleted === true ? 'Restore' : 'Delete';
    fill(
      this.version,
      `editing v${ed.baseVersion}${entry !== undefined ? ` · by ${entry.updatedBy || entry.author}` : ''}`,
    );
    this.note.className = ed.note === null ? '' : `note ${ed.note.kind}`;
    const waiting = ed.saving && !this.majorityOk;
    const theirs = waiting ? undefined : ed.note?.theirs;
    fill(
      this.note,
      waiting
        ? 'waiting for a majority: your edit is pending and will commit when it returns'
        : (ed.note?.text ?? ''),
      theirs !== undefined
        ? h(
            'details',
            { class: 'theirs' },
            h('summary', null, `the current text (v${ed.baseVersion})`),
            h('pre', { 'data-testid': 'conflict-theirs' }, theirs),
          )
        : null,
    );
  }

  private deleteOrRestore(): void {
    const ed = this.editing;
    if (ed === null) return;
    const { id } = ed;
    const restore = this.index.get(id)?.deleted === true;
    this.ui.writes.add(`${restore ? 'restore' : 'delete'} #${id}`, id, async () => {
      const r = { id, timeoutMs: WRITE_TIMEOUT_MS };
      await (restore ? this.ui.bridge.restoreEntry(r) : this.ui.bridge.deleteEntry(r));
    });
  }

  private save(): void {
    const ed = this.editing;
    if (ed === null || ed.saving) return;
    const title = this.title.value;
    const patches = diffPatches(ed.baseBody, this.body.value);
    const titleChanged = title !== ed.baseTitle;
    if (patches.length === 0 && !titleChanged) return;
    ed.saving = true;
    ed.note = { kind: 'info', text: 'saving…' };
    this.drawState();
    const { id, baseVersion: version } = ed;
    this.ui.writes.add(`edit #${id}`, id, async () => {
      try {
        const r = await this.ui.bridge.edit({
          id,
          version,
          patches,
          ...(titleChanged ? { title } : {}),
          rebase: true,
          timeoutMs: WRITE_TIMEOUT_MS,
        });
        await this.reload(
          id,
          r.rebased
            ? {
                kind: 'warn',
                text: `conflict resolved: #${id} changed while you edited it (you had v${version}); your edit was rebased onto the newer text and committed as v${r.version}`,
              }
            : { kind: 'ok', text: `saved as v${r.version}` },
        );
        if (r.rebased) this.ui.notify('warn', `your edit of #${id} was rebased (v${r.version})`);
      } catch (err) {
        if (err instanceof BridgeError && err.code === 'conflict') {
          await this.keepTyped(id);
          return;
        }
        if (this.editing?.id === id) {
          this.editing.saving = false;
          this.editing.note = {
            kind: 'warn',
            text: mayStillCommit(err)
              ? `not confirmed: ${errorText(err)}. It may still be decided: the editor shows it if it is`
              : `not saved: ${errorText(err)}`,
          };
          this.drawState();
        }
        throw err;
      }
    });
  }

  /** A conflict: keep the user's text, based on the current version now, beside it. */
  private async keepTyped(id: number): Promise<void> {
    const current = await this.ui.bridge.entry({ id, read: 'local' }).catch(() => undefined);
    if (current !== undefined && this.index.upsert(current)) this.list.changed();
    const ed = this.editing;
    if (ed?.id === id && current !== undefined) {
      Object.assign(ed, {
        baseVersion: current.version,
        baseBody: current.body,
        baseTitle: current.title,
        saving: false,
        note: {
          kind: 'warn',
          text: `conflict: #${id} is now v${current.version} and your edit could not be merged. Your text is kept here: save again to write it over the current version.`,
          theirs: current.body,
        },
      });
      this.drawState();
    }
    this.ui.notify('warn', `conflict on #${id}: your text is kept in the editor`);
  }

  /** After a save: show the entry as decided (others' merged changes included). */
  private async reload(id: number, note: Editing['note']): Promise<void> {
    const read = await this.ui.bridge.entry({ id, read: 'local' });
    if (this.index.upsert(read)) this.list.changed();
    // An applied event may have brought a newer version meanwhile.
    const e = this.index.get(id) ?? read;
    if (this.editing?.id !== id) return;
    this.editing = editingOf(e, note);
    this.draw();
  }
}

/** Editing an entry as it is now (its version, title and body the base of the next save). */
function editingOf(e: EntryView, note: Editing['note']): Editing {
  return {
    id: e.id,
    baseVersion: e.version,
    baseBody: e.body,
    baseTitle: e.title,
    saving: false,
    note,
  };
}

/**
 * The desktop UI: first run (create or join), then the shared document (entries and an
 * editor), its ordered history, the peers, the majority state and the writes still pending,
 * and the protocol view (protocol-view.ts). It talks to the peer only through the bridge API.
 *
 * Reads are `local` (this replica's state, refreshed on every `applied` event): the view keeps
 * working, and says so, when no majority is reachable. Writes go out one at a time, in the
 * order they were made, with a long timeout: without a majority they stay pending (and are
 * shown so) and commit when it returns. An edit carries the version it was made against and
 * asks to be rebased: a concurrent edit is merged (and the page says it was), and one that
 * cannot be merged leaves the user's text in the editor to save again — never lost.
 */
import type {
  AppliedOperation,
  BridgeEvent,
  EntryView,
  HistoryRecord,
  PeerView,
  ServiceStatus,
  SynodBridge,
} from '../src/desktop/bridge-api.js';
import { BridgeError } from '../src/desktop/bridge-api.js';
import { byId, fill, h } from './dom.js';
import { diffPatches } from '../src/document/diff.js';
import { EntriesView } from './entries-view.js';
import { ago, clock, errorText, shortId } from './format.js';
import { ProtocolPanel } from './protocol-view.js';

/** Writes wait this long for a majority (they are pending meanwhile). */
const WRITE_TIMEOUT_MS = 86_400_000;
const HISTORY_SHOWN = 200;

interface PendingWrite {
  readonly seq: number;
  readonly label: string;
  readonly entry: number | null;
  state: 'queued' | 'sent' | 'failed';
  error?: string;
  run(): Promise<void>;
}

interface Editor {
  id: number;
  baseVersion: number;
  baseTitle: string;
  baseBody: string;
  /** A save of this entry is in flight: the editor is read-only until it is decided. */
  saving: boolean;
  /** Told in the editor: changed by others meanwhile, rebased, conflict. */
  note: { kind: 'info' | 'warn' | 'ok'; text: string; theirs?: string } | null;
}

interface Notice {
  readonly seq: number;
  readonly kind: 'info' | 'warn' | 'error' | 'ok';
  readonly text: string;
}

export class App {
  private status: ServiceStatus | null = null;
  private connected = true;
  private entries: EntryView[] = [];
  private logTitle = '';
  private history: HistoryRecord[] = [];
  private lastN = 0;
  private editor: Editor | null = null;
  private pending: PendingWrite[] = [];
  private writing = false;
  private seq = 0;
  private notices: Notice[] = [];
  private tab: 'log' | 'protocol' = 'log';
  private view: 'none' | 'setup' | 'main' = 'none';
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly protocol: ProtocolPanel;
  private readonly list: EntriesView;
  private confirming: string | null = null;
  private inviteText: { text: string; expiresAt: number; members: number } | null = null;

  constructor(
    private readonly bridge: SynodBridge,
    private readonly root: HTMLElement,
  ) {
    this.protocol = new ProtocolPanel(bridge);
    this.list = new EntriesView({ open: (id) => this.select(id) });
  }

  async start(): Promise<void> {
    this.bridge.subscribe((e) => this.onEvent(e));
    try {
      this.onStatus(await this.bridge.status());
    } catch (err) {
      this.notify('error', `cannot reach the peer: ${errorText(err)}`);
    }
    setInterval(() => this.tick(), 1000);
  }

  // ------------------------------------------------------------------ events

  private onEvent(e: BridgeEvent): void {
    switch (e.type) {
      case 'status':
        this.onStatus(e.status);
        return;
      case 'applied':
        this.onApplied(e.operations);
        return;
      case 'reset':
        this.history = [];
        this.lastN = 0;
        this.scheduleRefresh();
        return;
      case 'connection':
        // Lost: nothing this tab shows about the peers is known any more, and no edit can be
        // sent; back: nothing was replayed, so read everything again.
        this.connected = e.connected;
        if (e.connected) {
          this.history = [];
          this.lastN = 0;
          this.scheduleRefresh(0);
        }
        this.renderBanner();
        this.renderPeers();
        this.renderEditorState();
        return;
    }
  }

  /**
   * Decided operations: each carries the entry as it changed, so the list is updated from the
   * event alone; only the new history records are read (after the last one shown).
   */
  private onApplied(operations: readonly AppliedOperation[]): void {
    let changed = false;
    for (const op of operations) {
      if (op.logTitle !== null) this.logTitle = op.logTitle;
      const v = op.entryView;
      if (v === null) continue;
      const i = this.entries.findIndex((x) => x.id === v.id);
      if (i < 0) this.entries.push(v);
      else if (this.entries[i]!.version <= v.version) this.entries[i] = v;
      changed = true;
    }
    if (changed) {
      this.list.setEntries(this.entries);
      this.syncEditor();
    }
    this.renderHeader();
    void this.readHistory();
  }

  private onStatus(s: ServiceStatus): void {
    const before = this.status?.state;
    this.status = s;
    const want = s.state === 'setup' ? 'setup' : 'main';
    if (want !== this.view) {
      this.view = want;
      this.renderShell();
      if (want === 'main') this.scheduleRefresh(0);
    } else if (before !== s.state) {
      this.renderShell();
    }
    if (this.view === 'main') {
      // A shown invite is single-use: once someone joined with it, put it away.
      if (this.inviteText !== null && s.peers.length > this.inviteText.members) {
        this.inviteText = null;
        this.renderInvite();
        this.notify('ok', `${s.peers.length} members now: the invite was used`);
      }
      this.renderHeader();
      this.renderBanner();
      this.renderPeers();
      this.protocol.setStatus(s);
    } else {
      this.renderSetupName();
    }
  }

  private ticks = 0;

  private tick(): void {
    if (this.view === 'main') this.renderPeers();
    if (this.view === 'main' && this.ticks++ % 5 === 0) void this.renderLan();
  }

  /** Peers seen on the LAN (mDNS) or by address that are not members: candidates to invite. */
  private async renderLan(): Promise<void> {
    const el = document.getElementById('lan');
    if (el === null) return;
    const others = await this.bridge.discovered().then(
      (d) => d.peers.filter((p) => !p.member),
      () => [],
    );
    fill(
      el,
      others.length > 0
        ? h('li', { class: 'muted small' }, 'Seen on the LAN, not members (invite them):')
        : null,
      ...others.map((p) =>
        h(
          'li',
          { class: 'small' },
          h('code', null, shortId(p.peer)),
          ` ${p.addrs[0] ?? ''} · ${ago(p.lastSeen)}`,
        ),
      ),
    );
  }

  private scheduleRefresh(delay = 40): void {
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, delay);
  }

  private refreshing = false;
  private refreshAgain = false;

  /** Read this replica's entries and the history records since the last ones shown. */
  private async refresh(): Promise<void> {
    if (this.view !== 'main' || this.status?.state === 'setup') return;
    // One read at a time (a second one would fetch the same history records again).
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      const [list] = await Promise.all([
        this.bridge.entries({ read: 'local', deleted: true }),
        this.readHistory(),
      ]);
      this.entries = [...list.entries];
      this.logTitle = list.title;
      this.renderHeader();
      this.list.setEntries(this.entries);
      this.syncEditor();
    } catch (err) {
      if (!(err instanceof BridgeError && err.code === 'not-initialized')) {
        this.notify('warn', `could not read the log: ${errorText(err)}`);
      }
    } finally {
      this.refreshing = false;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.scheduleRefresh(0);
      }
    }
  }

  private historyReading: Promise<void> | undefined;
  private historyAgain = false;

  /** Read the history records after the last one shown (one read at a time). */
  private readHistory(): Promise<void> {
    if (this.historyReading !== undefined) {
      this.historyAgain = true;
      return this.historyReading;
    }
    this.historyReading = (async () => {
      try {
        do {
          this.historyAgain = false;
          const hist = await this.bridge.history({ read: 'local', after: this.lastN, limit: 1000 });
          const fresh = hist.records.filter((r) => r.n > this.lastN);
          if (fresh.length > 0) {
            this.history = [...this.history, ...fresh].slice(-HISTORY_SHOWN);
            this.lastN = fresh[fresh.length - 1]!.n;
            this.renderHistory();
          }
        } while (this.historyAgain);
      } catch {
        // The next event or reconnection reads again.
      } finally {
        this.historyReading = undefined;
      }
    })();
    return this.historyReading;
  }

  // ------------------------------------------------------------------ writes

  /** Queue a write; writes go out one at a time, in order. */
  private write(label: string, entry: number | null, f: () => Promise<void>): void {
    const w: PendingWrite = { seq: ++this.seq, label, entry, state: 'queued', run: f };
    this.pending.push(w);
    this.renderPending();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (;;) {
        const w = this.pending.find((p) => p.state === 'queued');
        if (w === undefined) return;
        w.state = 'sent';
        this.renderPending();
        try {
          await w.run();
          this.pending = this.pending.filter((p) => p !== w);
        } catch (err) {
          w.state = 'failed';
          w.error = errorText(err);
        }
        this.renderPending();
        this.renderBanner();
      }
    } finally {
      this.writing = false;
    }
  }

  private append(title: string, body: string): void {
    this.write(`append “${title || body.slice(0, 30)}”`, null, async () => {
      const r = await this.bridge.append({ title, body, timeoutMs: WRITE_TIMEOUT_MS });
      this.notify('ok', `entry #${r.id} committed`);
      this.scheduleRefresh(0);
    });
  }

  private save(): void {
    const ed = this.editor;
    if (ed === null || ed.saving) return;
    const title = byId<HTMLInputElement>('editor-title').value;
    const body = byId<HTMLTextAreaElement>('editor-body').value;
    const patches = diffPatches(ed.baseBody, body);
    const titleChanged = title !== ed.baseTitle;
    if (patches.length === 0 && !titleChanged) return;
    ed.saving = true;
    ed.note = { kind: 'info', text: 'saving…' };
    this.renderEditorState();
    const id = ed.id;
    const version = ed.baseVersion;
    this.write(`edit #${id}`, id, async () => {
      try {
        const r = await this.bridge.edit({
          id,
          version,
          patches,
          ...(titleChanged ? { title } : {}),
          rebase: true,
          timeoutMs: WRITE_TIMEOUT_MS,
        });
        await this.reloadEditor(
          id,
          r.rebased
            ? {
                kind: 'warn',
                text: `conflict resolved: #${id} changed while you edited it (you had v${version}); your edit was rebased onto the newer text and committed as v${r.version}`,
              }
            : { kind: 'ok', text: `saved as v${r.version}` },
        );
        if (r.rebased) this.notify('warn', `your edit of #${id} was rebased (v${r.version})`);
      } catch (err) {
        if (err instanceof BridgeError && err.code === 'conflict') {
          // Not mergeable: keep the user's text, based on the current version now.
          const current = await this.bridge
            .entries({ read: 'local', deleted: true })
            .then((l) => l.entries.find((e) => e.id === id));
          if (this.editor?.id === id && current !== undefined) {
            this.editor.baseVersion = current.version;
            this.editor.baseBody = current.body;
            this.editor.baseTitle = current.title;
            this.editor.saving = false;
            this.editor.note = {
              kind: 'warn',
              text: `conflict: #${id} is now v${current.version} and your edit could not be merged. Your text is kept here: save again to write it over the current version.`,
              theirs: current.body,
            };
            this.renderEditorState();
          }
          this.notify('warn', `conflict on #${id}: your text is kept in the editor`);
          return;
        }
        if (this.editor?.id === id) {
          this.editor.saving = false;
          this.editor.note = { kind: 'warn', text: `not saved: ${errorText(err)}` };
          this.renderEditorState();
        }
        throw err;
      }
    });
  }

  /** After a save: show the entry as decided (others' merged changes included). */
  private async reloadEditor(id: number, note: Editor['note']): Promise<void> {
    const list = await this.bridge.entries({ read: 'local', deleted: true });
    this.entries = [...list.entries];
    this.list.setEntries(this.entries);
    const e = this.entries.find((x) => x.id === id);
    if (this.editor?.id !== id || e === undefined) return;
    this.editor = {
      id,
      baseVersion: e.version,
      baseBody: e.body,
      baseTitle: e.title,
      saving: false,
      note,
    };
    this.renderEditor();
    this.renderEntries();
  }

  // ------------------------------------------------------------------ notices

  private notify(kind: Notice['kind'], text: string): void {
    const n = { seq: ++this.seq, kind, text };
    this.notices = [...this.notices, n].slice(-4);
    this.renderNotices();
    setTimeout(() => {
      this.notices = this.notices.filter((x) => x !== n);
      this.renderNotices();
    }, 12_000);
  }

  private renderNotices(): void {
    const el = document.getElementById('notices');
    if (el === null) return;
    fill(
      el,
      ...this.notices.map((n) =>
        h('div', { class: `notice ${n.kind}`, 'data-testid': 'notice' }, n.text),
      ),
    );
  }

  // ------------------------------------------------------------------ shell

  private renderShell(): void {
    if (this.view === 'setup') {
      fill(this.root, this.setupView(), h('div', { id: 'notices', class: 'notices' }));
      this.renderNotices();
      void this.renderDiscovered();
      return;
    }
    const tabButton = (tab: 'log' | 'protocol', label: string) =>
      h(
        'button',
        {
          class: `tab${this.tab === tab ? ' active' : ''}`,
          'data-testid': `tab-${tab}`,
          onclick: () => {
            this.tab = tab;
            this.renderShell();
          },
        },
        label,
      );
    fill(
      this.root,
      h('header', { id: 'header', class: 'header' }),
      h('div', { id: 'banner', class: 'banner', 'data-testid': 'majority' }),
      h(
        'nav',
        { class: 'tabs' },
        tabButton('log', 'Shared log'),
        tabButton('protocol', 'Protocol'),
      ),
      this.tab === 'log'
        ? h(
            'main',
            { class: 'grid' },
            h(
              'section',
              { class: 'panel entries-panel' },
              h('h2', { id: 'entries-heading' }, 'Entries'),
              this.newEntryForm(),
              this.list.element,
            ),
            h('section', { id: 'editor', class: 'panel editor-panel' }),
            h(
              'aside',
              { class: 'side' },
              h(
                'section',
                { class: 'panel' },
                h('h2', null, 'Peers'),
                h('ul', { id: 'peers', class: 'peers', 'data-testid': 'peers' }),
                h('div', { id: 'invite', class: 'invite' }),
                h('ul', { id: 'lan', class: 'discovered', 'data-testid': 'lan' }),
              ),
              h(
                'section',
                { class: 'panel' },
                h('h2', null, 'Pending writes'),
                h('ul', { id: 'pending', class: 'pending', 'data-testid': 'pending' }),
              ),
            ),
            h(
              'section',
              { class: 'panel history-panel' },
              h('h2', null, 'History (decided order)'),
              h(
                'table',
                { class: 'history', 'data-testid': 'history' },
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', null, 'slot'),
                    h('th', null, '#'),
                    h('th', null, 'author'),
                    h('th', null, 'operation'),
                    h('th', null, 'time'),
                  ),
                ),
                h('tbody', { id: 'history' }),
              ),
            ),
          )
        : h('main', { id: 'protocol', class: 'protocol' }),
      h('div', { id: 'notices', class: 'notices' }),
    );
    this.renderHeader();
    this.renderBanner();
    if (this.tab === 'log') {
      this.renderEntries();
      this.renderEditor();
      this.renderPeers();
      this.renderPending();
      this.renderHistory();
      this.renderInvite();
      this.protocol.detach();
    } else {
      this.protocol.attach(byId('protocol'));
      if (this.status !== null) this.protocol.setStatus(this.status);
    }
    this.renderNotices();
  }

  // ------------------------------------------------------------------ setup

  private setupView(): HTMLElement {
    const name = this.status?.name ?? '';
    const busy = (b: HTMLButtonElement, on: boolean) => {
      b.disabled = on;
    };
    const createTitle = h('input', {
      id: 'create-title',
      'data-testid': 'create-title',
      placeholder: 'Shared notes',
      maxlength: 200,
    });
    const createButton = h('button', { 'data-testid': 'create', class: 'primary' }, 'Create');
    createButton.addEventListener('click', () => {
      busy(createButton, true);
      this.bridge
        .createLog(createTitle.value === '' ? {} : { title: createTitle.value })
        .then((s) => this.onStatus(s))
        .catch((err: unknown) => this.notify('error', `create failed: ${errorText(err)}`))
        .finally(() => busy(createButton, false));
    });
    const invite = h('textarea', {
      id: 'join-invite',
      'data-testid': 'join-invite',
      rows: 4,
      placeholder: 'synod:…',
      'aria-label': 'Invite',
    });
    const joinButton = h('button', { 'data-testid': 'join', class: 'primary' }, 'Join');
    joinButton.addEventListener('click', () => {
      if (invite.value.trim() === '') return;
      busy(joinButton, true);
      this.notify('info', 'joining: asking the inviter to add this peer…');
      this.bridge
        .join({ invite: invite.value.trim() })
        .then((s) => this.onStatus(s))
        .catch((err: unknown) => this.notify('error', `join failed: ${errorText(err)}`))
        .finally(() => busy(joinButton, false));
    });
    return h(
      'div',
      { class: 'setup', 'data-testid': 'setup' },
      h('h1', null, 'Synod'),
      h('p', { class: 'lead' }, 'A shared, totally ordered document log, kept by Multi-Paxos.'),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, 'Your name'),
        this.nameForm(name),
        h('p', { id: 'setup-name', class: 'muted' }),
      ),
      h(
        'div',
        { class: 'setup-choices' },
        h(
          'section',
          { class: 'panel' },
          h('h2', null, 'Create a new shared log'),
          h('label', null, 'Title ', createTitle),
          createButton,
        ),
        h(
          'section',
          { class: 'panel' },
          h('h2', null, 'Join a log'),
          h('p', { class: 'muted' }, 'Paste the invite a member shows (Invite, in its app).'),
          invite,
          joinButton,
        ),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, 'Peers seen on the LAN'),
        h('ul', { id: 'discovered', class: 'discovered' }),
      ),
    );
  }

  private renderSetupName(): void {
    const el = document.getElementById('setup-name');
    if (el !== null && this.status !== null) {
      fill(el, `This peer: ${this.status.name} · data in ${this.status.dataDir}`);
    }
  }

  private async renderDiscovered(): Promise<void> {
    const el = document.getElementById('discovered');
    if (el === null) return;
    try {
      const { peers } = await this.bridge.discovered();
      fill(
        el,
        ...(peers.length === 0
          ? [
              h(
                'li',
                { class: 'muted' },
                'None yet (LAN discovery runs once this peer is in a log, unless started with --no-mdns). Ask a member for an invite.',
              ),
            ]
          : peers.map((p) =>
              h(
                'li',
                null,
                h('code', null, shortId(p.peer)),
                ` ${p.addrs[0] ?? ''} · ${ago(p.lastSeen)}`,
              ),
            )),
      );
    } catch {
      fill(el, h('li', { class: 'muted' }, 'unavailable'));
    }
  }

  private nameForm(name: string): HTMLElement {
    const input = h('input', {
      'data-testid': 'name',
      value: name,
      maxlength: 64,
      'aria-label': 'your name',
    });
    const save = () => {
      const v = input.value.trim();
      if (v === '' || v === this.status?.name) return;
      this.bridge
        .setName({ name: v })
        .then(() => this.notify('ok', `you are now “${v}”`))
        .catch((err: unknown) => this.notify('error', `rename failed: ${errorText(err)}`));
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') save();
    });
    input.addEventListener('change', save);
    return h('span', { class: 'name-form' }, input);
  }

  // ------------------------------------------------------------------ main view

  private renderHeader(): void {
    const el = document.getElementById('header');
    const s = this.status;
    if (el === null || s === null) return;
    // Never rebuild under the user's cursor (the name field).
    if (el.contains(document.activeElement) && document.activeElement?.tagName === 'INPUT') return;
    const leave = h(
      'button',
      { 'data-testid': 'leave', class: 'danger' },
      this.confirming === 'leave' ? 'Really leave this log?' : 'Leave',
    );
    leave.addEventListener('click', () => {
      if (this.confirming !== 'leave') {
        this.confirming = 'leave';
        this.renderHeader();
        return;
      }
      this.confirming = null;
      this.bridge
        .leave()
        .then((st) => this.onStatus(st))
        .catch((err: unknown) => this.notify('error', `leave failed: ${errorText(err)}`));
    });
    const invite = h('button', { 'data-testid': 'invite', class: 'primary' }, 'Invite a peer');
    invite.addEventListener('click', () => {
      this.bridge
        .invite()
        .then((inv) => {
          this.inviteText = {
            text: inv.text,
            expiresAt: inv.expiresAt,
            members: this.status?.peers.length ?? 0,
          };
          this.renderInvite();
        })
        .catch((err: unknown) => this.notify('error', `invite failed: ${errorText(err)}`));
    });
    fill(
      el,
      h(
        'div',
        { class: 'title' },
        this.titleElement(),
        h(
          'span',
          { class: 'muted' },
          s.state === 'running' ? '' : `${s.state} · `,
          `log ${s.logId?.slice(0, 8) ?? '?'} · slot ${s.protocol?.slotOut ?? 0}`,
        ),
      ),
      h(
        'div',
        { class: 'me' },
        'You: ',
        this.nameForm(s.name),
        h('code', null, shortId(s.id ?? '')),
      ),
      h('div', { class: 'actions' }, invite, leave),
    );
  }

  /** The log's title; click to rename it (a write, like any other). */
  private titleElement(): HTMLElement {
    if (this.confirming !== 'rename') {
      return h(
        'h1',
        {
          'data-testid': 'log-title',
          title: 'click to rename the log',
          class: 'log-title',
          onclick: () => {
            this.confirming = 'rename';
            this.renderHeader();
            document.getElementById('rename-log')?.focus();
          },
        },
        this.logTitle || 'Shared log',
      );
    }
    const input = h('input', {
      id: 'rename-log',
      'data-testid': 'rename-log',
      value: this.logTitle,
      maxlength: 200,
      'aria-label': 'log title',
    });
    const done = (save: boolean) => {
      if (this.confirming !== 'rename') return;
      this.confirming = null;
      const title = input.value;
      if (save && title !== this.logTitle) {
        this.write(`rename the log “${title}”`, null, async () => {
          await this.bridge.renameLog({ title, timeoutMs: WRITE_TIMEOUT_MS });
          this.scheduleRefresh(0);
        });
      }
      input.blur();
      this.renderHeader();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') done(true);
      if (e.key === 'Escape') done(false);
    });
    input.addEventListener('blur', () => done(true));
    return input;
  }

  private renderBanner(): void {
    const el = document.getElementById('banner');
    const s = this.status;
    if (el === null || s === null) return;
    const m = s.majority;
    const waiting = this.pending.filter((p) => p.state !== 'failed').length;
    el.className = 'banner';
    if (!this.connected) {
      el.classList.add('bad');
      fill(
        el,
        h('strong', null, 'Lost the link to this peer'),
        ' · reconnecting… Every peer is unknown until then, and editing waits; your typed text stays.',
      );
      return;
    }
    if (s.state === 'removed' || s.state === 'failed') {
      el.classList.add('bad');
      fill(
        el,
        s.state === 'removed'
          ? 'This peer was removed from the log: it takes no further part. Leave to start over.'
          : `This peer failed: ${s.failure ?? 'unknown'}`,
      );
      return;
    }
    if (m === null) {
      fill(el, 'Starting…');
      return;
    }
    const counts = `${m.reachable} of ${m.total} peer${m.total === 1 ? '' : 's'} reachable, need ${m.needed}`;
    if (m.ok) {
      el.classList.add('ok');
      fill(
        el,
        h('strong', null, 'Majority reachable'),
        ` · ${counts}`,
        waiting > 0 ? ` · committing ${waiting} write${waiting === 1 ? '' : 's'}…` : '',
      );
    } else {
      el.classList.add('bad');
      fill(
        el,
        h('strong', null, 'No majority'),
        ` · ${counts} · `,
        waiting > 0
          ? `waiting for a majority: your edit${waiting === 1 ? ' is' : 's are'} pending and will commit when it returns`
          : 'writes will wait until it returns; what you see may be stale',
      );
    }
  }

  private newEntryForm(): HTMLElement {
    const title = h('input', {
      'data-testid': 'new-title',
      placeholder: 'Title',
      maxlength: 200,
      'aria-label': 'New entry title',
    });
    const body = h('textarea', {
      'data-testid': 'new-body',
      placeholder: 'Text',
      rows: 3,
      'aria-label': 'New entry text',
    });
    const add = h('button', { 'data-testid': 'add', class: 'primary' }, 'Add entry');
    const submit = () => {
      if (title.value === '' && body.value === '') return;
      this.append(title.value, body.value);
      title.value = '';
      body.value = '';
      title.focus();
    };
    add.addEventListener('click', submit);
    body.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
    });
    return h('div', { class: 'new-entry' }, title, body, add);
  }

  /** The list shows the appends still pending under the entries. */
  private renderEntries(): void {
    this.list.setPending(
      this.pending
        .filter((p) => p.entry === null && p.label.startsWith('append'))
        .map((p) => p.label),
    );
    this.list.select(this.editor?.id ?? null);
  }

  private select(id: number): void {
    const e = this.entries.find((x) => x.id === id);
    if (e === undefined) return;
    if (this.editor !== null && this.editor.id !== id && this.isDirty()) {
      this.notify('warn', `unsaved changes to #${this.editor.id} were discarded`);
    }
    this.editor = {
      id,
      baseVersion: e.version,
      baseBody: e.body,
      baseTitle: e.title,
      saving: false,
      note: null,
    };
    this.renderEditor();
    this.renderEntries();
  }

  private isDirty(): boolean {
    const ed = this.editor;
    const t = document.getElementById('editor-title') as HTMLInputElement | null;
    const b = document.getElementById('editor-body') as HTMLTextAreaElement | null;
    if (ed === null || t === null || b === null) return false;
    return t.value !== ed.baseTitle || b.value !== ed.baseBody;
  }

  /** A newer version of the open entry arrived: take it, or tell the user it will be merged. */
  private syncEditor(): void {
    const ed = this.editor;
    if (ed === null || ed.saving) return;
    const e = this.entries.find((x) => x.id === ed.id);
    if (e === undefined || e.version === ed.baseVersion) return;
    if (!this.isDirty()) {
      this.editor = {
        ...ed,
        baseVersion: e.version,
        baseBody: e.body,
        baseTitle: e.title,
        note: {
          kind: 'info',
          text: `updated to v${e.version} by ${e.updatedBy || 'another peer'}`,
        },
      };
      this.renderEditor();
      return;
    }
    if (!e.deleted) {
      ed.note = {
        kind: 'warn',
        text: `${e.updatedBy || 'another peer'} changed #${e.id} while you were editing (now v${e.version}): your changes will be rebased onto it when you save`,
      };
      this.renderEditorState();
    }
  }

  private renderEditor(): void {
    const el = document.getElementById('editor');
    if (el === null) return;
    const ed = this.editor;
    if (ed === null) {
      fill(el, h('h2', null, 'Editor'), h('p', { class: 'muted' }, 'Pick an entry to edit it.'));
      return;
    }
    const entry = this.entries.find((x) => x.id === ed.id);
    const title = h('input', {
      id: 'editor-title',
      'data-testid': 'editor-title',
      value: ed.baseTitle,
      maxlength: 200,
      'aria-label': 'Entry title',
    });
    const body = h('textarea', {
      id: 'editor-body',
      'data-testid': 'editor-body',
      rows: 14,
      'aria-label': 'Entry text',
    });
    body.value = ed.baseBody;
    body.addEventListener('keydown', (e) => {
      if (e.key === 's' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.save();
      }
    });
    const save = h(
      'button',
      { id: 'editor-save', 'data-testid': 'save', class: 'primary' },
      'Save',
    );
    save.addEventListener('click', () => this.save());
    const del = h(
      'button',
      { id: 'editor-delete', 'data-testid': 'delete', class: 'danger' },
      entry?.deleted === true ? 'Restore' : 'Delete',
    );
    del.addEventListener('click', () => {
      const id = ed.id;
      const restore = entry?.deleted === true;
      this.write(`${restore ? 'restore' : 'delete'} #${id}`, id, async () => {
        if (restore) await this.bridge.restoreEntry({ id, timeoutMs: WRITE_TIMEOUT_MS });
        else await this.bridge.deleteEntry({ id, timeoutMs: WRITE_TIMEOUT_MS });
        this.scheduleRefresh(0);
      });
    });
    fill(
      el,
      h('h2', null, `Editor · #${ed.id}`),
      title,
      body,
      h(
        'div',
        { class: 'editor-actions' },
        save,
        del,
        h('span', { id: 'editor-version', class: 'muted' }),
      ),
      h('div', { id: 'editor-note', 'data-testid': 'editor-note' }),
    );
    this.renderEditorState();
  }

  private renderEditorState(): void {
    const ed = this.editor;
    const note = document.getElementById('editor-note');
    const version = document.getElementById('editor-version');
    if (ed === null || note === null || version === null) return;
    const entry = this.entries.find((x) => x.id === ed.id);
    // No editing while a save is decided, nor while the link to the peer is lost (the tab
    // cannot know what is current; the typed text stays).
    for (const id of ['editor-title', 'editor-body', 'editor-save', 'editor-delete']) {
      const c = document.getElementById(id) as HTMLInputElement | null;
      if (c !== null) c.disabled = ed.saving || !this.connected;
    }
    fill(
      version,
      `editing v${ed.baseVersion}${entry !== undefined ? ` · by ${entry.updatedBy || entry.author}` : ''}`,
    );
    note.className = ed.note === null ? '' : `note ${ed.note.kind}`;
    const waiting = ed.saving && this.status?.majority?.ok === false;
    const theirs = waiting ? undefined : ed.note?.theirs;
    fill(
      note,
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

  private renderPeers(): void {
    const el = document.getElementById('peers');
    const s = this.status;
    if (el === null || s === null) return;
    const now = Date.now();
    fill(
      el,
      ...s.peers.map((p: PeerView) => {
        const roles = [
          p.roles.replica ? 'replica' : null,
          p.roles.leader ? 'leader' : null,
          p.roles.acceptor ? 'acceptor' : null,
        ].filter((r) => r !== null);
        let remove: HTMLElement | null = null;
        if (!p.self && s.state === 'running') {
          const key = `remove ${p.id}`;
          const b = h(
            'button',
            { class: 'small danger', 'data-testid': 'remove-peer' },
            this.confirming === key ? 'Really remove?' : 'Remove',
          );
          b.addEventListener('click', () => {
            if (this.confirming !== key) {
              this.confirming = key;
              this.renderPeers();
              return;
            }
            this.confirming = null;
            this.write(`remove ${p.name || shortId(p.id)}`, null, async () => {
              await this.bridge.removePeer({ peer: p.id, timeoutMs: WRITE_TIMEOUT_MS });
              this.notify('ok', `${p.name || shortId(p.id)} removed from the log`);
            });
          });
          remove = b;
        }
        // Without the link to our own peer, nothing is known about any peer, ourselves included.
        const state = !this.connected ? 'unknown' : p.online ? 'online' : 'offline';
        return h(
          'li',
          {
            class: `peer ${state}`,
            'data-testid': 'peer',
            'data-peer': p.id,
            'data-online': this.connected ? String(p.online) : 'unknown',
          },
          h('span', { class: 'dot', title: state, 'aria-hidden': 'true' }),
          h(
            'div',
            { class: 'peer-main' },
            h(
              'div',
              null,
              h('strong', { 'data-testid': 'peer-name' }, p.name || shortId(p.id)),
              p.self ? h('span', { class: 'badge' }, 'you') : null,
              p.leader && this.connected ? h('span', { class: 'badge leader' }, 'leader') : null,
              h('span', { class: 'state' }, ` ${state}`),
            ),
            h(
              'div',
              { class: 'muted small' },
              !this.connected
                ? `${roles.join(', ')} · unknown: no link to this tab's peer`
                : `${roles.join(', ')} · ${p.self ? 'this peer' : `last seen ${ago(p.lastSeen, now)}`}${p.rttMs !== null && !p.self ? ` · ${Math.round(p.rttMs)} ms` : ''}`,
            ),
          ),
          remove,
        );
      }),
    );
  }

  private renderInvite(): void {
    const el = document.getElementById('invite');
    if (el === null) return;
    const inv = this.inviteText;
    if (inv === null) {
      fill(el);
      return;
    }
    const text = h('textarea', {
      readonly: true,
      rows: 4,
      'data-testid': 'invite-text',
      'aria-label': 'Invite to give the new peer',
    });
    text.value = inv.text;
    text.addEventListener('focus', () => text.select());
    const copy = h('button', { class: 'small' }, 'Copy');
    copy.addEventListener('click', () => {
      text.select();
      void navigator.clipboard?.writeText(inv.text).then(
        () => this.notify('ok', 'invite copied'),
        () => undefined,
      );
    });
    const close = h('button', { class: 'small' }, 'Close');
    close.addEventListener('click', () => {
      this.inviteText = null;
      this.renderInvite();
    });
    fill(
      el,
      h(
        'p',
        { class: 'small' },
        `Single-use invite, valid until ${new Date(inv.expiresAt).toLocaleTimeString()}: paste it into the other peer's Join box.`,
      ),
      text,
      h('div', null, copy, close),
    );
  }

  private renderPending(): void {
    const el = document.getElementById('pending');
    if (el === null) {
      return;
    }
    const noMajority = this.status?.majority?.ok === false;
    fill(
      el,
      ...this.pending.map((p) =>
        h(
          'li',
          { class: `pending-${p.state}` },
          p.label,
          ' · ',
          p.state === 'failed'
            ? `failed: ${p.error ?? ''}`
            : p.state === 'queued'
              ? 'queued behind the writes before it'
              : noMajority
                ? 'waiting for a majority'
                : 'committing…',
          p.state === 'failed'
            ? h(
                'button',
                {
                  class: 'small',
                  onclick: () => {
                    this.pending = this.pending.filter((x) => x !== p);
                    this.renderPending();
                  },
                },
                'Dismiss',
              )
            : null,
        ),
      ),
      this.pending.length === 0
        ? h('li', { class: 'muted' }, 'None: every write is committed.')
        : null,
    );
    this.renderEntries();
  }

  private renderHistory(): void {
    const el = document.getElementById('history');
    if (el === null) return;
    const rows = [...this.history].reverse();
    fill(
      el,
      ...rows.map((r) =>
        h(
          'tr',
          { 'data-testid': 'history-row', class: r.rebased ? 'rebased' : '' },
          h('td', null, String(r.slot)),
          h('td', null, String(r.n)),
          h('td', null, r.author || shortId(r.client)),
          h('td', null, operationText(r)),
          h('td', null, clock(r.time)),
        ),
      ),
    );
  }
}

function operationText(r: HistoryRecord): string {
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

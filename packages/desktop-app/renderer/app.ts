/**
 * The desktop UI: first run (setup-view.ts), then the shared log — entries (entries-view.ts)
 * and the editor (editor-view.ts), the decided history (history-view.ts), the peers
 * (peers-view.ts), the writes still pending, the majority banner and catch-up progress — and
 * the protocol (protocol-view.ts). This file puts the views on the page and tells them what
 * the peer pushes; it talks to the peer only through the bridge API.
 *
 * Reads are `local` (this replica's state): the view keeps working, and says so, when no
 * majority is reachable. Applied events carry the entries they changed, so the list follows
 * the log without reading it again; it is read whole only on start, on reconnection and when
 * the document was replaced. What arrives is taken at once and drawn paced (paced.ts): at most
 * every ARRIVALS_MS while a busy log keeps deciding. Writes go out one at a time, in order
 * (writes.ts).
 *
 * A peer carries many logs (logs-view.ts lists them): the views show the chosen one. They talk
 * to it through a bridge that names it in every operation of one log (log-bridge.ts), and the
 * events of the other logs are not theirs.
 */
import type {
  AppliedOperation,
  BridgeEvent,
  LogsView,
  ServiceStatus,
  SynodBridge,
} from '../src/desktop/bridge-api.js';
import { BridgeError } from '../src/desktop/bridge-api.js';
import { BannerView } from './banner-view.js';
import { CatchupView } from './catchup-view.js';
import { fill, h } from './dom.js';
import { EditorView } from './editor-view.js';
import { EntriesView } from './entries-view.js';
import { EntryIndex } from './entry-index.js';
import { errorText } from './format.js';
import { HeaderView } from './header-view.js';
import { HistoryView } from './history-view.js';
import { logBridge } from './log-bridge.js';
import { LogsPanel } from './logs-view.js';
import { newEntryForm } from './new-entry.js';
import { Notices } from './notices.js';
import { paced } from './paced.js';
import { PeersView } from './peers-view.js';
import { PendingView } from './pending-view.js';
import { ProtocolPanel } from './protocol-view.js';
import { SetupView } from './setup-view.js';
import type { Ui } from './ui.js';
import { WriteQueue } from './writes.js';

type Tab = 'log' | 'protocol';

/**
 * Arrivals (entries, history, status) are drawn at most this often while they keep coming: a
 * few times a second is still "at once" to a reader, and each draw costs a frame's style,
 * layout and paint whatever it changed (paced.ts).
 */
const ARRIVALS_MS = 200;

export class App {
  private status: ServiceStatus | null = null;
  private connected = true;
  private logTitle = '';
  private view: 'none' | 'setup' | 'main' = 'none';
  private tab: Tab = 'log';
  private readonly index = new EntryIndex();
  private readonly notices = new Notices();
  private readonly writes = new WriteQueue(() => this.writesChanged());
  private readonly ui: Ui;
  private readonly setup: SetupView;
  private readonly header: HeaderView;
  private readonly banner = new BannerView();
  private readonly catchup = new CatchupView();
  private readonly list: EntriesView;
  private readonly editor: EditorView;
  private readonly history: HistoryView;
  private readonly peers: PeersView;
  private readonly pending: PendingView;
  private protocol: ProtocolPanel;
  private readonly logsPanel: LogsPanel;
  /** The log the views show (its id); undefined in setup. */
  private current: string | undefined;
  private logsView: LogsView | null = null;
  /** The bridge of the chosen log (operations of one log name it). */
  private readonly bridge: SynodBridge;
  private readonly tabs: Record<Tab, HTMLButtonElement>;
  private readonly logGrid: HTMLElement;
  private readonly protocolRoot = h('main', { id: 'protocol', class: 'protocol' });
  private ticks = 0;
  /** What arrived since the last paced draw. */
  private readonly arrived = { entries: false, history: false, status: false };
  private readonly arrivals = paced(ARRIVALS_MS, () => this.drawArrivals());
  /** The entries were read whole since the view (or the link, or the document) changed. */
  private loaded = false;

  constructor(
    private readonly raw: SynodBridge,
    private readonly root: HTMLElement,
  ) {
    const bridge = logBridge(raw, () => this.current);
    this.bridge = bridge;
    this.ui = {
      bridge,
      writes: this.writes,
      notify: (kind, text) => this.notices.notify(kind, text),
      showStatus: (s) => this.onStatus(s),
    };
    this.setup = new SetupView(this.ui);
    this.header = new HeaderView(this.ui, (inv) => this.peers.showInvite(inv));
    this.list = new EntriesView({ index: this.index, open: (id) => this.editor.open(id) });
    this.editor = new EditorView(this.ui, this.index, this.list);
    this.history = new HistoryView(this.ui);
    this.peers = new PeersView(this.ui);
    this.pending = new PendingView(this.writes);
    this.protocol = new ProtocolPanel(bridge);
    this.logsPanel = new LogsPanel(this.ui, (id) => this.select(id));
    const tab = (t: Tab, label: string) =>
      h(
        'button',
        { class: 'tab', 'data-testid': `tab-${t}`, onclick: () => this.showTab(t) },
        label,
      );
    this.tabs = { log: tab('log', 'Shared log'), protocol: tab('protocol', 'Protocol') };
    this.logGrid = h(
      'main',
      { class: 'grid' },
      h(
        'section',
        { class: 'panel entries-panel' },
        h('h2', { id: 'entries-heading' }, 'Entries'),
        newEntryForm(this.ui),
        this.list.element,
      ),
      this.editor.element,
      h('aside', { class: 'side' }, this.peers.element, this.pending.element),
      this.history.element,
    );
    this.pending.update(false);
  }

  async start(): Promise<void> {
    this.bridge.subscribe((e) => this.onEvent(e));
    try {
      this.onLogs(await this.raw.logs());
      this.onStatus(await this.bridge.status());
    } catch (err) {
      this.notices.notify('error', `cannot reach the peer: ${errorText(err)}`);
    }
    setInterval(() => this.tick(), 1000);
  }

  private onEvent(e: BridgeEvent): void {
    switch (e.type) {
      case 'logs':
        this.onLogs(e.logs);
        return;
      case 'status':
        if (e.status.logId === (this.current ?? null)) this.onStatus(e.status);
        return;
      case 'applied':
        if (e.log === this.current) this.onApplied(e.operations);
        return;
      case 'reset':
        if (e.log !== null && e.log !== this.current) return;
        this.loaded = false;
        this.history.reset();
        void this.refresh();
        return;
      case 'connection':
        // Lost: nothing this tab shows about the peers is known any more, and no edit can be
        // sent; back: nothing was replayed, so read everything again.
        this.connected = e.connected;
        if (e.connected) {
          this.loaded = false;
          this.history.reset();
          void this.refresh();
        }
        this.drawStatus();
        return;
    }
  }

  /** The list of logs changed: keep the chosen one, or choose another if it went. */
  private onLogs(view: LogsView): void {
    this.logsView = view;
    const ids = view.logs.map((l) => l.logId);
    if (this.current === undefined || !ids.includes(this.current)) {
      this.select(view.logs.find((l) => l.open)?.logId ?? ids[0]);
    }
    this.logsPanel.update(view, this.current);
  }

  /** Show log `logId` (undefined: none, setup): read it whole, its status and protocol anew. */
  private select(logId: string | undefined): void {
    if (logId === this.current && this.status !== null) return;
    this.current = logId;
    this.loaded = false;
    this.logTitle = '';
    this.index.replaceAll([]);
    this.history.reset();
    this.list.redraw();
    this.editor.sync();
    this.protocol.detach();
    this.protocol = new ProtocolPanel(this.bridge);
    if (this.logsView !== null) this.logsPanel.update(this.logsView, logId);
    if (this.view === 'main') this.drawShell();
    this.bridge
      .status()
      .then((s) => {
        if (this.current === logId) this.onStatus(s);
      })
      .catch((err: unknown) =>
        this.notices.notify('warn', `cannot read the log: ${errorText(err)}`),
      );
  }

  /** Decided operations: each carries the entry as it changed; only new history is read. */
  private onApplied(operations: readonly AppliedOperation[]): void {
    // A whole read is under way: its answer may predate these; they are applied again after it.
    this.arrivedWhileReading?.push(...operations);
    const { changed, renamed } = this.apply(operations);
    this.arrived.entries ||= changed;
    this.arrived.status ||= renamed;
    this.arrived.history = true;
    this.arrivals.request();
  }

  /**
   * Take decided operations into the entries and the title (older versions are ignored): the
   * index is current at once (a search typed now finds them); the caller draws.
   */
  private apply(operations: readonly AppliedOperation[]): { changed: boolean; renamed: boolean } {
    let changed = false;
    let renamed = false;
    for (const op of operations) {
      if (op.logTitle !== null && op.logTitle !== this.logTitle) {
        this.logTitle = op.logTitle;
        renamed = true;
      }
      if (op.entryView !== null && this.index.upsert(op.entryView)) changed = true;
    }
    return { changed, renamed };
  }

  /** What arrived since the last time, drawn in one frame (paced). */
  private drawArrivals(): void {
    const { entries, history, status } = this.arrived;
    Object.assign(this.arrived, { entries: false, history: false, status: false });
    if (entries) {
      this.list.redraw();
      this.editor.sync();
    }
    if (status) this.drawStatus();
    if (history) void this.history.read();
  }

  private onStatus(s: ServiceStatus): void {
    // A log created or joined from setup becomes the chosen one.
    if (this.current === undefined && s.logId !== null) this.current = s.logId;
    this.status = s;
    const want = s.state === 'setup' ? 'setup' : 'main';
    const viewChanged = want !== this.view;
    if (viewChanged) {
      this.view = want;
      this.loaded = false;
      this.drawShell();
      if (want === 'setup') void this.setup.refreshLan();
    }
    // Read the log whole once this replica holds it (a peer that just joined or was created
    // may not, yet).
    if (this.view === 'main' && !this.loaded && !this.refreshing && s.protocol?.initialized) {
      this.history.reset();
      void this.refresh();
    }
    if (viewChanged) {
      this.drawStatus();
      return;
    }
    this.arrived.status = true;
    this.arrivals.request();
  }

  /** Everything that shows the status (and the link to the peer). */
  private drawStatus(): void {
    const s = this.status;
    if (s === null) return;
    if (this.view === 'setup') {
      this.setup.update(s);
      return;
    }
    this.header.update(s, this.logTitle);
    this.banner.update(s, this.connected, this.writes.waiting);
    this.catchup.update(s);
    this.peers.update(s, this.connected);
    this.editor.setLink(this.connected, s.majority?.ok !== false);
    this.pending.update(s.majority?.ok === false);
    this.protocol.setStatus(s);
  }

  private writesChanged(): void {
    this.list.setPending(
      this.writes.pending.filter((w) => w.kind === 'append').map((w) => w.label),
    );
    this.pending.update(this.status?.majority?.ok === false);
    if (this.status !== null && this.view === 'main') {
      this.banner.update(this.status, this.connected, this.writes.waiting);
    }
  }

  private tick(): void {
    this.ticks++;
    if (this.view === 'main') this.peers.tick();
    if (this.view === 'setup' && this.ticks % 2 === 0) void this.setup.refreshLan();
  }

  private drawShell(): void {
    if (this.view === 'setup') {
      this.protocol.detach();
      fill(this.root, this.setup.element, this.notices.element);
      return;
    }
    fill(
      this.root,
      this.logsPanel.element,
      this.header.element,
      this.banner.element,
      this.catchup.element,
      h('nav', { class: 'tabs' }, this.tabs.log, this.tabs.protocol),
      this.tab === 'log' ? this.logGrid : this.protocolRoot,
      this.notices.element,
    );
    for (const [t, b] of Object.entries(this.tabs)) b.classList.toggle('active', t === this.tab);
    if (this.tab === 'protocol') {
      this.protocol.attach(this.protocolRoot);
      if (this.status !== null) this.protocol.setStatus(this.status);
    } else this.protocol.detach();
  }

  private showTab(tab: Tab): void {
    this.tab = tab;
    this.drawShell();
  }

  private refreshing = false;
  private refreshAgain = false;
  /** Applied events that arrived while a whole read was under way. */
  private arrivedWhileReading: AppliedOperation[] | null = null;

  /** Read this replica's entries whole, and the history after the last record shown. */
  private async refresh(): Promise<void> {
    if (this.view !== 'main') return;
    // One read at a time.
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    this.arrivedWhileReading = [];
    try {
      const [list] = await Promise.all([
        this.bridge.entries({ read: 'local', deleted: true }),
        this.history.read(),
      ]);
      this.index.replaceAll(list.entries);
      this.logTitle = list.title;
      // What was decided after the state this read saw (a rename, newer versions) stays.
      this.apply(this.arrivedWhileReading.filter((op) => op.slot > list.lastSlot));
      this.loaded = true;
      this.drawStatus();
      this.list.redraw();
      this.editor.sync();
    } catch (err) {
      if (!(err instanceof BridgeError && err.code === 'not-initialized')) {
        this.notices.notify('warn', `could not read the log: ${errorText(err)}`);
      }
    } finally {
      this.refreshing = false;
      this.arrivedWhileReading = null;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        void this.refresh();
      }
    }
  }
}

/**
 * The protocol view: what the PMMC lecture slides draw, live. Each peer's acceptor
 * (ballot_num, accepted), leader (active, ballot_num, proposals) and replica (slot_in,
 * slot_out), and the protocol messages flowing between this peer and the others (P1a/P1b,
 * P2a/P2b, decisions, heartbeats…), drawn as dots travelling along the links.
 *
 * This peer knows its own state for certain; the others are drawn as their messages show them
 * ("as seen from here", with the age of what is known).
 */
import type {
  ProtocolSnapshot,
  RemotePeerView,
  ServiceStatus,
  SynodBridge,
  TracedMessage,
} from '../src/desktop/bridge-api.js';
import { fill, h, svg } from './dom.js';
import { ago, clock, shortId } from './format.js';

const POLL_MS = 400;
const FLIGHT_MS = 700;
const MAX_FLYING = 80;
const LOG_ROWS = 40;
const W = 640;
const H = 300;

interface Flight {
  readonly from: string;
  readonly to: string;
  readonly type: TracedMessage['type'];
  readonly start: number;
  readonly dot: SVGCircleElement;
}

export class ProtocolPanel {
  private root: HTMLElement | null = null;
  private status: ServiceStatus | null = null;
  private snapshot: ProtocolSnapshot | null = null;
  private cursor = 0;
  private log: TracedMessage[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private flights: Flight[] = [];
  private positions = new Map<string, { x: number; y: number }>();
  private layer: SVGGElement | null = null;
  private frame = 0;
  private polling = false;

  constructor(private readonly bridge: SynodBridge) {}

  attach(root: HTMLElement): void {
    this.root = root;
    fill(
      root,
      h(
        'div',
        { class: 'proto-top' },
        h(
          'section',
          { class: 'panel' },
          h('h2', null, 'Messages flowing'),
          h('div', { id: 'proto-flow' }),
          h('div', { class: 'legend', id: 'proto-legend' }),
        ),
        h(
          'section',
          { class: 'panel proto-log-panel' },
          h('h2', null, 'Latest protocol messages (at this peer)'),
          h(
            'table',
            { class: 'proto-log', 'data-testid': 'proto-log' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', null, 'time'),
                h('th', null, 'from → to'),
                h('th', null, 'message'),
                h('th', null, 'detail'),
              ),
            ),
            h('tbody', { id: 'proto-log' }),
          ),
        ),
      ),
      h('div', { id: 'proto-peers', class: 'proto-peers', 'data-testid': 'proto-peers' }),
    );
    this.renderLegend();
    this.layer = null;
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    void this.poll();
  }

  detach(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.root = null;
    this.layer = null;
    this.flights = [];
    cancelAnimationFrame(this.frame);
  }

  setStatus(s: ServiceStatus): void {
    this.status = s;
  }

  private async poll(): Promise<void> {
    if (this.root === null || this.polling) return;
    this.polling = true;
    try {
      const snap = await this.bridge.protocol({ after: this.cursor, limit: 200 });
      this.snapshot = snap;
      if (snap.trace.cursor < this.cursor) this.log = []; // the peer restarted
      this.cursor = snap.trace.cursor;
      const fresh = snap.trace.messages;
      this.log = [...this.log, ...fresh].slice(-LOG_ROWS);
      this.render(fresh);
    } catch {
      // The banner tells of a lost link; try again at the next poll.
    } finally {
      this.polling = false;
    }
  }

  private nameOf(id: string): string {
    const p = this.status?.peers.find((x) => x.id === id);
    return p?.name || shortId(id);
  }

  /** A ballot as the slides write it, with the leader's name instead of its peer id. */
  private ballot(b: { text: string; leader: string } | null | undefined): string {
    if (b === null || b === undefined) return '?';
    return b.leader === '' ? b.text : b.text.replace(b.leader, this.nameOf(b.leader));
  }

  /** Peer ids in a message's text, as names. */
  private names(text: string): string {
    let out = text;
    for (const id of this.peerIds()) {
      if (id.length > 0 && out.includes(id)) out = out.split(id).join(this.nameOf(id));
    }
    return out;
  }

  /** Everyone to draw: the members, and anyone else a message came from. */
  private peerIds(): string[] {
    const ids = new Set<string>();
    const self = this.snapshot?.self ?? this.status?.id ?? null;
    if (self !== null) ids.add(self);
    for (const p of this.status?.peers ?? []) ids.add(p.id);
    for (const p of this.snapshot?.trace.peers ?? []) ids.add(p.id);
    return [...ids];
  }

  private render(fresh: readonly TracedMessage[]): void {
    this.renderFlow(fresh);
    this.renderLog();
    this.renderPeers();
  }

  private renderLegend(): void {
    const el = document.getElementById('proto-legend');
    if (el === null) return;
    const kinds: [string, string][] = [
      ['phase1', 'P1a / P1b (election)'],
      ['phase2', 'P2a / P2b (accept)'],
      ['decision', 'decision'],
      ['heartbeat', 'heartbeat / ack'],
      ['other', 'request, read, catch-up'],
    ];
    fill(el, ...kinds.map(([k, label]) => h('span', { class: `lg ${k}` }, label)));
  }

  private renderFlow(fresh: readonly TracedMessage[]): void {
    const host = document.getElementById('proto-flow');
    const snap = this.snapshot;
    if (host === null || snap === null) return;
    const ids = this.peerIds();
    const self = snap.self;
    // Peers on a circle, this peer first (at the top).
    const cx = W / 2;
    const cy = H / 2;
    const r = Math.min(W, H) / 2 - 45;
    const positions = new Map<string, { x: number; y: number }>();
    ids.forEach((id, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, ids.length);
      positions.set(id, { x: cx + r * Math.cos(a) * 1.6, y: cy + r * Math.sin(a) });
    });
    const layoutChanged =
      this.layer === null ||
      positions.size !== this.positions.size ||
      [...positions.keys()].some((k) => !this.positions.has(k));
    this.positions = positions;
    const online = new Map((this.status?.peers ?? []).map((p) => [p.id, p.online]));
    const leader = snap.protocol?.activeLeader ?? null;
    if (layoutChanged) {
      const links = svg('g', { class: 'links' });
      const nodes = svg('g', { class: 'nodes' });
      const self0 = self !== null ? positions.get(self) : undefined;
      for (const [id, p] of positions) {
        if (self0 !== undefined && id !== self) {
          links.append(svg('line', { x1: self0.x, y1: self0.y, x2: p.x, y2: p.y, class: 'link' }));
        }
        nodes.append(
          svg(
            'g',
            { class: 'node', 'data-node': id, transform: `translate(${p.x} ${p.y})` },
            svg('rect', { x: -62, y: -24, width: 124, height: 48, rx: 8 }),
            svg('text', { class: 'node-name', y: -5, 'text-anchor': 'middle' }),
            svg('text', { class: 'node-sub', y: 13, 'text-anchor': 'middle' }),
          ),
        );
      }
      this.layer = svg('g', { class: 'flights' });
      fill(
        host,
        svg(
          'svg',
          { viewBox: `0 0 ${W} ${H}`, class: 'flow', 'data-testid': 'proto-flow' },
          links,
          nodes,
          this.layer,
        ),
      );
    }
    // Node labels and classes (cheap to update every poll).
    for (const g of host.querySelectorAll<SVGGElement>('g.node')) {
      const id = g.getAttribute('data-node') ?? '';
      const isLeader = id === leader;
      g.setAttribute(
        'class',
        `node${id === self ? ' self' : ''}${isLeader ? ' leader' : ''}${online.get(id) === false ? ' offline' : ''}`,
      );
      const [name, sub] = g.querySelectorAll('text');
      if (name !== undefined) name.textContent = `${this.nameOf(id)}${id === self ? ' (you)' : ''}`;
      if (sub !== undefined) {
        sub.textContent = `${isLeader ? 'leader · ' : ''}${online.get(id) === false ? 'offline' : 'slot_out ' + this.slotOutOf(id)}`;
      }
    }
    // New messages take off.
    const now = performance.now();
    for (const m of fresh.slice(-30)) {
      if (self === null) break;
      const from = m.dir === 'out' ? self : m.peer;
      const to = m.dir === 'out' ? m.peer : self;
      if (!positions.has(from) || !positions.has(to) || this.layer === null) continue;
      const dot = svg('circle', { r: 6, class: `flight ${kindOf(m.type)}` });
      this.layer.append(dot);
      this.flights.push({ from, to, type: m.type, start: now, dot });
    }
    while (this.flights.length > MAX_FLYING) this.flights.shift()?.dot.remove();
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame((t) => this.animate(t));
  }

  private slotOutOf(id: string): string {
    const snap = this.snapshot;
    if (snap === null) return '?';
    if (id === snap.self) return String(snap.protocol?.slotOut ?? '?');
    const r = snap.trace.peers.find((p) => p.id === id);
    return r?.replica.slotOut === null || r === undefined ? '?' : String(r.replica.slotOut);
  }

  private animate(t: number): void {
    this.flights = this.flights.filter((f) => {
      const k = (t - f.start) / FLIGHT_MS;
      const a = this.positions.get(f.from);
      const b = this.positions.get(f.to);
      if (k >= 1 || a === undefined || b === undefined) {
        f.dot.remove();
        return false;
      }
      const e = Math.max(0, k);
      f.dot.setAttribute('cx', String(a.x + (b.x - a.x) * e));
      f.dot.setAttribute('cy', String(a.y + (b.y - a.y) * e));
      return true;
    });
    if (this.flights.length > 0 && this.root !== null) {
      this.frame = requestAnimationFrame((t2) => this.animate(t2));
    }
  }

  private renderLog(): void {
    const el = document.getElementById('proto-log');
    const self = this.snapshot?.self ?? null;
    if (el === null || self === null) return;
    const me = this.nameOf(self);
    fill(
      el,
      ...[...this.log]
        .reverse()
        .map((m) =>
          h(
            'tr',
            { class: kindOf(m.type) },
            h('td', null, clock(m.at)),
            h(
              'td',
              null,
              m.dir === 'out' ? `${me} → ${this.nameOf(m.peer)}` : `${this.nameOf(m.peer)} → ${me}`,
            ),
            h('td', null, h('span', { class: `msg ${kindOf(m.type)}` }, m.type)),
            h('td', null, this.names(m.detail)),
          ),
        ),
    );
  }

  private renderPeers(): void {
    const el = document.getElementById('proto-peers');
    const snap = this.snapshot;
    if (el === null || snap === null) return;
    const remotes = new Map(snap.trace.peers.map((p) => [p.id, p]));
    fill(
      el,
      ...this.peerIds().map((id) =>
        id === snap.self
          ? this.selfCard(snap)
          : this.remoteCard(id, remotes.get(id), snap.trace.now),
      ),
    );
  }

  private selfCard(snap: ProtocolSnapshot): HTMLElement {
    const p = snap.protocol;
    const roles = p?.roles;
    return h(
      'div',
      {
        class: `proto-card self${p?.leader.active === true ? ' leader' : ''}`,
        'data-testid': 'proto-card',
      },
      h(
        'h3',
        null,
        `${this.nameOf(snap.self ?? '')} (you)`,
        p?.leader.active === true ? ' · active leader' : '',
      ),
      p === null
        ? h('p', { class: 'muted' }, 'not in a log')
        : h(
            'div',
            { class: 'roles' },
            roleBox('Acceptor', roles?.acceptor === true, [
              ['ballot_num', this.ballot(p.acceptor.ballot)],
              ['accepted', `${p.acceptor.accepted} pvalue${p.acceptor.accepted === 1 ? '' : 's'}`],
              ['dropped below', String(p.acceptor.watermark)],
            ]),
            roleBox('Leader', roles?.leader === true, [
              ['active', p.leader.active ? 'yes' : 'no'],
              ['ballot_num', this.ballot(p.leader.ballot)],
              ['proposals', String(p.leader.proposals)],
            ]),
            roleBox('Replica', roles?.replica === true, [
              ['slot_in', String(p.slotIn)],
              ['slot_out', String(p.slotOut)],
              ['pending', `${p.pending} command${p.pending === 1 ? '' : 's'}`],
            ]),
          ),
      p?.catchup != null
        ? h('p', { class: 'small' }, `catching up to slot ${p.catchup.target}`)
        : null,
    );
  }

  private remoteCard(id: string, r: RemotePeerView | undefined, now: number): HTMLElement {
    const seen = (at: number | null) => (at === null ? '' : ` (${ago(at, now)})`);
    const peer = this.status?.peers.find((p) => p.id === id);
    return h(
      'div',
      {
        class: `proto-card${r?.leader.active === true ? ' leader' : ''}${peer?.online === false ? ' offline' : ''}`,
        'data-testid': 'proto-card',
      },
      h(
        'h3',
        null,
        this.nameOf(id),
        r?.leader.active === true ? ' · active leader' : '',
        peer?.online === false ? ' · offline' : '',
      ),
      h(
        'p',
        { class: 'muted small' },
        `as seen from here · last heard ${ago(r?.lastHeard ?? null, now)}`,
      ),
      h(
        'div',
        { class: 'roles' },
        roleBox('Acceptor', peer?.roles.acceptor ?? true, [
          ['ballot_num', this.ballot(r?.acceptor.ballot) + seen(r?.acceptor.at ?? null)],
          [
            'accepted up to',
            r?.acceptor.acceptedSlot == null ? '?' : `slot ${r.acceptor.acceptedSlot}`,
          ],
        ]),
        roleBox('Leader', peer?.roles.leader ?? true, [
          [
            'active',
            r?.leader.active === true
              ? 'yes (heartbeats)'
              : r?.leader.scouting != null
                ? `scouting (${r.leader.scouting})`
                : 'no',
          ],
          ['ballot_num', this.ballot(r?.leader.ballot) + seen(r?.leader.at ?? null)],
          [
            'proposed up to',
            r?.leader.proposedSlot == null ? '—' : `slot ${r.leader.proposedSlot}`,
          ],
        ]),
        roleBox('Replica', peer?.roles.replica ?? true, [
          [
            'slot_out',
            (r?.replica.slotOut == null ? '?' : String(r.replica.slotOut)) +
              seen(r?.replica.at ?? null),
          ],
        ]),
      ),
      h(
        'p',
        { class: 'muted small' },
        `messages: ${r?.sent ?? 0} sent, ${r?.received ?? 0} received`,
      ),
    );
  }
}

function roleBox(title: string, has: boolean, rows: [string, string][]): HTMLElement {
  return h(
    'div',
    { class: `role${has ? '' : ' absent'}` },
    h('h4', null, title),
    has
      ? h('dl', null, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]))
      : h('p', { class: 'muted small' }, 'not this role'),
  );
}

function kindOf(type: TracedMessage['type']): string {
  switch (type) {
    case 'p1a':
    case 'p1b':
      return 'phase1';
    case 'p2a':
    case 'p2b':
      return 'phase2';
    case 'decision':
      return 'decision';
    case 'heartbeat':
    case 'heartbeatAck':
      return 'heartbeat';
    default:
      return 'other';
  }
}

/**
 * The members of the log (online or not, leader, roles, last seen, round-trip time; Remove asks
 * twice), the invite being shown, and peers seen on the LAN that are not members. Without the
 * link to this tab's own peer nothing is known about any peer, itself included: all unknown.
 */
import type { InviteView, PeerView, ServiceStatus } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';
import { ago, errorText, shortId } from './format.js';
import type { Ui } from './ui.js';
import { WRITE_TIMEOUT_MS } from './writes.js';

/** Read the LAN's peers every this many ticks (of a second). */
const LAN_EVERY = 5;

export class PeersView {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'peers', 'data-testid': 'peers' });
  private readonly inviteBox = h('div', { class: 'invite' });
  private readonly lan = h('ul', { class: 'discovered', 'data-testid': 'lan' });
  private readonly requests = h('ul', { class: 'requests', 'data-testid': 'invite-requests' });
  private status: ServiceStatus | null = null;
  private connected = true;
  private confirming: string | null = null;
  private invite: { view: InviteView; members: number } | null = null;
  private ticks = 0;
  /**
   * Each member's row, kept while it is a member: a redraw (every second, for "last seen")
   * refills a row's text, never the row or its Remove button. Chromium fires no click when the
   * button under the pointer is replaced, or detached and put back, between mouse down and up:
   * rebuilt every second, Remove could lose a click held down for a tenth of a second about one
   * time in ten (by that arithmetic; not measured).
   */
  private readonly rows = new Map<string, { li: HTMLElement; remove: HTMLElement }>();

  constructor(private readonly ui: Ui) {
    this.element = h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Peers'),
      this.list,
      this.requests,
      this.inviteBox,
      this.lan,
    );
  }

  update(s: ServiceStatus, connected: boolean): void {
    this.status = s;
    this.connected = connected;
    // A shown invite is single-use: once someone joined with it, put it away.
    if (this.invite !== null && s.peers.length > this.invite.members) {
      this.invite = null;
      this.drawInvite();
      this.ui.notify('ok', `${s.peers.length} members now: the invite was used`);
    }
    this.draw();
  }

  /** Show an invite to give a new peer (null: none). */
  showInvite(view: InviteView | null): void {
    this.invite = view === null ? null : { view, members: this.status?.peers.length ?? 0 };
    this.drawInvite();
  }

  /** Once a second: "last seen" moves on; the LAN is read every few seconds. */
  tick(): void {
    this.draw();
    if (this.ticks++ % LAN_EVERY === 0) void this.drawLan();
  }

  private draw(): void {
    const s = this.status;
    if (s === null) return;
    const now = Date.now();
    const rows = s.peers.map((p) => this.peer(s, p, now));
    for (const id of this.rows.keys()) {
      if (!s.peers.some((p) => p.id === id)) this.rows.delete(id);
    }
    // Only a change of members or of their order moves rows.
    const shown = [...this.list.children];
    if (rows.length !== shown.length || rows.some((li, i) => li !== shown[i])) {
      fill(this.list, ...rows);
    }
    this.drawRequests(s);
  }

  /** Peers in no log, on the LAN, asking to be let in: the user accepts or declines. */
  private drawRequests(s: ServiceStatus): void {
    const key = JSON.stringify(s.inviteRequests);
    if (this.requests.dataset.shown === key) return;
    this.requests.dataset.shown = key;
    fill(
      this.requests,
      ...s.inviteRequests.map((r) => {
        const answer = (accept: boolean) => () => {
          this.ui.bridge
            .answerInviteRequest({ request: r.id, accept })
            .then(() =>
              this.ui.notify('ok', accept ? `${r.name || shortId(r.peer)} is let in` : 'declined'),
            )
            .catch((err: unknown) =>
              this.ui.notify('error', `could not answer: ${errorText(err)}`),
            );
        };
        return h(
          'li',
          { class: 'request', 'data-testid': 'invite-request' },
          h('strong', null, r.name || 'A peer'),
          ' ',
          h('code', null, shortId(r.peer)),
          ' asks to join this log (on your network) ',
          h(
            'button',
            { class: 'small primary', 'data-testid': 'accept-request', onclick: answer(true) },
            'Let in',
          ),
          h(
            'button',
            { class: 'small', 'data-testid': 'decline-request', onclick: answer(false) },
            'Decline',
          ),
        );
      }),
    );
  }

  /** The member's row, its content drawn anew in the row kept for it. */
  private peer(s: ServiceStatus, p: PeerView, now: number): HTMLElement {
    let row = this.rows.get(p.id);
    if (row === undefined) {
      row = {
        li: h('li', { 'data-testid': 'peer', 'data-peer': p.id }),
        remove: this.removeButton(p),
      };
      this.rows.set(p.id, row);
    }
    const roles = [
      p.roles.replica ? 'replica' : null,
      p.roles.leader ? 'leader' : null,
      p.roles.acceptor ? 'acceptor' : null,
    ].filter((r) => r !== null);
    const state = !this.connected ? 'unknown' : p.online ? 'online' : 'offline';
    const { li, remove } = row;
    li.className = `peer ${state}`;
    li.dataset.online = this.connected ? String(p.online) : 'unknown';
    remove.textContent = this.confirming === `remove ${p.id}` ? 'Really remove?' : 'Remove';
    const removable = !p.self && s.state === 'running';
    const parts = [
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
        p.incompatible !== null && this.connected
          ? h(
              'div',
              { class: 'small incompatible', 'data-testid': 'peer-incompatible' },
              p.incompatible,
            )
          : null,
      ),
    ];
    // Everything but the button is drawn anew; the button stays where it is.
    for (const child of [...li.children]) if (child !== remove) child.remove();
    li.prepend(...parts);
    if (removable && remove.parentElement !== li) li.append(remove);
    if (!removable) remove.remove();
    return li;
  }

  /** The member's Remove button (asks twice); its text follows `confirming` (peer()). */
  private removeButton(p: PeerView): HTMLElement {
    const key = `remove ${p.id}`;
    const b = h('button', { class: 'small danger', 'data-testid': 'remove-peer' }, 'Remove');
    b.addEventListener('click', () => {
      if (this.confirming !== key) {
        this.confirming = key;
        this.draw();
        return;
      }
      this.confirming = null;
      b.textContent = 'Remove';
      // The name as shown now (the button outlives the status it was made with).
      const now = this.status?.peers.find((q) => q.id === p.id) ?? p;
      const who = now.name || shortId(now.id);
      this.ui.writes.add(`remove ${who}`, null, async () => {
        await this.ui.bridge.removePeer({ peer: p.id, timeoutMs: WRITE_TIMEOUT_MS });
        this.ui.notify('ok', `${who} removed from the log`);
      });
    });
    return b;
  }

  private drawInvite(): void {
    const inv = this.invite?.view;
    if (inv === undefined) {
      fill(this.inviteBox);
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
        () => this.ui.notify('ok', 'invite copied'),
        () => undefined,
      );
    });
    const close = h('button', { class: 'small' }, 'Close');
    close.addEventListener('click', () => {
      this.invite = null;
      this.drawInvite();
    });
    fill(
      this.inviteBox,
      h(
        'p',
        { class: 'small' },
        `Single-use invite, valid until ${new Date(inv.expiresAt).toLocaleTimeString()}: paste it into the other peer's Join box.`,
      ),
      text,
      h('div', null, copy, close),
    );
  }

  /** Peers seen on the LAN (mDNS) or by address that are not members: candidates to invite. */
  private async drawLan(): Promise<void> {
    const others = await this.ui.bridge.discovered().then(
      (d) => d.peers.filter((p) => !p.member),
      () => [],
    );
    fill(
      this.lan,
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
}

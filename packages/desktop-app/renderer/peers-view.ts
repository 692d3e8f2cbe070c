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
    fill(this.list, ...s.peers.map((p) => this.peer(s, p, now)));
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

  private peer(s: ServiceStatus, p: PeerView, now: number): HTMLElement {
    const roles = [
      p.roles.replica ? 'replica' : null,
      p.roles.leader ? 'leader' : null,
      p.roles.acceptor ? 'acceptor' : null,
    ].filter((r) => r !== null);
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
        p.incompatible !== null && this.connected
          ? h(
              'div',
              { class: 'small incompatible', 'data-testid': 'peer-incompatible' },
              p.incompatible,
            )
          : null,
      ),
      !p.self && s.state === 'running' ? this.removeButton(p) : null,
    );
  }

  private removeButton(p: PeerView): HTMLElement {
    const key = `remove ${p.id}`;
    const b = h(
      'button',
      { class: 'small danger', 'data-testid': 'remove-peer' },
      this.confirming === key ? 'Really remove?' : 'Remove',
    );
    b.addEventListener('click', () => {
      if (this.confirming !== key) {
        this.confirming = key;
        this.draw();
        return;
      }
      this.confirming = null;
      const who = p.name || shortId(p.id);
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

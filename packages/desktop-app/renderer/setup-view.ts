/**
 * First run (and after leaving): this peer's name, then create a new log, join one with an
 * invite, or ask a member found on the LAN to let this peer in (its user accepts in its app;
 * no invite to copy by hand).
 */
import type { ServiceStatus } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';
import { ago, errorText, shortId } from './format.js';
import { nameForm } from './name-form.js';
import type { Ui } from './ui.js';

export class SetupView {
  readonly element: HTMLElement;
  private readonly nameSlot = h('span');
  private readonly about = h('p', { id: 'setup-name', class: 'muted' });
  private readonly lan = h('ul', { id: 'discovered', class: 'discovered' });
  private shownName: string | null = null;

  constructor(private readonly ui: Ui) {
    this.element = h(
      'main',
      { class: 'setup', 'data-testid': 'setup' },
      h('h1', null, 'Synod'),
      h('p', { class: 'lead' }, 'A shared, totally ordered document log, kept by Multi-Paxos.'),
      h('section', { class: 'panel' }, h('h2', null, 'Your name'), this.nameSlot, this.about),
      h('div', { class: 'setup-choices' }, this.createPanel(), this.joinPanel()),
      h('section', { class: 'panel' }, h('h2', null, 'Members of a log on this network'), this.lan),
    );
  }

  update(s: ServiceStatus): void {
    if (this.shownName !== s.name) {
      this.shownName = s.name;
      fill(this.nameSlot, nameForm(this.ui, s.name));
    }
    fill(this.about, `This peer: ${s.name} · data in ${s.dataDir}`);
  }

  /** Read the members seen on the LAN again (not while asking one: its button says so). */
  async refreshLan(): Promise<void> {
    if (this.asking !== null) return;
    try {
      const { peers } = await this.ui.bridge.discovered();
      if (this.asking !== null) return;
      fill(
        this.lan,
        ...(peers.length === 0
          ? [
              h(
                'li',
                { class: 'muted' },
                'None yet: members of a log on this network show here (unless LAN discovery is off: --no-mdns). Or paste an invite.',
              ),
            ]
          : peers.map((p) => this.lanPeer(p.peer, p.addrs[0] ?? '', p.lastSeen))),
      );
    } catch {
      fill(this.lan, h('li', { class: 'muted' }, 'unavailable'));
    }
  }

  /** The peer being asked for an invite, if any. */
  private asking: string | null = null;

  private lanPeer(peer: string, addr: string, lastSeen: number): HTMLElement {
    const ask = h(
      'button',
      { class: 'small primary', 'data-testid': 'ask-to-join' },
      'Ask to join',
    );
    ask.addEventListener('click', () => {
      this.asking = peer;
      for (const b of this.lan.querySelectorAll('button')) b.disabled = true;
      ask.textContent = 'Asked: waiting for them to accept…';
      this.ui.notify('info', `asked ${shortId(peer)} to let this peer in: waiting for its user`);
      this.ui.bridge
        .askToJoin({ peer })
        .then((s) => this.ui.showStatus(s))
        .catch((err: unknown) => this.ui.notify('error', `not let in: ${errorText(err)}`))
        .finally(() => {
          this.asking = null;
          void this.refreshLan();
        });
    });
    return h(
      'li',
      { 'data-testid': 'lan-peer', 'data-peer': peer },
      h('code', null, shortId(peer)),
      ` ${addr} · ${ago(lastSeen)} `,
      ask,
    );
  }

  private createPanel(): HTMLElement {
    const title = h('input', {
      id: 'create-title',
      'data-testid': 'create-title',
      placeholder: 'Shared notes',
      maxlength: 200,
    });
    const button = h('button', { 'data-testid': 'create', class: 'primary' }, 'Create');
    button.addEventListener('click', () => {
      button.disabled = true;
      this.ui.bridge
        .createLog(title.value === '' ? {} : { title: title.value })
        .then((s) => this.ui.showStatus(s))
        .catch((err: unknown) => this.ui.notify('error', `create failed: ${errorText(err)}`))
        .finally(() => (button.disabled = false));
    });
    return h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Create a new shared log'),
      h('label', null, 'Title ', title),
      button,
    );
  }

  private joinPanel(): HTMLElement {
    const invite = h('textarea', {
      id: 'join-invite',
      'data-testid': 'join-invite',
      rows: 4,
      placeholder: 'synod:…',
      'aria-label': 'Invite',
    });
    const button = h('button', { 'data-testid': 'join', class: 'primary' }, 'Join');
    button.addEventListener('click', () => {
      if (invite.value.trim() === '') return;
      button.disabled = true;
      this.ui.notify('info', 'joining: asking the inviter to add this peer…');
      this.ui.bridge
        .join({ invite: invite.value.trim() })
        .then((s) => this.ui.showStatus(s))
        .catch((err: unknown) => this.ui.notify('error', `join failed: ${errorText(err)}`))
        .finally(() => (button.disabled = false));
    });
    return h(
      'section',
      { class: 'panel' },
      h('h2', null, 'Join a log'),
      h('p', { class: 'muted' }, 'Paste the invite a member shows (Invite, in its app).'),
      invite,
      button,
    );
  }
}

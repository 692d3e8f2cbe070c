/**
 * The header: the log's title (click to rename it: a write like any other), where this peer is
 * in the log, this peer's name, and the Invite and Leave buttons (Leave asks twice). A leave
 * that ends `handover-pending` turns the button into "Leave anyway", which sets the log aside
 * without that confirmation (the user's call: see LogService.leave's `force`).
 */
import { BridgeError, type InviteView, type ServiceStatus } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';
import { errorText, shortId } from './format.js';
import { nameForm } from './name-form.js';
import type { Ui } from './ui.js';
import { WRITE_TIMEOUT_MS } from './writes.js';

export class HeaderView {
  readonly element = h('header', { class: 'header' });
  private readonly meta = h('span', { class: 'muted' });
  private status: ServiceStatus | null = null;
  private logTitle = '';
  private confirming: 'leave' | 'force' | 'rename' | null = null;
  /** What the drawn header shows besides `meta` (redrawn only when it changes). */
  private drawn = '';

  /**
   * The buttons are made once and stay in the document: a redraw refills the title and the name
   * only. Chromium fires no click when the button under the pointer is replaced or even detached
   * and put back between mouse down and up, so a status push redrawing the header then swallowed
   * the click (the e2e test's two clicks on Leave once left nothing to leave).
   */
  private readonly leave = h('button', { 'data-testid': 'leave', class: 'danger' }, 'Leave');
  private readonly invite = h(
    'button',
    { 'data-testid': 'invite', class: 'primary' },
    'Invite a peer',
  );
  private readonly titleBox = h('div', { class: 'title' });
  private readonly meBox = h('div', { class: 'me' });

  constructor(
    private readonly ui: Ui,
    /** Show a new invite; null: put away the one shown (a new one is being made). */
    private readonly onInvite: (invite: InviteView | null) => void,
  ) {
    this.leave.addEventListener('click', () => {
      if (this.confirming !== 'leave' && this.confirming !== 'force') {
        this.confirming = 'leave';
        this.redraw();
        return;
      }
      const force = this.confirming === 'force';
      this.confirming = null;
      this.leave.textContent = 'Leave';
      this.ui.bridge
        .leave(force ? { force } : {})
        // The list of logs changes (an event): the app then shows another log, or setup.
        .then(() => this.ui.notify('info', 'left the log'))
        .catch((err: unknown) => {
          this.ui.notify('error', `leave failed: ${errorText(err)}`);
          if (err instanceof BridgeError && err.code === 'handover-pending') {
            this.confirming = 'force';
            this.redraw();
          }
        });
    });
    this.invite.addEventListener('click', () => {
      // The invite shown may be used already (single-use; the news that someone joined with it
      // may not have arrived): never leave it up to be copied while the new one is made.
      this.onInvite(null);
      this.ui.bridge
        .invite()
        .then((inv) => this.onInvite(inv))
        .catch((err: unknown) => this.ui.notify('error', `invite failed: ${errorText(err)}`));
    });
    fill(
      this.element,
      this.titleBox,
      this.meBox,
      h('div', { class: 'actions' }, this.invite, this.leave),
    );
  }

  update(s: ServiceStatus, logTitle: string): void {
    this.status = s;
    this.logTitle = logTitle;
    this.meta.textContent = `${s.state === 'running' ? '' : `${s.state} · `}log ${s.logId?.slice(0, 8) ?? '?'} · slot ${s.protocol?.slotOut ?? 0}`;
    const key = JSON.stringify([this.confirming, s.name, s.id, logTitle]);
    if (key === this.drawn) return;
    // Never rebuild under the user's cursor (the name field).
    const active = document.activeElement;
    if (this.element.contains(active) && active?.tagName === 'INPUT') return;
    this.drawn = key;
    this.draw(s);
  }

  private redraw(): void {
    this.drawn = '';
    if (this.status !== null) this.update(this.status, this.logTitle);
  }

  private draw(s: ServiceStatus): void {
    this.leave.textContent =
      this.confirming === 'leave'
        ? 'Really leave this log?'
        : this.confirming === 'force'
          ? 'Leave anyway (hand-over not confirmed)'
          : 'Leave';
    fill(this.titleBox, this.titleElement(), this.meta);
    fill(this.meBox, 'You: ', nameForm(this.ui, s.name), h('code', null, shortId(s.id ?? '')));
  }

  /** The log's title; click to rename it. */
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
            this.redraw();
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
        this.ui.writes.add(`rename the log “${title}”`, null, async () => {
          await this.ui.bridge.renameLog({ title, timeoutMs: WRITE_TIMEOUT_MS });
        });
      }
      input.blur();
      this.redraw();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') done(true);
      if (e.key === 'Escape') done(false);
    });
    input.addEventListener('blur', () => done(true));
    return input;
  }
}

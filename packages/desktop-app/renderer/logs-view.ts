/**
 * The list of this peer's logs (a peer carries many, each shared with its own members): choose
 * one to see its entries, history, peers and protocol; create a new one or join one by invite
 * beside the others (each needs a name here, to tell them apart); close a log (its core stops
 * here, its file stays) or open it again. Leaving the chosen log is the header's Leave button.
 */
import type { LogSummary, LogsView, ServiceStatus } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';
import { errorText } from './format.js';
import type { Ui } from './ui.js';

export class LogsPanel {
  readonly element = h('nav', { class: 'logs', 'aria-label': 'Logs', 'data-testid': 'logs' });
  private readonly list = h('ul', { class: 'log-list' });
  private readonly forms = h('div', { class: 'log-forms' });
  private view: LogsView | null = null;
  private chosen: string | undefined;
  private adding: 'create' | 'join' | null = null;

  constructor(
    private readonly ui: Ui,
    /** The user chose a log (or a new one was created or joined). */
    private readonly choose: (logId: string) => void,
  ) {
    this.drawForms();
  }

  update(view: LogsView, chosen: string | undefined): void {
    this.view = view;
    this.chosen = chosen;
    fill(this.list, ...view.logs.map((l) => this.item(l)));
    fill(this.element, h('h2', { class: 'logs-heading' }, 'Logs'), this.list, this.forms);
  }

  private item(l: LogSummary): HTMLElement {
    const current = l.logId === this.chosen;
    const label = l.title || l.logName || l.logId.slice(0, 8);
    const pick = h(
      'button',
      {
        class: `log-item${current ? ' current' : ''}`,
        'data-testid': 'log-item',
        'data-log': l.logId,
        'aria-current': current ? 'page' : undefined,
        title: l.logId,
        onclick: () => this.choose(l.logId),
      },
      label,
      l.logName !== null && l.logName !== label
        ? h('span', { class: 'muted' }, ` ${l.logName}`)
        : null,
      l.state === 'running' ? null : h('span', { class: 'log-state' }, ` · ${l.state}`),
    );
    const toggle = h(
      'button',
      {
        class: 'small',
        'data-testid': l.open ? 'close-log' : 'open-log',
        'aria-label': `${l.open ? 'Close' : 'Open'} log ${label}`,
      },
      l.open ? 'Close' : 'Open',
    );
    toggle.addEventListener('click', () => {
      const done = l.open
        ? this.ui.bridge.closeLog({ log: l.logId })
        : this.ui.bridge.openLog({ log: l.logId }).then(() => this.choose(l.logId));
      done.catch((err: unknown) => this.ui.notify('error', `${errorText(err)}`));
    });
    return h('li', null, pick, toggle);
  }

  private drawForms(): void {
    const create = h('button', { class: 'small', 'data-testid': 'add-log' }, 'New log');
    create.addEventListener('click', () =>
      this.showForm(this.adding === 'create' ? null : 'create'),
    );
    const join = h('button', { class: 'small', 'data-testid': 'add-join' }, 'Join a log');
    join.addEventListener('click', () => this.showForm(this.adding === 'join' ? null : 'join'));
    const form =
      this.adding === 'create'
        ? this.createForm()
        : this.adding === 'join'
          ? this.joinForm()
          : null;
    fill(this.forms, h('div', { class: 'log-buttons' }, create, join), form);
  }

  private showForm(which: 'create' | 'join' | null): void {
    this.adding = which;
    this.drawForms();
    this.forms.querySelector('input')?.focus();
  }

  /** A new log beside the others: its name here and its title. */
  private createForm(): HTMLElement {
    const name = h('input', { 'data-testid': 'new-log-name', maxlength: 64, required: true });
    const title = h('input', { 'data-testid': 'new-log-title', maxlength: 200 });
    const go = h('button', { class: 'primary small', 'data-testid': 'create-log' }, 'Create');
    go.addEventListener('click', () => {
      go.disabled = true;
      this.ui.bridge
        .createLog({
          logName: name.value.trim(),
          ...(title.value !== '' ? { title: title.value } : {}),
        })
        .then((s) => this.added(s))
        .catch((err: unknown) => this.ui.notify('error', `create failed: ${errorText(err)}`))
        .finally(() => (go.disabled = false));
    });
    return h(
      'div',
      { class: 'log-form' },
      h('label', null, 'Name here ', name),
      h('label', null, 'Title ', title),
      go,
    );
  }

  /** Join the log of an invite beside the others, under a name here. */
  private joinForm(): HTMLElement {
    const invite = h('input', {
      'data-testid': 'join-log-invite',
      placeholder: 'synod:…',
      'aria-label': 'Invite',
    });
    const name = h('input', { 'data-testid': 'join-log-name', maxlength: 64, required: true });
    const go = h('button', { class: 'primary small', 'data-testid': 'join-log' }, 'Join');
    go.addEventListener('click', () => {
      if (invite.value.trim() === '') return;
      go.disabled = true;
      this.ui.notify('info', 'joining: asking the inviter to add this peer…');
      this.ui.bridge
        .join({ invite: invite.value.trim(), logName: name.value.trim() })
        .then((s) => this.added(s))
        .catch((err: unknown) => this.ui.notify('error', `join failed: ${errorText(err)}`))
        .finally(() => (go.disabled = false));
    });
    return h('div', { class: 'log-form' }, invite, h('label', null, 'Name here ', name), go);
  }

  private added(s: ServiceStatus): void {
    this.adding = null;
    this.drawForms();
    if (s.logId !== null) this.choose(s.logId);
    if (this.view !== null) this.update(this.view, s.logId ?? this.chosen);
  }
}

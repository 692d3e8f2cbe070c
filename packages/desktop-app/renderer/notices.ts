/** Toasts: the newest few notices, each shown for a while (they wrap; they never overflow). */
import { fill, h } from './dom.js';

export type NoticeKind = 'info' | 'warn' | 'error' | 'ok';

const SHOWN = 4;
const SHOWN_MS = 12_000;

export class Notices {
  readonly element = h('aside', {
    class: 'notices',
    'aria-label': 'Notices',
    'aria-live': 'polite',
  });
  private notices: { readonly kind: NoticeKind; readonly text: string }[] = [];

  notify(kind: NoticeKind, text: string): void {
    const n = { kind, text };
    this.notices = [...this.notices, n].slice(-SHOWN);
    this.draw();
    setTimeout(() => {
      this.notices = this.notices.filter((x) => x !== n);
      this.draw();
    }, SHOWN_MS);
  }

  private draw(): void {
    fill(
      this.element,
      ...this.notices.map((n) =>
        h('div', { class: `notice ${n.kind}`, 'data-testid': 'notice' }, n.text),
      ),
    );
  }
}

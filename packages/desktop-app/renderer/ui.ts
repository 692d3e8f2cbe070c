/** What every view of the app may use: the bridge, the toasts, the write queue. */
import type { ServiceStatus, SynodBridge } from '../src/desktop/bridge-api.js';
import type { NoticeKind } from './notices.js';
import type { WriteQueue } from './writes.js';

export interface Ui {
  readonly bridge: SynodBridge;
  readonly writes: WriteQueue;
  notify(kind: NoticeKind, text: string): void;
  /** A status the bridge answered (create, join, leave): shown at once, not at the next push. */
  showStatus(s: ServiceStatus): void;
}

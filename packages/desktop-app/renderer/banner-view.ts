/**
 * The banner: whether a majority is reachable (and so whether writes commit or wait), or that
 * this tab lost the link to its peer, or that the peer was removed, failed or sleeps.
 */
import type { ServiceStatus } from '../src/desktop/bridge-api.js';
import { fill, h } from './dom.js';

export class BannerView {
  readonly element = h('section', {
    class: 'banner',
    'data-testid': 'majority',
    'aria-label': 'Majority',
  });

  /** @param waiting writes of this page not committed yet */
  update(s: ServiceStatus, connected: boolean, waiting: number): void {
    const el = this.element;
    const m = s.majority;
    el.className = 'banner';
    if (!connected) {
      el.classList.add('bad');
      fill(
        el,
        h('strong', null, 'Lost the link to this peer'),
        ' · reconnecting… Every peer is unknown until then, and editing waits; your typed text stays.',
      );
      return;
    }
    if (s.state === 'removed' && s.handover?.done === false) {
      // The log may still need it: the slots before its removal are not confirmed elsewhere.
      el.classList.add('bad');
      fill(
        el,
        h('strong', null, 'Removed from the log, handing over'),
        ' · keep this peer running until a member that stays confirms it holds the last entries; closing it now may leave the log unable to recover them.',
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
    if (s.state === 'suspended') {
      fill(
        el,
        h('strong', null, 'Asleep'),
        ' · this peer stepped down and is offline until the system wakes.',
      );
      return;
    }
    if (m === null) {
      fill(el, 'Starting…');
      return;
    }
    const counts = `${m.reachable} of ${m.total} peer${m.total === 1 ? '' : 's'} reachable, need ${m.needed}`;
    const plural = waiting === 1 ? '' : 's';
    if (m.ok) {
      el.classList.add('ok');
      fill(
        el,
        h('strong', null, 'Majority reachable'),
        ` · ${counts}`,
        waiting > 0 ? ` · committing ${waiting} write${plural}…` : '',
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
}

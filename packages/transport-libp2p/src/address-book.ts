/**
 * The addresses of members, kept in the peer's Storage (META_ADDRESS_BOOK) so that a restarted
 * peer can redial its members without mDNS or a bootstrap list (libp2p's own peer store lives in
 * memory here). Updated from identify, join answers and bootstrap; written at most once per
 * `saveDelayMs`.
 */
import type { PeerId } from '@synod/core';
import type { MetaStore } from './identity.js';
import { META_ADDRESS_BOOK } from './meta-keys.js';

const MAX_ADDRS_PER_PEER = 8;

export class AddressBook {
  private readonly addrs = new Map<PeerId, string[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;

  private constructor(
    private readonly store: MetaStore | undefined,
    private readonly saveDelayMs: number,
  ) {}

  static async open(store: MetaStore | undefined, saveDelayMs = 1000): Promise<AddressBook> {
    const book = new AddressBook(store, saveDelayMs);
    const raw = await store?.getMeta(META_ADDRESS_BOOK);
    if (raw !== undefined) {
      try {
        const parsed = JSON.parse(new TextDecoder().decode(raw)) as Record<string, string[]>;
        for (const [peer, list] of Object.entries(parsed)) {
          if (Array.isArray(list))
            book.addrs.set(
              peer,
              list.filter((a) => typeof a === 'string'),
            );
        }
      } catch {
        // A damaged book costs only rediscovery.
      }
    }
    return book;
  }

  entries(): [PeerId, string[]][] {
    return [...this.addrs.entries()];
  }

  get(peer: PeerId): string[] {
    return this.addrs.get(peer) ?? [];
  }

  /** Remember `addrs` for `peer` (the newest first). */
  record(peer: PeerId, addrs: readonly string[]): void {
    if (addrs.length === 0) return;
    const old = this.addrs.get(peer) ?? [];
    const next = [...new Set([...addrs, ...old])].slice(0, MAX_ADDRS_PER_PEER);
    if (next.length === old.length && next.every((a, i) => a === old[i])) return;
    this.addrs.set(peer, next);
    this.scheduleSave();
  }

  /** Forget every peer not in `keep`. */
  retain(keep: ReadonlySet<PeerId>): void {
    let changed = false;
    for (const p of this.addrs.keys()) {
      if (!keep.has(p)) {
        this.addrs.delete(p);
        changed = true;
      }
    }
    if (changed) this.scheduleSave();
  }

  /** Write pending changes now (on stop). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || this.store === undefined) return;
    this.dirty = false;
    const obj = Object.fromEntries(this.addrs);
    await this.store.setMeta(META_ADDRESS_BOOK, new TextEncoder().encode(JSON.stringify(obj)));
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (this.store === undefined || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => {
        // Storage failing is the node's business (it fails closed); here it costs a redial.
      });
    }, this.saveDelayMs);
    this.timer.unref?.();
  }
}

/**
 * The invites a member issued, kept durably in its Storage (META_INVITES), so that an invite
 * stays single-use across restarts. Only each secret's SHA-256 is kept.
 *
 * An entry records who used the invite. The same peer presenting it again (its first answer was
 * lost) is answered as before, without running the join hook twice; any other peer is refused.
 * Entries go once they expire: an expired invite is refused by its own expiry before any lookup.
 */
import { createHash } from 'node:crypto';
import type { PeerId } from '@synod/core';
import type { MetaStore } from './identity.js';
import { META_INVITES } from './meta-keys.js';

interface Entry {
  /** Hex SHA-256 of the secret. */
  readonly hash: string;
  readonly logId: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
  usedBy: PeerId | null;
}

interface Stored {
  readonly v: 1;
  readonly invites: Entry[];
}

export type LookupResult =
  | { readonly status: 'unknown' | 'expired' }
  | { readonly status: 'used-by-other' }
  | { readonly status: 'used-by-same' | 'fresh'; readonly entry: Entry };

export function hashSecret(secret: Uint8Array): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class InviteBook {
  private readonly entries = new Map<string, Entry>();
  /** Writes go one after another, each with the whole book (it is small). */
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: MetaStore | undefined,
    private readonly now: () => number,
  ) {}

  /** Load the book from `store` (or keep it in memory only, without a store). */
  static async open(
    store: MetaStore | undefined,
    now: () => number = Date.now,
  ): Promise<InviteBook> {
    const book = new InviteBook(store, now);
    const raw = await store?.getMeta(META_INVITES);
    if (raw !== undefined) {
      try {
        const parsed = JSON.parse(new TextDecoder().decode(raw)) as Stored;
        for (const e of parsed.invites) book.entries.set(e.hash, { ...e });
      } catch {
        // An unreadable book only means the invites it held no longer work: fail closed.
      }
    }
    return book;
  }

  /** Record a newly issued invite. */
  async issue(secret: Uint8Array, logId: string, expiresAt: number): Promise<void> {
    this.prune();
    this.entries.set(hashSecret(secret), {
      hash: hashSecret(secret),
      logId,
      expiresAt,
      usedBy: null,
    });
    await this.save();
  }

  /** Are there unused, unexpired invites (so strangers may connect to present one)? */
  hasOutstanding(): boolean {
    const now = this.now();
    for (const e of this.entries.values()) if (e.usedBy === null && e.expiresAt > now) return true;
    return false;
  }

  lookup(secret: Uint8Array, peer: PeerId): LookupResult {
    const entry = this.entries.get(hashSecret(secret));
    if (entry === undefined) return { status: 'unknown' };
    if (entry.expiresAt <= this.now()) return { status: 'expired' };
    if (entry.usedBy === null) return { status: 'fresh', entry };
    return entry.usedBy === peer ? { status: 'used-by-same', entry } : { status: 'used-by-other' };
  }

  /**
   * Mark the invite used by `peer`, durably, before the join hook runs: two peers racing with
   * one invite cannot both get in, and a crash mid-join leaves it used (fail closed).
   */
  async reserve(entry: Entry, peer: PeerId): Promise<void> {
    entry.usedBy = peer;
    await this.save();
  }

  /** The join hook refused or failed: the invite may be used again. */
  async release(entry: Entry): Promise<void> {
    entry.usedBy = null;
    await this.save();
  }

  private prune(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }

  private save(): Promise<void> {
    const store = this.store;
    if (store === undefined) return Promise.resolve();
    const run = async () => {
      const stored: Stored = { v: 1, invites: [...this.entries.values()] };
      await store.setMeta(META_INVITES, new TextEncoder().encode(JSON.stringify(stored)));
    };
    const next = this.saving.then(run, run);
    this.saving = next.catch(() => undefined);
    return next;
  }
}

/**
 * Invite requests waiting for this member's user: a peer in no log, found on the LAN, asked for
 * an invite (the transport's invite-request protocol), and the user accepts or declines in the
 * UI. Each is listed in the status (so every open UI shows it) until answered, withdrawn by the
 * asking peer, or timed out by the transport.
 */
import type { InviteRequestInfo } from '@synod/peer';
import { UnknownInviteRequestError } from './errors.js';
import type { InviteRequestView } from './types.js';

export class InviteRequests {
  private seq = 0;
  private readonly waiting = new Map<
    number,
    { view: InviteRequestView; decide(accept: boolean): void }
  >();

  /** @param changed called when the list changes (the status shows it). */
  constructor(private readonly changed: () => void) {}

  list(): InviteRequestView[] {
    return [...this.waiting.values()].map((w) => w.view);
  }

  /** The transport's handler (Peer.onInviteRequest): resolves with the user's answer. */
  readonly ask = (request: InviteRequestInfo, signal: AbortSignal): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const id = ++this.seq;
      const done = (accept: boolean) => {
        if (!this.waiting.delete(id)) return;
        signal.removeEventListener('abort', withdrawn);
        this.changed();
        resolve(accept);
      };
      const withdrawn = () => done(false);
      this.waiting.set(id, {
        view: { id, peer: request.peer, name: request.name, at: Date.now() },
        decide: done,
      });
      signal.addEventListener('abort', withdrawn, { once: true });
      this.changed();
    });

  /** The user's answer to request `id`. */
  answer(id: number, accept: boolean): void {
    const w = this.waiting.get(id);
    if (w === undefined) throw new UnknownInviteRequestError(id);
    w.decide(accept);
  }

  /** Decline every waiting request (the peer stops, or no UI is left to decide). */
  declineAll(): void {
    for (const w of [...this.waiting.values()]) w.decide(false);
  }
}

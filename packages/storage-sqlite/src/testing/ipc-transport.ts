/**
 * A Transport over the IPC channel of a child process (Node's `fork`), to exactly one peer:
 * the parent. The crash test's child node talks to its scripted leader through it. Frames are
 * structured-cloned (`serialization: 'advanced'`), so Uint8Arrays pass as they are.
 */
import type { Message, PeerId, PeerLinkStatus, Transport, TransportHandler } from '@synod/core';

/** What crosses the channel, in both directions. */
export type IpcFrame =
  /** Child -> parent: modules loaded, waiting for `go`. */
  | { readonly kind: 'booted' }
  /** Parent -> child: open this database and start the node. */
  | { readonly kind: 'go'; readonly path: string }
  /** Child -> parent: the node runs. */
  | { readonly kind: 'ready' }
  | { readonly kind: 'msgs'; readonly peer: PeerId; readonly messages: readonly Message[] };

export function isIpcFrame(x: unknown): x is IpcFrame {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

export class IpcTransport implements Transport {
  private listener: ((m: unknown) => void) | undefined;

  constructor(
    readonly id: PeerId,
    private readonly peer: PeerId,
  ) {}

  start(handler: TransportHandler): Promise<void> {
    this.listener = (m: unknown) => {
      if (isIpcFrame(m) && m.kind === 'msgs' && m.peer === this.peer)
        handler(this.peer, m.messages);
    };
    process.on('message', this.listener);
    return Promise.resolve();
  }

  send(to: PeerId, messages: readonly Message[]): boolean {
    if (to !== this.peer || process.send === undefined || !process.connected) return false;
    const frame: IpcFrame = { kind: 'msgs', peer: this.id, messages };
    process.send(frame);
    return true;
  }

  setMembers(): void {
    // One peer only: the parent.
  }

  peers(): PeerLinkStatus[] {
    return [{ peer: this.peer, connected: process.connected, lastSeen: null, rttMs: null }];
  }

  stop(): Promise<void> {
    if (this.listener !== undefined) process.off('message', this.listener);
    return Promise.resolve();
  }
}

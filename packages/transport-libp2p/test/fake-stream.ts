/**
 * A stand-in for a libp2p Stream, enough for Channel: an event target that records what is
 * written and lets a test push bytes in as 'message' events.
 */
import type { Logger, Stream } from '@libp2p/interface';
import { Uint8ArrayList } from 'uint8arraylist';

export class FakeStream extends EventTarget {
  status = 'open';
  writeStatus = 'writable';
  writeBufferLength = 0;
  readonly written: Uint8Array[] = [];

  send(data: Uint8Array): boolean {
    this.written.push(data);
    return true;
  }

  abort(): void {
    this.status = 'aborted';
    this.writeStatus = 'closed';
    this.dispatchEvent(new Event('close'));
  }

  close(): Promise<void> {
    this.abort();
    return Promise.resolve();
  }

  /** Deliver bytes as the remote would (a Uint8Array or a Uint8ArrayList of chunks). */
  push(chunks: Uint8Array[], asList = false): void {
    const evt = new Event('message') as Event & { data: Uint8Array | Uint8ArrayList };
    evt.data = asList ? new Uint8ArrayList(...chunks) : chunks[0]!;
    if (!asList && chunks.length > 1) {
      for (const c of chunks) this.push([c]);
      return;
    }
    this.dispatchEvent(evt);
  }

  asStream(): Stream {
    return this as unknown as Stream;
  }
}

/** A Logger that drops everything (what libp2p's logger does with DEBUG unset). */
export function silentLogger(): Logger {
  const log = (() => undefined) as unknown as Logger;
  log.error = () => undefined;
  log.trace = () => undefined;
  log.enabled = false;
  log.newScope = () => silentLogger();
  return log;
}

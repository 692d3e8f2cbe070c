/**
 * One length-prefixed message each way on a short-lived stream (the join protocol), with the
 * same varint framing as the paxos frames and a size limit on what is read.
 */
import type { Stream } from '@libp2p/interface';
import { ByteWriter, varintSize } from '@synod/core';
import { FrameDecoder } from './frame-decoder.js';

export function lengthPrefixed(body: Uint8Array): Uint8Array {
  return new ByteWriter(new Uint8Array(varintSize(body.length) + body.length))
    .bytes(body)
    .written();
}

/** Read one length-prefixed message of at most `maxBytes`; rejects on close, abort or excess. */
export function readOne(
  stream: Stream,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, body?: Uint8Array) => {
      if (done) return;
      done = true;
      stream.removeEventListener('message', onMessage);
      stream.removeEventListener('close', onClose);
      stream.removeEventListener('end', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve(body!);
    };
    const decoder = new FrameDecoder(maxBytes, {
      // A copy (Uint8Array's slice: a Buffer's would share the stream's memory).
      frame: (body) => finish(undefined, Uint8Array.prototype.slice.call(body)),
      oversized: (n) => finish(new Error(`message of ${n} bytes exceeds ${maxBytes}`)),
      fatal: (reason) => finish(new Error(reason)),
    });
    const onMessage = (evt: { data: Parameters<FrameDecoder['push']>[0] }) =>
      decoder.push(evt.data);
    const onClose = () => finish(new Error('the stream closed before a message arrived'));
    const onAbort = () =>
      finish(signal.reason instanceof Error ? signal.reason : new Error('timed out'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    stream.addEventListener('message', onMessage);
    stream.addEventListener('close', onClose);
    stream.addEventListener('end', onClose);
    signal.addEventListener('abort', onAbort);
  });
}

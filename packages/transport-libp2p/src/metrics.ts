/**
 * Counters the transport keeps, so that an operator (or a test) can see what was dropped and why
 * without turning on debug logs. Plain numbers: cheap to bump on the hot path, cheap to copy.
 */

/** Why an incoming frame or message never reached the core. */
export type DropReason =
  /** The frame body is not a valid protobuf Frame, or a field has the wrong wire type. */
  | 'malformed'
  /** The stream ended in the middle of a frame. */
  | 'truncated'
  /** The frame's length exceeds maxFrameBytes (its bytes are skipped, the stream goes on). */
  | 'oversized'
  /** The frame's version byte is not one this build understands. */
  | 'unknown-version'
  /** A message failed structural validation (missing field, out-of-range number...). */
  | 'invalid'
  /** The sender is not a member (it may have been removed while its stream was open). */
  | 'non-member'
  /** The transport had no handler yet (start() not called) or was stopping. */
  | 'not-started';

export const DROP_REASONS: readonly DropReason[] = [
  'malformed',
  'truncated',
  'oversized',
  'unknown-version',
  'invalid',
  'non-member',
  'not-started',
];

export interface TransportMetrics {
  framesSent: number;
  messagesSent: number;
  bytesSent: number;
  framesReceived: number;
  messagesReceived: number;
  bytesReceived: number;
  /** send() calls that returned false because the peer had no open link. */
  sendsUnreachable: number;
  /** Frames dropped at send() because the peer's send buffer was full (backpressure). */
  sendsBufferFull: number;
  /** Messages dropped at send() because a single message exceeded maxFrameBytes. */
  sendsOversized: number;
  /** Incoming frames dropped, by reason. */
  framesDropped: Record<DropReason, number>;
  /** Incoming messages of a type this build does not know (a newer peer), skipped one by one. */
  unknownMessages: number;
  /** Streams aborted because their framing was unrecoverable (a header varint too long). */
  streamsAborted: number;
  /** Inbound protocol streams refused because the remote peer is not a member. */
  streamsRefused: number;
  /** Connections the gater refused (non-members, and peers cut off for bad frames). */
  connectionsDenied: number;
  /** Times a peer was disconnected and shut out for sending too many bad frames. */
  offendersDisconnected: number;
  /**
   * Messages from former members (peers configurations removed): their catch-up requests, the one
   * kind delivered (the core answers them with its progress only), and the others, dropped.
   */
  formerMessages: { delivered: number; dropped: number };
  /** Exceptions thrown by the handler (caught; the transport goes on). */
  handlerErrors: number;
  /** Join requests answered with success, and refused (by code). */
  joinsAccepted: number;
  joinsRefused: Record<string, number>;
  /** Bytes waiting in send buffers right now, over all links. */
  queuedBytes: number;
}

export function newMetrics(): TransportMetrics {
  const framesDropped = {} as Record<DropReason, number>;
  for (const r of DROP_REASONS) framesDropped[r] = 0;
  return {
    framesSent: 0,
    messagesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    sendsUnreachable: 0,
    sendsBufferFull: 0,
    sendsOversized: 0,
    framesDropped,
    unknownMessages: 0,
    streamsAborted: 0,
    streamsRefused: 0,
    connectionsDenied: 0,
    offendersDisconnected: 0,
    formerMessages: { delivered: 0, dropped: 0 },
    handlerErrors: 0,
    joinsAccepted: 0,
    joinsRefused: {},
    queuedBytes: 0,
  };
}

/** A deep copy, so callers can diff two snapshots. */
export function copyMetrics(m: TransportMetrics): TransportMetrics {
  return {
    ...m,
    framesDropped: { ...m.framesDropped },
    formerMessages: { ...m.formerMessages },
    joinsRefused: { ...m.joinsRefused },
  };
}

/**
 * Asking a member for an invite (/synod/invite-request/1.0.0): a LAN first run without copying an
 * invite by hand.
 *
 * Asking side: a peer in no log, which found a member on the LAN (lan-asker.ts), opens a stream
 * and sends one InviteRequest with its display name; Noise has authenticated its peer id.
 * Asking is all it may do: the invite it gets is presented through the join protocol (join.ts)
 * like any other.
 *
 * Member side: the app's handler decides — the desktop app asks its user, who accepts or
 * declines in the UI — and the answer carries a fresh single-use invite, or a typed refusal
 * (InviteRequestRefusedError codes). Bounded: one request per stream, read within
 * REQUEST_TIMEOUT_MS and at most MAX_MESSAGE_BYTES (defensively decoded by the schema,
 * codec/invite-request-schema.ts); at most MAX_PENDING requests undecided at once and one per
 * asking peer (`busy`); each decided within the member's decision timeout (`timeout`), and
 * dropped when the asker goes away.
 */
import type { Connection, Logger, PeerId as Libp2pPeerId, Stream } from '@libp2p/interface';
import type { PeerId } from '@synod/core';
import * as wire from './codec/invite-request-schema.js';
import {
  InviteRequestFailedError,
  InviteRequestRefusedError,
  type InviteRequestRefusalCode,
} from './errors.js';
import type { Libp2pHost } from './host.js';
import type { IssuedInvite } from './invite.js';
import { INVITE_REQUEST_PROTOCOL } from './protocols.js';
import { lengthPrefixed, readOne } from './single-message.js';

export { MAX_ASKER_NAME } from './codec/invite-request-schema.js';

/** What the member's handler is told. */
export interface InviteRequestInfo {
  /** The asking peer's id, authenticated by the Noise handshake. */
  readonly peer: PeerId;
  /** The name it gives (anyone may claim any name: show the id beside it). */
  readonly name: string;
}

/**
 * Decides a request: true gives the asker an invite, false declines. `signal` aborts when the
 * asker goes away or the decision timeout passes (the answer is then already given).
 */
export type InviteRequestHandler = (
  request: InviteRequestInfo,
  signal: AbortSignal,
) => Promise<boolean> | boolean;

export interface InviteRequestDeps {
  /** A fresh single-use invite to this member's log. */
  createInvite(): Promise<IssuedInvite>;
  /** An exchange with a peer started or ended (a stranger stays connected meanwhile). */
  inProgress(peer: PeerId, active: boolean): void;
  readonly log: Logger;
  /** How long the member's user has to decide, ms. */
  readonly decisionTimeoutMs: number;
}

/** How long a member's user has to accept or decline, by default (the asker waits a bit more). */
export const INVITE_DECISION_TIMEOUT_MS = 120_000;
/** The most requests undecided at once. */
const MAX_PENDING = 4;
/** Either message is far smaller (an invite is under 2 KiB). */
const MAX_MESSAGE_BYTES = 16 * 1024;
/** An asker must send its request this soon after opening the stream. */
const REQUEST_TIMEOUT_MS = 10_000;

export class InviteRequestService {
  private handler: InviteRequestHandler | undefined;
  /** Asking peers whose request is undecided. */
  private readonly pending = new Set<PeerId>();

  constructor(private readonly deps: InviteRequestDeps) {}

  /** Whether an app decides requests now (strangers may then connect to ask: gate.ts). */
  get accepting(): boolean {
    return this.handler !== undefined;
  }

  setHandler(handler: InviteRequestHandler | undefined): void {
    this.handler = handler;
  }

  /** The stream handler of INVITE_REQUEST_PROTOCOL. Never throws. */
  async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    // The exchange counts (and keeps a stranger connected) from its request on: a stream that
    // sends none is no exchange, or silent streams would hold a connection for ever (review6).
    let started = false;
    const start = () => {
      started = true;
      this.deps.inProgress(peer, true);
    };
    try {
      const answer = await this.answer(stream, peer, start);
      if (answer === undefined) return;
      if (!answer.ok) {
        this.deps.log(
          'refused an invite request from %s: %s (%s)',
          peer,
          answer.code,
          answer.message,
        );
      }
      stream.send(lengthPrefixed(wire.InviteAnswer.encode(answer)));
      await stream.close({ signal: AbortSignal.timeout(5000) });
    } catch (err) {
      this.deps.log.error('invite request exchange with %s failed: %e', peer, err);
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    } finally {
      if (started) this.deps.inProgress(peer, false);
    }
  }

  /**
   * The answer to send, or undefined when the asker went away meanwhile. `start`: called once
   * the request has been read (the exchange is under way).
   */
  private async answer(
    stream: Stream,
    peer: PeerId,
    start: () => void,
  ): Promise<wire.InviteAnswer | undefined> {
    let request: wire.InviteRequest;
    try {
      const bytes = await readOne(
        stream,
        MAX_MESSAGE_BYTES,
        AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      );
      request = wire.InviteRequest.decode(bytes);
    } catch (err) {
      return refuse('bad-request', `unreadable request: ${String(err)}`);
    }
    start();
    const handler = this.handler;
    if (handler === undefined) {
      return refuse('not-accepting', 'this member is not taking invite requests now');
    }
    if (this.pending.has(peer)) return refuse('busy', 'a request from this peer is undecided');
    if (this.pending.size >= MAX_PENDING) return refuse('busy', 'too many requests undecided');
    this.pending.add(peer);
    const timeout = AbortSignal.timeout(this.deps.decisionTimeoutMs);
    const gone = new AbortController();
    const onClose = () => gone.abort(new Error('the asking peer went away'));
    stream.addEventListener('close', onClose);
    const signal = AbortSignal.any([timeout, gone.signal]);
    try {
      const accepted = await untilAborted(handler({ peer, name: request.name }, signal), signal);
      if (!accepted) return refuse('declined', 'the member declined');
      return { ok: true, invite: (await this.deps.createInvite()).text, code: '', message: '' };
    } catch (err) {
      if (gone.signal.aborted) return undefined;
      if (timeout.aborted) {
        return refuse(
          'timeout',
          `nobody decided within ${Math.round(this.deps.decisionTimeoutMs / 1000)} s`,
        );
      }
      return refuse('not-accepting', err instanceof Error ? err.message : String(err));
    } finally {
      this.pending.delete(peer);
      stream.removeEventListener('close', onClose);
    }
  }
}

function refuse(code: InviteRequestRefusalCode, message: string): wire.InviteAnswer {
  return { ok: false, invite: '', code, message };
}

/** `p`, or its signal's reason once aborted (whichever comes first). */
function untilAborted<T>(p: Promise<T> | T, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(p).then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export interface RequestInviteOptions {
  /** The name to show the member's user. */
  name: string;
  /** Give up after this many ms (default: the member's decision time, and a little more). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Ask `peer` (a member found on the LAN) for an invite; resolves with the invite's text once its
 * user accepted. Throws InviteRequestRefusedError (the member's code) or InviteRequestFailedError.
 */
export async function requestInvite(
  node: Pick<Libp2pHost, 'dialProtocol'>,
  peer: Libp2pPeerId,
  opts: RequestInviteOptions,
): Promise<string> {
  if (opts.name.length > wire.MAX_ASKER_NAME) {
    throw new InviteRequestFailedError(`the name exceeds ${wire.MAX_ASKER_NAME} characters`);
  }
  const timeoutMs = opts.timeoutMs ?? INVITE_DECISION_TIMEOUT_MS + 10_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any(opts.signal !== undefined ? [timeout, opts.signal] : [timeout]);
  let answer: wire.InviteAnswer;
  try {
    const stream = await node.dialProtocol(peer, INVITE_REQUEST_PROTOCOL, { signal });
    try {
      stream.send(lengthPrefixed(wire.InviteRequest.encode({ name: opts.name })));
      answer = wire.InviteAnswer.decode(await readOne(stream, MAX_MESSAGE_BYTES, signal));
      await stream.close({ signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  } catch (err) {
    const why = timeout.aborted
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : err instanceof Error
        ? err.message
        : String(err);
    throw new InviteRequestFailedError(`could not ask ${peer.toString()} for an invite: ${why}`, {
      cause: err,
    });
  }
  if (!answer.ok) throw new InviteRequestRefusedError(refusalCode(answer.code), answer.message);
  return answer.invite;
}

const REFUSAL_CODES: ReadonlySet<string> = new Set<InviteRequestRefusalCode>([
  'declined',
  'not-accepting',
  'busy',
  'timeout',
  'bad-request',
]);

/** A code this build does not know (a newer member's) reads as `not-accepting`. */
function refusalCode(code: string): InviteRequestRefusalCode {
  return REFUSAL_CODES.has(code) ? (code as InviteRequestRefusalCode) : 'not-accepting';
}

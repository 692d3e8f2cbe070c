/**
 * Why a join could not complete, as a sentence a user can act on. libp2p's own errors name its
 * internals ("Unexpected EOF - stream closed while reading 0/1 bytes", an ECONNREFUSED with a
 * socket address, or an Event object), so they become the cause, not the message.
 */

/** The first error of an aggregate (a dial tries several addresses), else `err` itself. */
function firstOf(err: unknown): unknown {
  const errors = (err as { errors?: unknown })?.errors;
  return Array.isArray(errors) && errors.length > 0 ? firstOf(errors[0]) : err;
}

export function joinFailureReason(err: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) {
    return `the inviter did not answer within ${Math.round(timeoutMs / 1000)} s (is it running, and reachable from here?)`;
  }
  const e = firstOf(err);
  // A stream's own 'close' or 'abort' Event (not an Error) is a connection that ended too.
  const type = (e as { type?: unknown } | null)?.type;
  const name =
    e instanceof Error ? e.name : type === 'close' || type === 'abort' ? 'StreamClosedError' : '';
  const code = (e as { code?: unknown })?.code;
  if (code === 'ECONNREFUSED') {
    return 'the inviter refused the connection: it is not running at the address in the invite (a restarted peer may listen elsewhere: ask for a new invite)';
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    return "the inviter's address is not reachable from this machine (another network? a firewall?)";
  }
  if (
    [
      'UnexpectedEOFError',
      'StreamResetError',
      'StreamClosedError',
      'ConnectionClosedError',
      'MuxerClosedError',
    ].includes(name)
  ) {
    return 'the inviter closed the connection without answering: the invite is probably used or expired (a member lets strangers connect only while it has unused invites); ask for a new one';
  }
  if (name === 'NoValidAddressesError') return 'the invite carries no address this peer can dial';
  if (name === 'EncryptionFailedError' || name === 'InvalidCryptoExchangeError') {
    return 'the secure handshake with the inviter failed (a different pre-shared network key?)';
  }
  if (name === 'UnsupportedProtocolError') {
    return 'the peer at that address does not accept joins (another program, or another version?)';
  }
  if (e instanceof Error) return `${e.message || e.name}`;
  return typeof type === 'string' ? `the connection failed (${type})` : 'the connection failed';
}

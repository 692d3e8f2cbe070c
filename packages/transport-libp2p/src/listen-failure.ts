/**
 * Why the transport could not listen, as a sentence. libp2p reports a listen failure as one
 * multi-line message naming its own configuration (`transportManager.faultTolerance`) with a
 * stack trace per address, and a bad address as "String multiaddr must start with /".
 */
import { multiaddr } from '@multiformats/multiaddr';
import { TransportConfigError } from './errors.js';

/** Refuse a listen (or announce) address that is no multiaddr, before anything starts. */
export function checkListenAddresses(addrs: readonly string[], what = 'listen'): void {
  const given: unknown = addrs;
  if (!Array.isArray(given)) {
    throw new TransportConfigError(`${what} must be an array of multiaddrs`);
  }
  for (const a of addrs) {
    try {
      multiaddr(a);
    } catch {
      throw new TransportConfigError(
        `${what} address ${String(a)} is not a multiaddr (like /ip4/0.0.0.0/tcp/4001)`,
      );
    }
  }
}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is in use (another program, or another peer, listens there)',
  EADDRNOTAVAIL: 'this machine has no such address',
  EACCES: 'permission denied (ports below 1024 need privileges)',
};

/** `err` from starting libp2p, phrased when it is a listen failure (kept as the cause). */
export function listenFailure(err: unknown): unknown {
  if (!(err instanceof Error) || err.name !== 'UnsupportedListenAddressesError') return err;
  const failures = [...err.message.matchAll(/^\s+(\/\S+): (?:\w*Error: )?(.*)$/gm)].map((m) => {
    const code = /\b(E[A-Z]+)\b/.exec(m[2]!)?.[1];
    return `${m[1]}: ${(code !== undefined ? REASONS[code] : undefined) ?? m[2]}`;
  });
  const e = new TransportConfigError(
    `cannot listen on ${failures.length > 0 ? failures.join('; ') : 'the listen addresses'}`,
  );
  e.cause = err;
  return e;
}

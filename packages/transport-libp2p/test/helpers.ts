/** Shared test helpers: libp2p transports on 127.0.0.1 with mDNS off, introduced to each other. */
import {
  createLibp2pTransport,
  generateIdentity,
  type Libp2pTransport,
  type Libp2pTransportOptions,
} from '../src/index.js';

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

/** One transport on loopback, mDNS off, with short backoffs suited to tests. */
export async function loopbackTransport(
  opts: Partial<Libp2pTransportOptions> = {},
): Promise<Libp2pTransport> {
  return createLibp2pTransport({
    ...(opts.storage === undefined ? { identity: await generateIdentity() } : {}),
    listen: LOOPBACK,
    mdns: false,
    backoffMaxMs: 1000,
    ...opts,
  });
}

/** `count` transports, each told the others' addresses (not yet members of each other). */
export async function introducedTransports(
  count: number,
  opts: Partial<Libp2pTransportOptions> = {},
): Promise<Libp2pTransport[]> {
  const ts = await Promise.all(Array.from({ length: count }, () => loopbackTransport(opts)));
  for (const a of ts) {
    for (const b of ts) if (a !== b) await a.addPeerAddress(b.multiaddrs()[0]!);
  }
  return ts;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * A TCP port free on 127.0.0.1 now, for a peer that listens there across its restarts (no mDNS
 * in these tests, so members find each other at the ports they keep).
 *
 * Picked below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), not by
 * binding port 0: the port stays unbound from here until the peer listens, which can be tens of
 * seconds on a busy machine (a `synod start` in setup mode listens only once it joins), and a port
 * from the ephemeral range can meanwhile become the local port of any outgoing connection or
 * `tcp/0` listener on the machine; the peer's listen then failed with EADDRINUSE (seen once in
 * test/synod-cluster.test.ts's join, at load 17, with other test files running beside it). Below
 * the range only another explicit bind can take it: another test's pick, which the bind here
 * rules out for ports in use and the random choice makes unlikely otherwise.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;

function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    if (Number.isInteger(low) && low > LOWEST + 1000) return low;
  } catch {
    // Not Linux: IANA's dynamic range starts at 49152.
  }
  return 49_152;
}

/** Can a listener bind `port` on 127.0.0.1 now? */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let tries = 0; tries < 100; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${high} in 100 tries`);
}

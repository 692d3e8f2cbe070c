/**
 * A listen address with port 0 ("a free port", the default) gets the port it got last time, if
 * it is still free. Members redial each other at the addresses they keep (address-book.ts); a
 * peer restarted on a new port is reached only if it dials them itself, and two members that
 * both restarted hold each other's old ports only: both up, both online with a third, yet never
 * linked, so losing the third loses the majority. mDNS hides this on a LAN; off it (`--no-mdns`,
 * networks without multicast) it stays. The ports are kept in the peer's Storage.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { MetaStore } from './identity.js';
import { META_LISTEN_PORTS } from './meta-keys.js';

const ANY_PORT = /\/tcp\/0$/;

/** `listen` with each `/tcp/0` replaced by the port it had last time, where one is kept. */
export async function rememberedListen(
  store: MetaStore,
  listen: readonly string[],
): Promise<string[]> {
  const ports = await load(store);
  return listen.map((a) => {
    const port = ports[a];
    return ANY_PORT.test(a) && port !== undefined ? a.replace(ANY_PORT, `/tcp/${port}`) : a;
  });
}

/** Keep the port each `/tcp/0` of `listen` got (from the node's `bound` addresses). */
export async function rememberListenPorts(
  store: MetaStore,
  listen: readonly string[],
  bound: readonly Multiaddr[],
): Promise<void> {
  const ports: Record<string, number> = {};
  for (const a of listen) {
    if (!ANY_PORT.test(a)) continue;
    const family = multiaddr(a).getComponents()[0]?.name;
    const got = bound.find((b) => b.getComponents()[0]?.name === family);
    const port = got?.getComponents().find((c) => c.name === 'tcp')?.value;
    if (port !== undefined && port !== '0') ports[a] = Number(port);
  }
  const before = await load(store);
  if (JSON.stringify(before) === JSON.stringify(ports)) return;
  await store.setMeta(META_LISTEN_PORTS, new TextEncoder().encode(JSON.stringify(ports)));
}

async function load(store: MetaStore): Promise<Record<string, number>> {
  const raw = await store.getMeta(META_LISTEN_PORTS);
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(raw));
    const out: Record<string, number> = {};
    if (typeof parsed === 'object' && parsed !== null) {
      for (const [k, v] of Object.entries(parsed)) {
        if (Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536) out[k] = v as number;
      }
    }
    return out;
  } catch {
    // A damaged record costs only a new port.
    return {};
  }
}

// The hosts of the many-logs benchmarks (bench/logs.mjs, bench/logs-fairness.mjs): host
// processes (host-child.mjs: @synod/peer's createHost, one libp2p node each on 127.0.0.1), logs
// created on the first and joined by the others with invites, and a wait until they are ready.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './common.mjs';
import { freePort, PeerProcess } from './peer.mjs';

const HOST_CHILD = join(dirname(fileURLToPath(import.meta.url)), 'host-child.mjs');

/**
 * `names.length` host processes under `dir`, each started (one data directory and port each).
 * @param {string} dir @param {string[]} names @param {{ durability?: string }} [o]
 */
export async function startHosts(dir, names, o = {}) {
  const hosts = names.map((n) => new PeerProcess(n, join(dir, n, 'unused'), { child: HOST_CHILD }));
  await Promise.all(hosts.map((h) => h.ready));
  for (const h of hosts) {
    const port = await freePort();
    const a = await h.request('start', { dir: join(dir, h.name), port, durability: o.durability });
    h.peer = String(a.peer);
  }
  return hosts;
}

/**
 * Create log `name` on `creator` and have each of `joiners` join it by invite.
 * @param {PeerProcess} creator @param {PeerProcess[]} joiners @param {string} name
 * @param {Record<string, unknown>} [args] passed to create and join (e.g. `keyspace`)
 */
export async function makeLog(creator, joiners, name, args = {}) {
  await creator.request('create', { name, ...args });
  for (const h of joiners) await joinLog(creator, h, name, args);
}

/**
 * `joiner` joins log `name` by an invite of `inviter`.
 * @param {PeerProcess} inviter @param {PeerProcess} joiner @param {string} name
 * @param {Record<string, unknown>} [args]
 */
export async function joinLog(inviter, joiner, name, args = {}) {
  const { text } = await inviter.request('invite', { name });
  await joiner.request('join', { name, invite: text, ...args }, 120_000);
}

/**
 * Until every one of `hosts` has each of `names` with `hosts.length` acceptors and links up to
 * the others, and each log has a leader (any: leadership may have moved off its creator).
 * @param {PeerProcess[]} hosts @param {string[]} names
 */
export async function waitReady(hosts, names) {
  const deadline = Date.now() + Number(process.env.READY_MS ?? 300_000);
  for (;;) {
    const all = (await Promise.all(hosts.map((h) => h.request('status')))).map(
      (a) =>
        /** @type {Record<string, { acceptors: number, connected: number, leading: boolean }>} */ (
          a.logs
        ),
    );
    const ok = names.every((n) =>
      all.every(
        (logs) =>
          logs[n] !== undefined &&
          logs[n].acceptors === hosts.length &&
          logs[n].connected === hosts.length - 1,
      ),
    );
    const led = names.every((n) => all.some((logs) => logs[n]?.leading === true));
    if (ok && led) return;
    if (Date.now() > deadline) throw new Error(`logs not ready in time: ${JSON.stringify(all)}`);
    await sleep(200);
  }
}

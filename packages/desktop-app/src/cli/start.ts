/**
 * `synod start`: run the peer of a data directory in the foreground — the peer service, the
 * local API on 127.0.0.1, progress while catching up — until SIGINT or SIGTERM, which finish
 * or fail in-flight work explicitly, close the store and remove the API's files.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkListenAddresses, checkName } from '@synod/peer';
import { startHost, type Host } from '../host/host.js';
import { capYoungGeneration } from '../host/young-generation.js';
import type { PeerService } from '../service/peer-service.js';
import type { ServiceStatus } from '../service/types.js';
import { CliError, errorLine } from './cli-error.js';
import { dataDirOf } from './connect.js';
import { CatchupBar } from './progress.js';
import { wireOptionsOf, type StartOptions } from './start-options.js';

export type { StartOptions };

/** The package's own UI directory (issue 7), if it has been built there. */
const PACKAGED_UI = fileURLToPath(new URL('../../ui/', import.meta.url));

function say(line: string): void {
  process.stdout.write(`synod: ${line}\n`);
}

export function parseApiAddress(text: string): { host: string; port: number } {
  const m = /^(?:(127\.0\.0\.1|localhost):)?(\d{1,5})$/.exec(text.trim());
  if (m === null || Number(m[2]) > 65535) {
    throw new CliError(
      `--api must be 127.0.0.1:<port> (the local API never listens beyond this machine), got ${text}`,
      2,
    );
  }
  return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
}

/**
 * --listen, --bootstrap and --name are arguments like --api: a bad one is exit 2, found before
 * the peer starts (the peer's own checks would refuse it later, as a failure, exit 1).
 */
function checkPeerArguments(o: StartOptions): void {
  for (const a of o.listen ?? []) {
    try {
      checkListenAddresses([a]);
    } catch (err) {
      throw new CliError(errorLine(err), 2);
    }
  }
  for (const a of o.bootstrap ?? []) {
    let ok = /\/p2p\/[^/]+$/.test(a);
    try {
      checkListenAddresses([a]);
    } catch {
      ok = false;
    }
    if (!ok) throw new CliError(`--bootstrap ${a} is not a multiaddr ending in /p2p/<peer id>`, 2);
  }
  if (o.name !== undefined) {
    try {
      checkName(o.name);
    } catch (err) {
      throw new CliError(`--name: ${errorLine(err)}`, 2);
    }
  }
}

function uiDirOf(option: string | false | undefined): string | undefined {
  if (option === false) return undefined;
  if (option !== undefined) {
    if (!existsSync(option)) throw new CliError(`--ui ${option} does not exist`, 2);
    return option;
  }
  return existsSync(PACKAGED_UI + 'index.html') ? PACKAGED_UI : undefined;
}

function describePeer(s: ServiceStatus): string {
  if (s.logId === null) {
    return `no log yet in ${s.dataDir}: join one (synod join <invite> --data ${s.dataDir}) or create one (synod init --data ${s.dataDir})`;
  }
  const title = s.log?.title ? ` "${s.log.title}"` : '';
  const named = s.logName !== null ? ` (${s.logName} here)` : '';
  return `peer ${s.id} (${s.name}) of log ${s.logId}${named}${title}`;
}

/** The status of each log (of setup, when there is none). */
function statuses(service: PeerService): ServiceStatus[] {
  const logs = service.logs().logs;
  if (logs.length === 0) return [service.status()];
  return logs.map((l) => service.status({ log: l.logId }));
}

export async function start(o: StartOptions): Promise<void> {
  const dataDir = dataDirOf(o.data);
  const { host: apiHost, port } = parseApiAddress(o.api);
  if (o.durability !== undefined && o.durability !== 'full' && o.durability !== 'normal-unsafe') {
    throw new CliError('--durability must be full or normal-unsafe', 2);
  }
  checkPeerArguments(o);
  const uiDir = uiDirOf(o.ui);
  // The app's V8 policy for the peer it runs in this process (young-generation.ts says why).
  capYoungGeneration();
  let host: Host;
  try {
    host = await startHost({
      dataDir,
      mdns: o.mdns,
      apiHost,
      apiPort: port,
      ...(uiDir !== undefined ? { uiDir } : {}),
      onApiError: (err) => process.stderr.write(`synod: API error: ${errorLine(err)}\n`),
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.listen !== undefined ? { listen: o.listen } : {}),
      ...(o.bootstrap !== undefined ? { bootstrap: o.bootstrap } : {}),
      ...(o.durability !== undefined ? { durability: o.durability } : {}),
      ...wireOptionsOf(o),
    });
  } catch (err) {
    throw new CliError(errorLine(err, dataDir));
  }
  const { service, api } = host;
  const all = statuses(service);
  for (const s of all) say(describePeer(s));
  for (const a of all.find((s) => s.addresses.length > 0)?.addresses ?? []) {
    say(`listening on ${a}`);
  }
  say(`local API on ${api.url} (token in ${host.dataDir}/api-token)`);
  if (api.uiUrl !== undefined) say(`UI at ${api.uiUrl}`);

  watch(service);
  await untilSignalled(host);
}

/**
 * Report what a person running the peer wants to know, of each log: joins, catch-up, majority,
 * removal.
 */
function watch(service: PeerService): void {
  const bar = new CatchupBar('catching up');
  /** The last status of each log (null: setup), and the logs catching up. */
  const lastOf = new Map(statuses(service).map((s) => [s.logId, s]));
  const catchingUp = new Set<string | null>();
  service.subscribe((e) => {
    if (e.type !== 'status') return;
    const s = e.status;
    const last = lastOf.get(s.logId) ?? { ...s, state: 'setup', protocol: null, peers: [] };
    // (A stopping peer's status has no log any more: nothing to announce.)
    if (!lastOf.has(s.logId) && s.state !== 'stopped') {
      say(describePeer(s));
      for (const a of s.addresses) say(`listening on ${a}`);
    }
    if (s.state !== last.state) {
      if (s.state === 'removed')
        say('this peer was removed from the log: it takes no further part');
      if (s.state === 'failed') say(`the peer failed: ${s.failure ?? 'unknown'}`);
    }
    const p = s.protocol;
    // One sentence, once: peers found this peer's storage rolled back (docs/protocol.md).
    if (p?.amnesia != null && p.amnesia !== last.protocol?.amnesia) say(p.amnesia);
    if (p !== null && (p.catchup !== null || !p.initialized)) {
      catchingUp.add(s.logId);
      bar.update(s);
    } else if (catchingUp.has(s.logId) && p !== null) {
      catchingUp.delete(s.logId);
      bar.finish(p.slotOut - 1);
      say(`caught up at slot ${p.slotOut - 1}`);
    }
    const m = s.majority;
    const before = last.majority;
    if (s.state === 'running' && m !== null && before !== null && m.ok !== before.ok) {
      say(
        m.ok
          ? `majority reachable again (${m.reachable} of ${m.total})`
          : `no majority reachable: ${m.reachable} of ${m.total} acceptors reachable, need ${m.needed} (writes wait)`,
      );
    }
    if (p !== null && p.activeLeader !== last.protocol?.activeLeader && p.activeLeader !== null) {
      const leader = s.peers.find((x) => x.id === p.activeLeader);
      say(`leader: ${leader?.name || p.activeLeader}${leader?.self ? ' (this peer)' : ''}`);
    }
    // A peer of a release this one cannot talk to: say who must upgrade, once per sentence.
    for (const peer of s.peers) {
      const said = last.peers.find((x) => x.id === peer.id)?.incompatible ?? null;
      if (peer.incompatible !== null && peer.incompatible !== said) say(peer.incompatible);
    }
    lastOf.set(s.logId, s);
  });
}

function untilSignalled(host: Host): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second signal: do not wait any longer.
        process.exit(130);
      }
      stopping = true;
      say(
        `${signal}: stopping (a log this peer leads hands over first; pending operations fail, the store is closed)`,
      );
      void (async () => {
        let code = 0;
        try {
          // Stop taking requests; those in flight are answered (stopped) as the service stops.
          await host.close();
        } catch (err) {
          process.stderr.write(`synod: error while stopping: ${errorLine(err)}\n`);
          code = 1;
        }
        say('stopped');
        process.exitCode = code;
        resolve();
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

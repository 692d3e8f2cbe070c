/**
 * The bridge API (desktop/bridge-api.ts) over the peer service, as Electron's main process runs
 * it: one thin translation per method, the same as the local API's routes (api/routes.ts) do
 * for the browser. Requests arrive here already checked by bridge-validate.ts (ipc.ts).
 */
import type {
  BridgeEvent,
  DiscoveredPeerView,
  InviteView,
  ProtocolSnapshot,
  ProtocolTrace,
  SynodBridge,
} from '../desktop/bridge-api.js';
import type { PeerService } from '../service/index.js';
import type { ServiceEvent } from '../service/types.js';

/** Where the protocol view's messages come from (a ProtocolMonitor fed by the node). */
export type TraceSource = (after: number, limit: number) => ProtocolTrace;

const NO_TRACE: TraceSource = () => ({
  cursor: 0,
  messages: [],
  skipped: false,
  peers: [],
  totals: { in: 0, out: 0 },
  now: Date.now(),
});

/** A service event as the bridge reports it (the same data: both are plain JSON). */
export function toBridgeEvent(e: ServiceEvent): BridgeEvent {
  switch (e.type) {
    case 'status':
      return { type: 'status', status: e.status };
    case 'applied':
      return { type: 'applied', operations: e.operations };
    case 'reset':
      return { type: 'reset' };
  }
}

export function serviceBridge(service: PeerService, trace: TraceSource = NO_TRACE): SynodBridge {
  return {
    status: () => Promise.resolve(service.status()),
    entries: (r = {}) =>
      service.list({ read: r.read, includeDeleted: r.deleted === true, bodies: true }),
    history: (r = {}) => service.history({ after: r.after, limit: r.limit, read: r.read }),
    append: (r) => service.append({ title: r.title, body: r.body }, { timeoutMs: r.timeoutMs }),
    edit: (r) =>
      service.edit(
        r.id,
        {
          version: r.version,
          patches: r.patches,
          ...(r.title !== undefined ? { title: r.title } : {}),
          ...(r.rebase !== undefined ? { rebase: r.rebase } : {}),
        },
        { timeoutMs: r.timeoutMs },
      ),
    deleteEntry: (r) => service.delete(r.id, { version: r.version, timeoutMs: r.timeoutMs }),
    restoreEntry: (r) => service.restore(r.id, { version: r.version, timeoutMs: r.timeoutMs }),
    renameLog: (r) => service.renameLog(r.title, { timeoutMs: r.timeoutMs }),
    setName: (r) => service.setName(r.name),
    invite: async (r = {}): Promise<InviteView> => {
      const i = await service.invite({ ttlMs: r.ttlMs });
      return {
        text: i.text,
        qr: i.qr,
        logId: i.logId,
        inviter: i.inviter,
        addrs: [...i.addrs],
        expiresAt: i.expiresAt,
      };
    },
    removePeer: async (r) => ({
      removed: await service.remove(r.peer, { timeoutMs: r.timeoutMs }),
    }),
    leave: () => service.leave(),
    createLog: (r = {}) => service.create(r.title !== undefined ? { title: r.title } : {}),
    join: async (r) => {
      if (r.name !== undefined) await service.setName(r.name);
      return service.join(r.invite);
    },
    discovered: () =>
      Promise.resolve({
        peers: service.discovered().map((p): DiscoveredPeerView => ({
          peer: p.peer,
          addrs: [...p.addrs],
          lastSeen: p.lastSeen,
          member: p.member,
        })),
      }),
    protocol: (r = {}): Promise<ProtocolSnapshot> => {
      const s = service.status();
      return Promise.resolve({
        self: s.id,
        protocol: s.protocol,
        trace: trace(r.after ?? 0, r.limit ?? 200),
      });
    },
    subscribe: (listener) => service.subscribe((e) => listener(toBridgeEvent(e))),
  };
}

/**
 * The bridge API (bridge-api.ts) over a PeerService in the same process: what Electron's main
 * process answers IPC calls with (after validateBridgeCall). Each method is one service call.
 */
import type { PeerService } from '../service/index.js';
import type { ServiceEvent } from '../service/types.js';
import type { BridgeEvent, SynodBridge } from './bridge-api.js';

export function createServiceBridge(service: PeerService): SynodBridge {
  return {
    status: () => Promise.resolve(service.status()),
    entries: (r = {}) =>
      service.list({
        ...(r.read !== undefined ? { read: r.read } : {}),
        includeDeleted: r.deleted === true,
      }),
    history: (r = {}) => service.history({ ...r }),
    append: ({ title, body, timeoutMs }) =>
      service.append({ title, body }, timeoutMs !== undefined ? { timeoutMs } : {}),
    edit: ({ id, timeoutMs, ...edit }) =>
      service.edit(id, edit, timeoutMs !== undefined ? { timeoutMs } : {}),
    deleteEntry: ({ id, ...o }) => service.delete(id, o),
    restoreEntry: ({ id, ...o }) => service.restore(id, o),
    renameLog: ({ title, timeoutMs }) =>
      service.renameLog(title, timeoutMs !== undefined ? { timeoutMs } : {}),
    setName: ({ name }) => service.setName(name),
    invite: (r = {}) => service.invite(r),
    removePeer: async ({ peer, timeoutMs }) => ({
      removed: await service.remove(peer, timeoutMs !== undefined ? { timeoutMs } : {}),
    }),
    leave: () => service.leave(),
    createLog: (r = {}) => service.create(r),
    join: async ({ invite, name }) => {
      if (name !== undefined) await service.setName(name);
      return service.join(invite);
    },
    discovered: () => Promise.resolve({ peers: service.discovered() }),
    protocol: (r = {}) => Promise.resolve(service.protocol(r)),
    subscribe: (listener) =>
      service.subscribe((e: ServiceEvent) => listener(e satisfies BridgeEvent)),
  };
}

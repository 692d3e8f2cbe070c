/**
 * The bridge as the views of one log use it: every operation of one log (the table's `perLog`)
 * goes to the log chosen in the list of logs, so that the views (entries, editor, history, peers,
 * protocol, header) need not know there are several. Operations of the peer as a whole (logs,
 * createLog, join, setName…) go as they are.
 */
import type { OperationClient } from '../src/operations/table.js';
import { inLog, OPERATION_NAMES } from '../src/operations/table.js';
import type { SynodBridge } from '../src/desktop/bridge-api.js';

export function logBridge(bridge: SynodBridge, chosen: () => string | undefined): SynodBridge {
  const scoped: Record<string, unknown> = {};
  for (const name of OPERATION_NAMES) {
    const call = bridge[name] as (request?: object) => Promise<unknown>;
    scoped[name] = (request?: object) => call(inLog(name, request ?? {}, chosen()));
  }
  return { ...(scoped as OperationClient), subscribe: (l) => bridge.subscribe(l) };
}

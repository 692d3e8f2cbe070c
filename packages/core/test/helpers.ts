/** A NodeContext for testing one role in isolation: it records what the role sends and persists. */
import type { BugName } from '../src/bugs.js';
import type { NodeContext } from '../src/context.js';
import { MemoryStorage } from '../src/memory-storage.js';
import type { Message } from '../src/messages.js';
import { validateOptions, type ProtocolOptions } from '../src/options.js';
import { PersistBuilder } from '../src/persist-builder.js';
import { RULES } from '../src/rules.js';
import type { StorageReadRequest } from '../src/storage-reads.js';
import { SimCluster } from '../src/testing/sim-cluster.js';

export interface Sent {
  to: string;
  msg: Message;
  afterPersist: boolean;
}

export interface TestContext extends NodeContext {
  sent: Sent[];
  /** The storage reads asked for, in order (the id of each is its index + 1). */
  reads: StorageReadRequest[];
  time: number;
  take(): Sent[];
}

export function testContext(
  id = 'p1',
  opts: Partial<ProtocolOptions> = {},
  bugs: BugName[] = [],
): TestContext {
  const ctx: TestContext = {
    id,
    opts: validateOptions(opts),
    persist: new PersistBuilder(),
    rules: RULES,
    sent: [],
    time: 0,
    now: () => ctx.time,
    random: () => 0.5,
    incarnation: () => 1,
    send: (to, msg) => ctx.sent.push({ to, msg, afterPersist: false }),
    sendAfterPersist: (to, msg) => ctx.sent.push({ to, msg, afterPersist: true }),
    reads: [],
    read: (r) => ctx.reads.push(r),
    bug: (name) => bugs.includes(name),
    trace: () => {},
    take: () => ctx.sent.splice(0),
  };
  return ctx;
}

export const b = (round: number, leader: string) => ({ round, leader });

/** A store holding a new log's first snapshot: `members` are its replicas, leaders and acceptors. */
export function newLogStore(members: readonly string[], window: number): MemoryStorage {
  const storage = new MemoryStorage();
  storage.applySync({
    snapshot: SimCluster.initialSnapshot(
      { replicas: [...members], leaders: [...members], acceptors: [...members] },
      window,
    ),
  });
  return storage;
}

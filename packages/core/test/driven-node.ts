/**
 * A RawNode stepped by hand, as a driver would step it, for tests that speak for the other peers
 * themselves (they step the node's inputs and read what it sends).
 */
import type { Envelope } from '../src/messages.js';
import { RawNode, type Ready } from '../src/raw-node.js';
import { KvStateMachine } from '../src/testing/kv-state-machine.js';
import { newLogStore } from './helpers.js';

export interface DrivenNodeOptions {
  /** The new log's WINDOW (default 4). */
  window?: number;
  /**
   * Stands for the other peers: shown what each Ready sent, it steps their answers into the node
   * `n` and says whether it answered anything; the turn then takes another Ready (10 at most).
   */
  answer?: (sent: readonly Envelope[], n: RawNode) => boolean;
}

/**
 * RawNode `id` of a new log of `members` (all replicas, leaders and acceptors), on a store of its
 * own, with short timers (heartbeat and retransmit 100 ms, election 300 ms) and a fixed random.
 * `turn()` takes a Ready (and returns the last one taken); `tick(ms)` moves its clock by `ms` and
 * takes a turn; `sent` collects every envelope it sends. One turn has been taken on return.
 */
export function drivenNode(id: string, members: readonly string[], opts: DrivenNodeOptions = {}) {
  const sm = new KvStateMachine();
  const n = new RawNode({
    id,
    stateMachine: sm,
    random: () => 0.5,
    options: { heartbeatIntervalMs: 100, electionTimeoutMs: 300, retransmitIntervalMs: 100 },
  });
  n.load(newLogStore(members, opts.window ?? 4).loadSync());
  let now = 0;
  const sent: Envelope[] = [];
  const turn = (): Ready => {
    for (let i = 0; ; i++) {
      const rd = n.ready();
      n.advance();
      const out = [...rd.messages, ...rd.afterPersist];
      sent.push(...out);
      const answered = opts.answer?.(out, n) === true;
      if (!answered || i === 9) return rd;
    }
  };
  const tick = (ms: number): void => {
    now += ms;
    n.tick(now);
    turn();
  };
  turn();
  return { n, sm, sent, turn, tick, now: () => now };
}

/**
 * The encoding of a replica snapshot (DESIGN.md §3 item 8): the application's state together
 * with the client table and the configuration history, all as of one slot.
 */
import { ByteReader, ByteWriter } from './bytes.js';
import type { ClientEntry } from './client-table.js';
import { decodeOutcome, encodeOutcome, type Outcome } from './command.js';
import type { Configuration } from './configuration.js';
import { DecodeError } from './errors.js';
import { validateOptions, type ProtocolOptions } from './options.js';
import { SeqMap } from './seq-map.js';
import type { StateMachine } from './state-machine.js';
import type { Snapshot } from './storage.js';
import type { PeerId } from './types.js';

/** Format 1: a log without skips (every release reads it); format 2 adds the skips flag. */
const SNAPSHOT_FORMAT_1 = 1;
const SNAPSHOT_FORMAT = 2;

export interface SnapshotContents {
  /** The state after applying every slot up to and including this one. */
  readonly slot: number;
  /**
   * The log's WINDOW (PMMC §2.1), fixed when the log is created. It is replicated rather than
   * read from each peer's options: peers that disagreed on it would disagree on the slot at
   * which a configuration takes effect.
   */
  readonly window: number;
  /**
   * The log's replicas read skips (command.ts), fixed when the log is created: a replica of a
   * release before skips takes one for a no-op and would apply what it voids. A log created
   * before keeps filling no-ops, and its snapshots keep format 1, which that release reads; a
   * log with skips writes format 2, which that release refuses (it cannot join such a log).
   */
  readonly skips: boolean;
  readonly configs: readonly Configuration[];
  readonly clients: readonly [string, ClientEntry][];
  /** The application's own snapshot. */
  readonly app: Uint8Array;
}

export function encodeSnapshot(s: SnapshotContents): Uint8Array {
  const w = new ByteWriter(256 + s.app.length);
  w.byte(s.skips ? SNAPSHOT_FORMAT : SNAPSHOT_FORMAT_1)
    .uint(s.slot)
    .uint(s.window);
  if (s.skips) w.byte(1);
  w.uint(s.configs.length);
  for (const c of s.configs) {
    w.uint(c.id).uint(c.start);
    w.strings(c.replicas);
    w.strings(c.leaders);
    w.strings(c.acceptors);
  }
  w.uint(s.clients.length);
  for (const [client, e] of s.clients) {
    w.string(client).uint(e.inc).uint(e.seq).uint(e.outcomes.size);
    for (const [seq, o] of e.outcomes) {
      w.uint(seq);
      encodeOutcome(w, o);
    }
  }
  w.bytes(s.app);
  return w.finish();
}

export function decodeSnapshot(data: Uint8Array): SnapshotContents {
  const r = new ByteReader(data);
  const format = r.byte();
  if (format !== SNAPSHOT_FORMAT && format !== SNAPSHOT_FORMAT_1)
    throw new DecodeError(`unknown snapshot format ${format}`);
  const slot = r.uint();
  const window = r.uint();
  if (window < 2) throw new DecodeError('snapshot has an invalid WINDOW');
  const skips = format === SNAPSHOT_FORMAT && r.byte() === 1;
  const nConfigs = r.uint();
  const configs: Configuration[] = [];
  for (let i = 0; i < nConfigs; i++) {
    const id = r.uint();
    const start = r.uint();
    configs.push({
      id,
      start,
      replicas: r.strings(),
      leaders: r.strings(),
      acceptors: r.strings(),
    });
  }
  const nClients = r.uint();
  const clients: [string, ClientEntry][] = [];
  for (let i = 0; i < nClients; i++) {
    const client = r.string();
    const inc = r.uint();
    const seq = r.uint();
    const n = r.uint();
    if (n > data.length) throw new DecodeError('outcome count exceeds the snapshot size');
    const outcomes = new SeqMap<Outcome>();
    let first = 0;
    for (let j = 0; j < n; j++) {
      const s = r.uint();
      if (j === 0) first = s;
      // A client's unacknowledged seqs are consecutive (see ClientTable): a table far sparser
      // is not one we wrote, and its ring (seq-map.ts) would be as large as its span.
      else if (Math.abs(s - first) > 2 * n + 1024)
        throw new DecodeError('client outcomes too sparse');
      outcomes.set(s, decodeOutcome(r));
    }
    clients.push([client, { inc, seq, outcomes }]);
  }
  const app = r.bytes();
  r.end();
  return { slot, window, skips, configs, clients, app };
}

/** The snapshot a new log starts from: this peer alone in configuration 0, and the app's empty state. */
export function newLogSnapshot(
  id: PeerId,
  sm: StateMachine,
  options: Partial<ProtocolOptions> = {},
): Snapshot {
  // The WINDOW is fixed here, for the life of the log, and travels in every snapshot.
  const { window } = validateOptions(options);
  const configs: Configuration[] = [
    { id: 0, start: 1, replicas: [id], leaders: [id], acceptors: [id] },
  ];
  return {
    slot: 0,
    // A new log's replicas read skips (snapshot.ts): this release and later ones only.
    data: encodeSnapshot({
      slot: 0,
      window,
      skips: true,
      configs,
      clients: [],
      app: sm.snapshot(),
    }),
  };
}

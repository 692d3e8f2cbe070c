/**
 * A StorageBatch as bytes, for its way from the caller's thread to the storage worker: one
 * buffer, transferred, not an object graph structured-cloned. Structured clone costs about a
 * microsecond per object on this path (a batch of 1,000 votes: 1–3 ms of the caller's event
 * loop, more than the transaction itself); this codec about a tenth of that
 * (`npm run bench -- storage` measures the caller's busy time per write).
 *
 * The batch's shape is declared once, below, with one line per field. The declarations are
 * typed against core's StorageBatch, PValue, Ballot...: a field added there and not here is a
 * compile error, never a field silently dropped on its way to the disk.
 */
import type {
  AcceptorPromise,
  Ballot,
  Decided,
  PeerStamp,
  PValue,
  Snapshot,
  StorageBatch,
} from '@synod/core';
import { bytes, list, num, record, str, type Codec } from './codec.js';

const ballot: Codec<Ballot> = record<Ballot>({ round: num, leader: str });

const promise: Codec<AcceptorPromise> = record<AcceptorPromise>({ config: num, ballot });

const pvalue: Codec<PValue> = record<PValue>({ config: num, ballot, slot: num, value: bytes });

const decided: Codec<Decided> = record<Decided>({ slot: num, value: bytes });

const peerStamp: Codec<PeerStamp> = record<PeerStamp>({
  peer: str,
  run: num,
  start: num,
  seq: num,
});

const snapshot: Codec<Snapshot> = record<Snapshot>({ slot: num, data: bytes });

export const batchCodec: Codec<StorageBatch> = record<StorageBatch>({
  incarnation: num,
  promises: list(promise),
  accepted: list(pvalue),
  decisions: list(decided),
  decidedAccepted: list(num),
  snapshot,
  truncateDecisionsBelow: num,
  watermark: num,
  dropPromisesBelow: num,
  seq: num,
  amnesia: str,
  peerStores: list(peerStamp),
});

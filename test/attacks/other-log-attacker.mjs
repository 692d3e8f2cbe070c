/**
 * The attacker of test/attacks/other-log.test.ts, a process of its own: bob's data directory
 * (bob's identity: a member of alice's log `team`, never of her log `trip`) tries to reach
 * `trip` on alice's node over the wire:
 *
 *   1. a Paxos stream naming trip (a catch-up request after it), and the same for a log that
 *      does not exist: alice must close both alike (nothing tells trip exists);
 *   2. a stream naming team (bob's own log) whose frame then names trip: dropped whole;
 *   3. joins with a spare invite to team turned into one to trip, and to a log that does not
 *      exist: refused alike (the invite's secret is team's).
 *
 *   node other-log-attacker.mjs <bob's data dir> <alice's multiaddr> <trip id> <team id> <invite to team>
 *
 * Prints one JSON line: what each attempt got.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { DocumentLog } from '@synod/desktop-app';
import { createHost, decodeInvite } from '@synod/peer';
import { encodeMessages, PAXOS_PROTOCOL } from '@synod/transport-libp2p';
import { encodeControl } from '../../packages/transport-libp2p/dist/frame-codec.js';
import { encodeInvite } from '../../packages/transport-libp2p/dist/invite.js';

const [dataDir, aliceAddr, tripId, teamId, teamInvite] = /** @type {string[]} */ (
  process.argv.slice(2)
);
const host = await createHost({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false });
// Bob's own log runs as in his app: alice is a member of it, so his node may dial hers.
const team = await host.openLog({ log: teamId, stateMachine: new DocumentLog() });
const libp2p = host.transport.libp2p;
const alice = multiaddr(aliceAddr);

/**
 * Wait (at most 10 s) for alice to close the stream; its status then.
 * @param {import('@libp2p/interface').Stream} stream
 * @returns {Promise<string>}
 */
async function closedBy(stream) {
  const deadline = Date.now() + 10_000;
  while (stream.status === 'open' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return stream.status;
}

/**
 * Open a Paxos stream to alice naming `logId`, then ask it for its log from slot 0.
 * @param {string} logId
 */
async function nameLog(logId) {
  const stream = await libp2p.dialProtocol(alice, PAXOS_PROTOCOL);
  stream.send(encodeControl({ logId }));
  /** @type {import('@synod/core').Message[]} */
  const ask = [{ type: 'catchupReq', fromSlot: 0, snapshotSlot: 0, offset: 0 }];
  stream.send(/** @type {Uint8Array} */ (encodeMessages(ask, 1 << 20).frames[0]));
  return closedBy(stream);
}

/**
 * A frame of encodeMessages with Frame.log_id (field 4) = logId appended (a short frame).
 * @param {Uint8Array} frame
 * @param {string} logId
 */
function withLogId(frame, logId) {
  const id = new TextEncoder().encode(logId);
  const extra = Uint8Array.of((4 << 3) | 2, id.length, ...id);
  const first = /** @type {number} */ (frame[0]);
  const bodyLength = first + extra.length;
  if (first >= 0x80 || bodyLength >= 0x80) throw new Error('the frame is too long');
  return Uint8Array.of(bodyLength, ...frame.subarray(1), ...extra);
}

/** @type {Record<string, unknown>} */
const result = {};
result.streamToTrip = await nameLog(tripId);
result.streamToNowhere = await nameLog('no-such-log');

// A stream of bob's own log, then a frame naming trip.
const own = await libp2p.dialProtocol(alice, PAXOS_PROTOCOL);
own.send(encodeControl({ logId: teamId }));
const ping = encodeMessages([{ type: 'readIndexReq', id: 1 }], 1 << 20).frames[0];
own.send(withLogId(/** @type {Uint8Array} */ (ping), tripId));
result.forgedFrameSent = true;

// Joins with team's invite turned into one to trip, and to a log that does not exist.
const probe = await host.transport.openLog({ logId: 'probe' });
/** @param {string} logId */
const joinAs = (logId) =>
  probe.join(encodeInvite({ ...decodeInvite(teamInvite), logId }).text).then(
    () => 'joined',
    (/** @type {{ code: string; message: string }} */ err) => `${err.code}: ${err.message}`,
  );
result.joinTrip = await joinAs(tripId);
result.joinNowhere = await joinAs('no-such-log');
result.logs = (await host.logs()).map((l) => l.logId);

await probe.stop();
await team.stop();
await host.stop();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);

/**
 * A shared counter: every peer adds numbers, and every peer sees the same total, reached in the
 * same order. All of the Synod wiring is the createPeer call below.
 *
 *   node examples/shared-counter/dist/counter.js --data /tmp/alice            # prints an invite
 *   node examples/shared-counter/dist/counter.js --data /tmp/bob --join 'synod:…'
 *
 * Then type a number and Enter in either terminal (or `invite` for another invite). Peers on
 * one LAN find each other by mDNS; elsewhere pass --bootstrap <multiaddr of a member>.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { StateMachine } from '@synod/core';
import { createPeer } from '@synod/peer';

const text = new TextEncoder();
const untext = new TextDecoder();

/** The replicated state: one number. `apply` is deterministic; a bad command changes nothing. */
class Counter implements StateMachine {
  total = 0;
  apply(command: Uint8Array): Uint8Array {
    const n = Number(untext.decode(command));
    if (!Number.isSafeInteger(n) || !Number.isSafeInteger(this.total + n)) {
      throw new Error('not an integer');
    }
    this.total += n;
    return text.encode(String(this.total));
  }
  snapshot(): Uint8Array {
    return text.encode(String(this.total));
  }
  restore(snapshot: Uint8Array): void {
    this.total = Number(untext.decode(snapshot));
  }
}

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'counter-data' },
    join: { type: 'string' },
    listen: { type: 'string', multiple: true },
    bootstrap: { type: 'string', multiple: true },
    'no-mdns': { type: 'boolean', default: false },
  },
});

const peer = await createPeer({
  dataDir: args.data,
  stateMachine: new Counter(),
  join: args.join,
  listen: args.listen,
  bootstrap: args.bootstrap,
  mdns: !args['no-mdns'],
});
peer.node.subscribe((e) => console.log(`total ${peer.node.stateMachine.total} (slot ${e.slot})`));
console.log(`peer ${peer.id} of log ${peer.logId}, listening on ${peer.addresses().join(' ')}`);
if (peer.created) console.log(`invite ${(await peer.invite()).text}`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const input = line.trim();
  const done =
    input === 'invite'
      ? peer.invite().then((i) => console.log(`invite ${i.text}`))
      : peer.node.propose(text.encode(input)).then((r) => console.log(`ok ${untext.decode(r)}`));
  done.catch((err: Error) => console.log(`error ${err.message}`));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void peer.stop().then(() => process.exit(0)));
}

// An echo peer in its own process, for the floor measurements (floor.mjs): `tcp` echoes every
// byte on a raw node:net socket; `libp2p` runs Synod's libp2p transport (TCP + Noise + yamux)
// and sends every message it receives back to its sender, after the floor's durable commit on
// ECHO_DB when that is set (idealRounds). Tells its parent where it listens.
import { createServer } from 'node:net';
import { referenceCommitter } from './floor.mjs';

const kind = process.argv[2];
if (kind === 'tcp') {
  // The messages are fixed-size, so no framing is needed.
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send?.({ address: String(typeof a === 'object' && a !== null ? a.port : 0) });
  });
} else if (kind === 'libp2p') {
  const { privateKeyFromProtobuf } = await import('@libp2p/crypto/keys');
  const { createLibp2pTransport } = await import('@synod/transport-libp2p');
  const identity = privateKeyFromProtobuf(Buffer.from(process.env.ECHO_KEY ?? '', 'hex'));
  const t = await createLibp2pTransport({
    identity,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
  });
  const db = process.env.ECHO_DB
    ? referenceCommitter(process.env.ECHO_DB, 1, {
        walFdatasync: process.env.ECHO_WAL_FDATASYNC === 'true',
      })
    : undefined;
  let slot = 1;
  await t.start((from, messages) => {
    db?.commit(slot++);
    void t.send(from, [...messages]);
  });
  t.setMembers([t.id, process.env.ECHO_PEER ?? '']);
  process.send?.({ address: String(t.multiaddrs()[0]), peer: t.id });
  process.on('disconnect', () => void t.stop().then(() => process.exit(0)));
} else {
  throw new Error(`echo-child: unknown kind ${kind}`);
}
process.on('disconnect', () => setTimeout(() => process.exit(0), 2000));

/**
 * Pre-shared network keys (@libp2p/pnet). With one, every connection is wrapped in an XSalsa20
 * stream keyed by it before Noise even starts, so strangers on the LAN cannot complete a
 * handshake (nor learn our peer id) at all.
 */
import { fromString, toString } from 'uint8arrays';
import { TransportConfigError } from './errors.js';

const KEY_BYTES = 32;
const V1_HEADER = '/key/swarm/psk/1.0.0/\n/base16/\n';

/** 32 random bytes: a new network key. Give the same bytes to every peer of the network. */
export function generatePsk(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(KEY_BYTES));
}

/** The key in libp2p's v1 swarm.key format, which @libp2p/pnet reads. */
export function toSwarmKey(psk: Uint8Array): Uint8Array {
  if (psk.length === KEY_BYTES) return fromString(V1_HEADER + toString(psk, 'base16'));
  const text = new TextDecoder().decode(psk);
  if (text.startsWith('/key/swarm/psk/1.0.0/')) return psk;
  throw new TransportConfigError(
    `psk must be ${KEY_BYTES} bytes or a swarm.key file's contents, got ${psk.length} bytes`,
  );
}

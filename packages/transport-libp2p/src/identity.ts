/**
 * The peer's identity: an Ed25519 key created once and kept in its Storage (DESIGN.md §6), so
 * that a peer keeps its id, and so its place in the configuration, across restarts. The key is
 * stored as libp2p's protobuf encoding of the private key.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import type { Storage } from '@synod/core';
import { IdentityError } from './errors.js';
import { META_IDENTITY } from './meta-keys.js';

/** The subset of Storage this package uses: small named values. */
export type MetaStore = Pick<Storage, 'getMeta' | 'setMeta'>;

/**
 * Load the identity kept in `storage`, or create and keep a new Ed25519 key. A stored key that
 * cannot be read is an error, never silently replaced: replacing it would give the peer a new id
 * and orphan its place in the log.
 */
export async function loadOrCreateIdentity(storage: MetaStore): Promise<PrivateKey> {
  const stored = await storage.getMeta(META_IDENTITY);
  if (stored !== undefined) {
    let key: PrivateKey;
    try {
      key = privateKeyFromProtobuf(stored);
    } catch (err) {
      throw new IdentityError('the stored identity key cannot be decoded', { cause: err });
    }
    if (key.type !== 'Ed25519') {
      throw new IdentityError(`the stored identity key is ${key.type}, expected Ed25519`);
    }
    return key;
  }
  const key = await generateKeyPair('Ed25519');
  await storage.setMeta(META_IDENTITY, privateKeyToProtobuf(key));
  return key;
}

/** A fresh Ed25519 identity that is not stored anywhere (tests, throwaway peers). */
export function generateIdentity(): Promise<PrivateKey> {
  return generateKeyPair('Ed25519');
}

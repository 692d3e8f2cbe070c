/** Display names: what a person calls a peer ("Ana's laptop"). Only checked for size here. */
import { InvalidPeerOptionsError } from './errors.js';

/** The longest display name kept. */
export const MAX_NAME_LENGTH = 64;

export function checkName(name: string): void {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new InvalidPeerOptionsError(`a name must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
}

/**
 * GET /api/proof?nonce=N: the server shows that it knows the token, before a client sends it.
 *
 * Any user of the machine may listen on a free 127.0.0.1 port, such as the one a stopped peer
 * used; a browser tab of the peer's UI reconnects to that port by itself, and must not hand its
 * token (valid across restarts) to whoever is there now. So it sends a fresh nonce first, and
 * takes the answer only if it is the HMAC of the nonce under the token, bound to the port it
 * asked: a squatter cannot compute it, nor relay the question to the real peer on another port
 * (whose answer names that port). No token needed; the source checks (Host, Origin) apply.
 */
import { createHmac } from 'node:crypto';
import { HttpError } from './http-error.js';

export const PROOF_PATH = '/api/proof';

/** What a client sends: 16 to 96 random bytes, base64url. */
const NONCE = /^[A-Za-z0-9_-]{22,128}$/;

/** The proof for `nonce` at `port` (the renderer computes the same: renderer/peer-proof.ts). */
export function proofOf(token: string, port: number, nonce: string): string {
  return createHmac('sha256', token).update(`synod-api-proof ${port} ${nonce}`).digest('base64url');
}

/** The answer to a proof request, or the HttpError that refuses it. */
export function answerProof(method: string, url: URL, token: string, port: number): object {
  if (method !== 'GET')
    throw new HttpError(405, 'method-not-allowed', 'GET only', { allow: 'GET' });
  const nonce = url.searchParams.get('nonce') ?? '';
  if (!NONCE.test(nonce)) {
    throw new HttpError(400, 'bad-request', 'nonce: 22 to 128 base64url characters');
  }
  return { proof: proofOf(token, port, nonce) };
}

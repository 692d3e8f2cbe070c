/**
 * Before a tab sends its token, the server at its origin must prove that it knows it
 * (src/api/proof.ts): a tab reconnects by itself to the port its page came from, and after its
 * peer stopped any user of the machine may listen there. The proof is the HMAC-SHA256 of a fresh
 * nonce under the token, bound to this port; WebCrypto computes the same here (127.0.0.1 is a
 * secure context).
 */

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function proofOf(token: string, port: string, nonce: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(token),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    encoder.encode(`synod-api-proof ${port} ${nonce}`),
  );
  return base64url(new Uint8Array(mac));
}

/** Resolves if the server at `origin` knows `token`; rejects (sending nothing secret) if not. */
export async function provePeer(origin: string, token: string): Promise<void> {
  const url = new URL('/api/proof', origin);
  const port = url.port !== '' ? url.port : '80';
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
  url.searchParams.set('nonce', nonce);
  const res = await fetch(url, { cache: 'no-store', credentials: 'omit' });
  const body = (await res.json().catch(() => ({}))) as { proof?: unknown };
  if (!res.ok || body.proof !== (await proofOf(token, port, nonce))) {
    throw new Error(
      `the server on port ${port} is not this tab's peer (it does not know the token)`,
    );
  }
}

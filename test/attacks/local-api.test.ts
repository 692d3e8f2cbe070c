/**
 * The local API under bad input (issue 9, "fuzzing and bad input"): a real PeerService (SQLite,
 * libp2p on 127.0.0.1, mDNS off) behind the real HTTP server on 127.0.0.1, sent malformed JSON,
 * huge bodies, wrong types, unknown fields, a missing or wrong token, cross-origin requests and
 * DNS-rebinding Host headers. Each must be refused with the right status and error code, and
 * nothing may change: the log's entries and operation count are the same before and after, and
 * a good request still works at the end.
 *
 * Requests go through node:http (and a raw socket where even node:http is too polite), since
 * fetch will not send a forged Host header.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REQUEST_BYTES, PeerService, startApiServer, type ApiServer } from '@synod/desktop-app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'local-api-attacks-token_0123456789abcdefghijklmn';

let dir: string;
let service: PeerService;
let api: ApiServer;
let before: { count: number; operations: number };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: { error?: { code?: string } } & Record<string, unknown>;
}

function send(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; token?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    host: `127.0.0.1:${api.port}`,
    ...(opts.token !== null ? { authorization: `Bearer ${opts.token ?? TOKEN}` } : {}),
    ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...opts.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: api.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json = {};
          try {
            json = JSON.parse(body) as object;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before it has read the whole body.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** A raw HTTP/1.x exchange, for requests node:http will not make (no Host, odd framing). */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(api.port, '127.0.0.1', () => s.end(text));
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

async function state(): Promise<{ count: number; operations: number }> {
  const l = await service.entries({ read: 'local' });
  return { count: l.entries.length, operations: l.operations };
}

const APPEND = JSON.stringify({ title: 'pwned', body: 'by an attacker' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'synod-local-api-'));
  service = await PeerService.open({
    dataDir: dir,
    name: 'api-target',
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
  });
  await service.createLog({ title: 'attacked' });
  api = await startApiServer({ service, token: TOKEN });
  const ok = await send('POST', '/api/entries', {
    body: JSON.stringify({ title: 'a', body: 'b' }),
  });
  expect(ok.status, ok.body).toBe(201);
  before = await state();
  expect(before.count).toBe(1);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await service?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Every refused request leaves the log as it was. */
async function unchanged(): Promise<void> {
  expect(await state()).toEqual(before);
}

describe('the local API refuses bad input and changes nothing', () => {
  it('no token, a wrong token, a malformed header, or a token in the query string: 401', async () => {
    const cases: [string, Parameters<typeof send>[2]][] = [
      ['none', { token: null, body: APPEND }],
      ['wrong', { token: 'x'.repeat(TOKEN.length), body: APPEND }],
      ['a prefix of the right one', { token: TOKEN.slice(0, -1), body: APPEND }],
      ['basic auth', { token: null, headers: { authorization: `Basic ${TOKEN}` }, body: APPEND }],
      ['two tokens', { token: `${TOKEN} ${TOKEN}`, body: APPEND }],
    ];
    for (const [what, opts] of cases) {
      const r = await send('POST', '/api/entries', opts);
      expect(r.status, what).toBe(401);
      expect(r.json.error?.code, what).toBe('unauthorized');
      expect(r.headers['www-authenticate'], what).toMatch(/^Bearer/);
    }
    // ?token= is for the event stream only (EventSource cannot send headers).
    const q = await send('POST', `/api/entries?token=${TOKEN}`, { token: null, body: APPEND });
    expect(q.status).toBe(401);
    const events = await send('GET', '/api/events?token=wrong', { token: null });
    expect(events.status).toBe(401);
    const status = await send('GET', '/api/status', { token: null });
    expect(status.status).toBe(401);
    await unchanged();
  });

  it('cross-origin requests, even with the right token: 403, and no CORS header', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      `http://127.0.0.1:${api.port + 1}`,
      `http://localhost.evil.example:${api.port}`,
      `https://127.0.0.1:${api.port}`,
    ]) {
      const r = await send('POST', '/api/entries', { headers: { origin }, body: APPEND });
      expect(r.status, origin).toBe(403);
      expect(r.json.error?.code, origin).toBe('forbidden-origin');
      expect(r.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    // A CORS preflight gets nothing that would let a page go on.
    const pre = await send('OPTIONS', '/api/entries', {
      token: null,
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    // A browser's fetch metadata for a cross-site request, whatever the Origin says.
    const site = await send('POST', '/api/entries', {
      headers: { 'sec-fetch-site': 'cross-site' },
      body: APPEND,
    });
    expect(site.status).toBe(403);
    // The event stream too.
    const ev = await send('GET', `/api/events?token=${TOKEN}`, {
      token: null,
      headers: { origin: 'https://evil.example' },
    });
    expect(ev.status).toBe(403);
    await unchanged();
  });

  it('the proof of the token (before a tab sends it): bound to the port, no token needed, never the token', async () => {
    const nonce = 'n0nce-of-a-tab_0123456789';
    const r = await send('GET', `/api/proof?nonce=${nonce}`, { token: null });
    expect(r.status, r.body).toBe(200);
    const mac = (port: number) =>
      createHmac('sha256', TOKEN).update(`synod-api-proof ${port} ${nonce}`).digest('base64url');
    expect(r.json).toEqual({ proof: mac(api.port) });
    // A squatter on another port that relays the nonce here gets this port's proof, not its own.
    expect(r.json.proof).not.toBe(mac(api.port + 1));
    expect(r.body).not.toContain(TOKEN);
    for (const bad of ['', 'short', 'x'.repeat(129), 'not%20base64url%20at%20all%20!!']) {
      const b = await send('GET', `/api/proof?nonce=${bad}`, { token: null });
      expect(b.status, bad).toBe(400);
    }
    expect((await send('POST', `/api/proof?nonce=${nonce}`, { token: null })).status).toBe(405);
    const cross = await send('GET', `/api/proof?nonce=${nonce}`, {
      token: null,
      headers: { origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    await unchanged();
  });

  it('DNS rebinding: a Host other than 127.0.0.1 or localhost at our port: 403', async () => {
    for (const host of [
      `evil.example:${api.port}`,
      'evil.example',
      `127.0.0.1:${api.port + 1}`,
      '127.0.0.1',
      `127.0.0.1.nip.io:${api.port}`,
      `[::1]:${api.port}`,
      `0.0.0.0:${api.port}`,
    ]) {
      const r = await send('POST', '/api/entries', { headers: { host }, body: APPEND });
      expect(r.status, host).toBe(403);
      expect(r.json.error?.code, host).toBe('forbidden-host');
    }
    // No Host at all (HTTP/1.0).
    const noHost = await raw(
      `POST /api/entries HTTP/1.0\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\n` +
        `content-length: ${APPEND.length}\r\n\r\n${APPEND}`,
    );
    expect(noHost).toMatch(/^HTTP\/1\.[01] (400|403)/);
    await unchanged();
  });

  it('malformed JSON, a body that is not an object, the wrong content type: 400 / 415', async () => {
    for (const body of [
      '{',
      '{"title": "x",}',
      "{'title': 'x'}",
      'nul',
      '\u0000',
      '{"a":1}{"b":2}',
    ]) {
      const r = await send('POST', '/api/entries', { body });
      expect(r.status, body).toBe(400);
      expect(r.json.error?.code, body).toBe('bad-request');
    }
    for (const body of ['[]', '"text"', '42', 'null', 'true', '[{"title":"x"}]']) {
      const r = await send('POST', '/api/entries', { body });
      expect(r.status, body).toBe(400);
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const r = await send('POST', '/api/entries', {
        body: APPEND,
        headers: { 'content-type': type },
      });
      expect(r.status, type).toBe(415);
    }
    await unchanged();
  });

  it('a compressed body, another charset, bytes that are not UTF-8: 415 / 400, never read garbled', async () => {
    for (const headers of [
      { 'content-encoding': 'gzip' } as Record<string, string>,
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/json; charset="utf-16"' },
    ]) {
      const r = await send('POST', '/api/entries', { body: APPEND, headers });
      expect(r.status, JSON.stringify(headers)).toBe(415);
      expect(r.json.error?.code).toBe('unsupported-media-type');
    }
    const ok = await send('POST', '/api/entries/1/edit', {
      body: '{}',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    expect(ok.json.error?.code).toBe('invalid-argument');
    const latin1 = Buffer.from('{"title":"caf\xe9","body":"b"}', 'latin1');
    const r = await send('POST', '/api/entries', { body: latin1 });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({
      code: 'bad-request',
      message: 'the body is not valid UTF-8',
    });
    await unchanged();
  });

  it("requests node's parser refuses (headers too large, broken framing): a JSON error with a code", async () => {
    const big = await send('GET', `/api/status?${'a=1&'.repeat(5000)}`);
    expect(big.status).toBe(431);
    expect(big.json.error?.code).toBe('headers-too-large');
    const broken = await raw(
      `POST /api/entries HTTP/1.1\r\nHost: 127.0.0.1:${api.port}\r\ncontent-length: x\r\n\r\n`,
    );
    expect(broken).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(broken.slice(broken.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: { code: 'bad-request' },
    });
    await unchanged();
  });

  it('wrong types, unknown fields and bad values: 400, each with its reason', async () => {
    const bad: [string, string, unknown][] = [
      ['POST', '/api/entries', { title: 42, body: 'b' }],
      ['POST', '/api/entries', { title: 't', body: { nested: true } }],
      ['POST', '/api/entries', { title: ['t'], body: 'b' }],
      ['POST', '/api/entries', { title: 't', body: 'b', timeoutMs: 'soon' }],
      ['POST', '/api/entries', { title: 't', body: 'b', timeoutMs: -1 }],
      ['POST', '/api/entries', { title: 't', body: 'b', admin: true }],
      ['POST', '/api/entries/1/edit', { version: 'one', patches: [] }],
      ['POST', '/api/entries/1/edit', { version: 1, patches: 'replace everything' }],
      ['POST', '/api/entries/1/edit', { version: 1, patches: [{ at: -5, delete: 1e9 }] }],
      ['POST', '/api/entries/1/delete', { version: null }],
      ['POST', '/api/entries/0/delete', { version: 1 }],
      ['POST', '/api/entries/99999999999999999999/delete', { version: 1 }],
    ];
    for (const [method, path, body] of bad) {
      const text = JSON.stringify(body);
      const r = await send(method, path, { body: text });
      expect([400, 422], `${path} ${text}: ${r.body}`).toContain(r.status);
      expect(r.json.error?.code, `${path} ${text}`).toBeTruthy();
    }
    // A "__proto__" key: refused as an unknown field, and nothing polluted.
    const proto = await send('POST', '/api/entries', {
      body: '{"title":"t","body":"b","__proto__":{"polluted":1}}',
    });
    expect(proto.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Bad query parameters.
    for (const path of [
      '/api/entries?read=stale',
      '/api/entries?deleted=maybe',
      '/api/entries?timeoutMs=-1',
      '/api/entries/abc',
    ]) {
      const r = await send('GET', path);
      expect([400, 404], path).toContain(r.status);
    }
    // Unknown endpoints and methods.
    expect((await send('DELETE', '/api/entries')).status).toBe(405);
    expect((await send('GET', '/api/../../etc/passwd')).status).toBe(404);
    expect((await send('PUT', '/api/status')).status).toBe(405);
    await unchanged();
  });

  it('huge bodies: 413 on the declared length and on the bytes, the connection closed, memory bounded', async () => {
    const heap = process.memoryUsage().heapUsed;
    // Declared: refused before a byte of the body is read.
    const declared = await send('POST', '/api/entries', {
      body: 'x',
      headers: { 'content-length': String(MAX_REQUEST_BYTES + 1) },
    }).catch(() => ({ status: 413, json: { error: { code: 'body-too-large' } } }) as Answer);
    expect(declared.status).toBe(413);
    // Undeclared (chunked): refused as the bytes pass the limit.
    const big = Buffer.alloc(MAX_REQUEST_BYTES + 64 * 1024, 0x20);
    big.write('{"title":"t","body":"', 0);
    const chunked = await send('POST', '/api/entries', {
      body: big,
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect(chunked.status).toBe(413);
    expect(chunked.json.error?.code).toBe('body-too-large');
    expect(chunked.headers.connection).toBe('close');
    // Declared honestly, and too big.
    const honest = await send('POST', '/api/entries', { body: big });
    expect(honest.status).toBe(413);
    // Deeply nested JSON within the limit: refused, no stack overflow in the server.
    const deep = await send('POST', '/api/entries', {
      body: `{"title":${'['.repeat(100_000)}${']'.repeat(100_000)},"body":"b"}`,
    });
    expect(deep.status).toBeGreaterThanOrEqual(400);
    expect(deep.status).toBeLessThan(500);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(128 << 20);
    await unchanged();
  });

  it('after all that, the API still serves a good request', async () => {
    const r = await send('POST', '/api/entries', {
      body: JSON.stringify({ title: 'c', body: 'd' }),
    });
    expect(r.status, r.body).toBe(201);
    const after = await state();
    expect(after.count).toBe(before.count + 1);
    const status = await send('GET', '/api/status');
    expect(status.status).toBe(200);
  });
});

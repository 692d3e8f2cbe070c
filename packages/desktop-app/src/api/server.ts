/**
 * The local API server: JSON over HTTP and Server-Sent Events, on 127.0.0.1 only, with no
 * framework (node:http). Every request passes the source checks (Host, Origin) and, under
 * /api, the token check (but /api/proof, which proves the server knows the token: proof.ts),
 * before anything else; a refused request changes nothing. The
 * endpoints are the operation table's (operations/table.ts): the route gives the operation,
 * its path fields and query or body the request, which `dispatch` validates and runs. Everything
 * else (GET /, /app.js…) is the browser UI's files, when a directory is given (issue 7).
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { PeerService } from '../service/index.js';
import { readJson } from './body.js';
import { serveEvents } from './events.js';
import { checkSource, checkToken } from './guard.js';
import { answerProof, PROOF_PATH } from './proof.js';
import { describeError, HttpError } from './http-error.js';
import { fromQuery, matchRoute } from '../operations/http.js';
import { OPERATIONS } from '../operations/table.js';
import { dispatch } from '../operations/validate.js';
import { serveStatic } from './static-files.js';

export interface ApiServerOptions {
  readonly service: PeerService;
  readonly token: string;
  /** `127.0.0.1` (default) or `localhost`: the API never listens beyond this machine. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** The browser UI's directory, served at / (no token needed for its files). */
  readonly uiDir?: string;
  /** Told of every 5xx answer (to log it). */
  readonly onError?: (err: unknown, req: IncomingMessage) => void;
}

export interface ApiServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The UI's address with the token in its fragment (never sent to a server), if served. */
  readonly uiUrl: string | undefined;
  /** Stop accepting, end event streams, and close connections once their answers are out. */
  close(): Promise<void>;
}

/** The API was asked to listen where it must not. */
export class ApiConfigError extends Error {
  readonly code = 'api-config';
}

/** Headers on every answer: nothing cached, sniffed, framed or referred. */
const BASE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};
const API_HEADERS: Record<string, string> = {
  ...BASE_HEADERS,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  extra: Record<string, string> = {},
): void {
  const body = JSON.stringify(value ?? {});
  res.writeHead(status, {
    ...API_HEADERS,
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/** An HTTP/1.1 answer written straight to a socket (no request object to answer through). */
function rawAnswer(e: HttpError): string {
  const body = JSON.stringify({ error: { code: e.code, message: e.message } });
  const head = Object.entries({
    ...API_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\n${head.join('')}\r\n${body}`;
}

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const host = o.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new ApiConfigError(`the local API listens on 127.0.0.1 only, not ${host}`);
  }
  const streams = new Set<ServerResponse>();
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    checkSource(req, port);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const path = url.pathname;
    if (path !== '/api' && !path.startsWith('/api/')) {
      if (o.uiDir === undefined) throw new HttpError(404, 'not-found', 'no such endpoint');
      serveStatic(o.uiDir, path, method, res, BASE_HEADERS);
      return;
    }
    if (path === PROOF_PATH) {
      sendJson(res, 200, answerProof(method, url, o.token, port));
      return;
    }
    const isEvents = path === '/api/events';
    checkToken(req, url, o.token, isEvents && method === 'GET');
    if (isEvents) {
      if (method !== 'GET') {
        throw new HttpError(405, 'method-not-allowed', 'GET only', { allow: 'GET' });
      }
      serveEvents(o.service, req, res, BASE_HEADERS, streams);
      return;
    }
    const route = matchRoute(method, path);
    if (!route.found) {
      if (route.allow.length === 0) throw new HttpError(404, 'not-found', 'no such endpoint');
      const allow = route.allow.join(', ');
      throw new HttpError(405, 'method-not-allowed', `use ${allow}`, { allow });
    }
    const fields = method === 'POST' ? await readJson(req) : fromQuery(url.searchParams);
    for (const k of Object.keys(route.params)) {
      if (k in fields) throw new HttpError(400, 'bad-request', `${k} is given by the path`);
    }
    const result = await dispatch(o.service, route.name, { ...fields, ...route.params });
    const status = OPERATIONS[route.name].http.status ?? 200;
    sendJson(res, status, result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const { status, body, headers } = describeError(err);
      if (status >= 500) o.onError?.(err, req);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A body we refused to read must not be read as the next request.
      const close: Record<string, string> = status === 413 ? { connection: 'close' } : {};
      sendJson(res, status, body, { ...headers, ...close });
      if (status === 413) res.on('finish', () => req.destroy());
    });
  });
  // A request node's parser refuses before any handler runs (headers over 16 KiB, broken
  // framing) gets a JSON error too, not node's bare status line.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new HttpError(431, 'headers-too-large', 'the request line and headers exceed 16 KiB')
        : new HttpError(400, 'bad-request', 'malformed HTTP request');
    socket.end(rawAnswer(refusal));
  });
  server.headersTimeout = 20_000;
  // An idle keep-alive connection is closed by the server after this long. Node's 5 s lets a
  // peer whose event loop stalls (a busy machine) close a connection just as the client sends
  // its next request on it ("other side closed"); clients (undici) close theirs a second before
  // the server's advertised timeout, so a long one leaves no such race in practice.
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0; // long polls of pending writes and event streams
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host === 'localhost' ? '127.0.0.1' : host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    uiUrl: o.uiDir === undefined ? undefined : `${url}/#token=${o.token}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of streams) s.end();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}

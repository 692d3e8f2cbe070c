/**
 * GET /api/events: the service's events as Server-Sent Events.
 *
 *   event: status   data: ServiceStatus            (on connect, on every change, and every 5 s)
 *   event: applied  data: { operations: [...] }    (decided commands, batched per turn)
 *   event: reset    data: {}                       (the document was replaced: read it again)
 *
 * Nothing is replayed on reconnect: a client reads the state (GET /api/entries, /api/history)
 * after connecting. A client that does not keep up (more than MAX_BUFFERED bytes waiting) is
 * disconnected rather than buffered without bound; it reconnects and reads again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PeerService, ServiceEvent } from '../service/index.js';

const MAX_BUFFERED = 4 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

export function serveEvents(
  service: PeerService,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  streams: Set<ServerResponse>,
): void {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  streams.add(res);
  const send = (e: ServiceEvent): void => {
    const { type, ...data } = e;
    res.write(`event: ${type}\ndata: ${JSON.stringify(type === 'status' ? e.status : data)}\n\n`);
    if (res.writableLength > MAX_BUFFERED) res.destroy();
  };
  send({ type: 'status', status: service.status() });
  // A client following the events is a UI: it shows invite requests to its user.
  const unsubscribe = service.subscribe(send, { answersInviteRequests: true });
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const done = (): void => {
    unsubscribe();
    clearInterval(keepalive);
    streams.delete(res);
  };
  req.on('close', done);
  res.on('close', done);
}

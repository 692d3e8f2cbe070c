/**
 * GET /api/events: the service's events as Server-Sent Events.
 *
 *   event: status   data: ServiceStatus            (on connect, on every change, and every 5 s)
 *   event: applied  data: { operations: [...] }    (decided commands, batched per turn)
 *   event: reset    data: { log }                  (the document was replaced: read it again)
 *   event: logs     data: LogsView                 (on connect, and when the list of logs changes)
 *
 * Events of one log name it (`log`, or the status's `logId`); a UI shows those of its log.
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
    // Ended by the server's close, which then stops the service: its last events (the logs
    // closing) come before the stream's 'close', and a write after end throws (uncaught).
    if (res.writableEnded) return;
    const { type, ...data } = e;
    const payload = e.type === 'status' ? e.status : e.type === 'logs' ? e.logs : data;
    res.write(`event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`);
    if (res.writableLength > MAX_BUFFERED) res.destroy();
  };
  send({ type: 'logs', logs: service.logs() });
  const only = service.logs().logs.length <= 1;
  // The status of the only log (or of setup), as before many logs; with several, each log's.
  if (only) send({ type: 'status', status: service.status() });
  else
    for (const l of service.logs().logs)
      send({ type: 'status', status: service.status({ log: l.logId }) });
  // A client following the events is a UI: it shows invite requests to its user.
  const unsubscribe = service.subscribe(send, { answersInviteRequests: true });
  const keepalive = setInterval(() => {
    if (!res.writableEnded) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  const done = (): void => {
    unsubscribe();
    clearInterval(keepalive);
    streams.delete(res);
  };
  req.on('close', done);
  res.on('close', done);
}

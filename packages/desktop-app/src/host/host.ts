/**
 * Starting a peer with its local API: one module for both hosts, `synod start` (and browser
 * mode) and Electron's main process. It opens the peer service on the data directory, serves
 * the local API on 127.0.0.1 (and the UI, when given), and records where: the endpoint file
 * (removed at close), the token (kept across restarts) and the port (kept: the next start
 * listens on it again, so an open browser tab finds its peer after a restart and reconnects).
 */
import { ApiConfigError, startApiServer, type ApiServer } from '../api/server.js';
import {
  ensureToken,
  rememberPort,
  rememberedPort,
  removeEndpoint,
  writeEndpoint,
} from '../api/credentials.js';
import { PeerService, type PeerServiceOptions } from '../service/peer-service.js';

export interface HostOptions extends PeerServiceOptions {
  /** The API's host, `127.0.0.1` (default) or `localhost`. */
  readonly apiHost?: string;
  /** The API's port: 0 (default) reuses the one remembered in the data directory, else a free one. */
  readonly apiPort?: number;
  /** The browser UI's directory, served at / (none: the API only). */
  readonly uiDir?: string;
  /** Told of every 5xx answer (to log it). */
  readonly onApiError?: (err: unknown) => void;
}

export interface Host {
  readonly service: PeerService;
  readonly api: ApiServer;
  readonly dataDir: string;
  /** Stop taking requests, stop the peer (pending operations fail), remove the endpoint file. */
  close(): Promise<void>;
}

/** Open the peer and serve its API. Throws the store's errors, or ApiConfigError. */
export async function startHost(o: HostOptions): Promise<Host> {
  const service = await PeerService.open(o);
  let api: ApiServer;
  try {
    api = await serve(service, o);
  } catch (err) {
    await service.stop();
    throw err;
  }
  rememberPort(o.dataDir, api.port);
  writeEndpoint(o.dataDir, { url: api.url, pid: process.pid, startedAt: new Date().toISOString() });
  let closing: Promise<void> | undefined;
  return {
    service,
    api,
    dataDir: o.dataDir,
    close: () =>
      (closing ??= (async () => {
        const stopping = api.close();
        try {
          await service.stop();
          await stopping;
        } finally {
          removeEndpoint(o.dataDir);
        }
      })()),
  };
}

async function serve(service: PeerService, o: HostOptions): Promise<ApiServer> {
  const base = {
    service,
    token: ensureToken(o.dataDir),
    ...(o.apiHost !== undefined ? { host: o.apiHost } : {}),
    ...(o.uiDir !== undefined ? { uiDir: o.uiDir } : {}),
    ...(o.onApiError !== undefined ? { onError: o.onApiError } : {}),
  };
  if (o.apiPort !== undefined && o.apiPort !== 0)
    return startApiServer({ ...base, port: o.apiPort });
  const remembered = rememberedPort(o.dataDir);
  if (remembered !== undefined) {
    try {
      return await startApiServer({ ...base, port: remembered });
    } catch (err) {
      if (err instanceof ApiConfigError) throw err;
      // Taken by another program meanwhile: a free port, remembered from now on.
    }
  }
  return startApiServer({ ...base, port: 0 });
}

/** The local API: server (Node), credentials in the data directory, and a fetch client. */
export { startApiServer, ApiConfigError, type ApiServer, type ApiServerOptions } from './server.js';
export { MAX_REQUEST_BYTES } from './body.js';
export { UI_CSP } from './static-files.js';
export * from './credentials.js';
export * from './client.js';

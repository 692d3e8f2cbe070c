/**
 * @synod/desktop-app: the shared document log — its state machine (document/), the peer
 * service that hosts it (service/, also what Electron's main process runs), and the local API
 * (api/) that the `synod` CLI and the browser UI use.
 */
export * from './document/index.js';
export * from './service/index.js';
export * from './api/index.js';

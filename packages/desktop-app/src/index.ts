/**
 * @synod/desktop-app: the shared document log — its state machine (document/), the peer
 * service that hosts it (service/, also what Electron's main process runs), and the local API
 * (api/) that the `synod` CLI and the browser UI use, and the operation table (operations/) every
 * caller of a desktop operation derives from.
 */
export * from './document/index.js';
export * from './service/index.js';
export * from './api/index.js';
export {
  OPERATIONS,
  OPERATION_NAMES,
  inLog,
  isOperationName,
  matchRoute,
  toHttp,
  type Operation,
  type OperationName,
  type OperationInput,
  type OperationRequest,
  type OperationResult,
} from './operations/index.js';

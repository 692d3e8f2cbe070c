/** The peer service: the document log peer that the local API and Electron's main process host. */
export { PeerService, type PeerServiceOptions, type SubscribeOptions } from './peer-service.js';
export * from './errors.js';
export type * from './types.js';

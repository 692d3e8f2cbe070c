/** The operation table and what derives from it (HTTP bindings; validation: ./validate.js). */
export * from './table.js';
export * from './http.js';
export { MAX_EDITS, MAX_INVITE, MAX_PEER_REF, MAX_TIMEOUT_MS } from './schemas.js';

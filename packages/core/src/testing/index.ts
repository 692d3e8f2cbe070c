/**
 * @synod/core/testing: what an app (or another Synod package) needs to test against the core:
 * the deterministic simulator, a key-value state machine, a linearizability checker, and the
 * conformance suites every Storage and Transport implementation must pass.
 */
export * from './kv-state-machine.js';
export * from './storage-conformance.js';
export * from './transport-conformance.js';

/**
 * @synod/core/testing: what an app (or another Synod package) needs to test against the core:
 * the deterministic simulator, a key-value state machine, a linearizability checker, and the
 * conformance suites every Storage and Transport implementation must pass; and waiting with a
 * deadline.
 */
export * from './kv-state-machine.js';
export * from './storage-conformance.js';
export * from './transport-conformance.js';
export * from './linearizability.js';
export { Prng } from './prng.js';
export { until, errorWithin } from './waiting.js';
export {
  SimCluster,
  SimPeer,
  type SimClusterOptions,
  type NetworkFaults,
  type InFlight,
} from './sim-cluster.js';
export { runSimulation, type SimRunOptions, type SimRunResult } from './simulator.js';
export { runScenario, parseScenario, type ScenarioResult } from './scenario.js';

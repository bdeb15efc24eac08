// @parley/core/testing: test your own negotiation paths the way the core's tests do. The fakes of
// every port (hub with a request log, peer connections, event sources, media devices, a manual
// clock), the path generator over any machine (or one extended with `.provide()`), the hub protocol
// rules, coverage, the journeys behind the trace fixtures, and trace replay.
export * from './test-support/index.js'
export { edgeCoveringPaths, runPath, type ModelOptions, type ModelPath, type ModelStep } from './test-support/modelPaths.js'
export { hubProtocolViolations, type HubProtocolRun } from './test-support/hubProtocol.js'
export { CoverageRecorder, allStateNodes, allTransitionKeys, transitionKey } from './test-support/coverage.js'
export { runAsChild } from './test-support/harness.js'
export { journeys, HUB_OFFER_SDP } from './test-support/journeys.js'
export {
  replayTrace,
  parseTrace,
  missingTransitions,
  createTraceRecorder,
  formatTimeline,
  type Divergence,
  type ReplayResult,
  type ReplayOptions,
  type MissingTransition,
  type Trace,
} from './trace/index.js'

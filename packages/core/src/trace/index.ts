// @parley/core/trace: record, read, check and replay call traces.
export * from './format.js'
export { createTraceRecorder, DEFAULT_TRACE_CAPACITY, type TraceRecorder, type TraceRecorderLike, type TraceRecorderOptions } from './recorder.js'
export { createRedactor, DEFAULT_REDACTED_FIELDS, DEFAULT_REDACTED_HEADERS, type Redactor } from './redact.js'
export { recordingPorts } from './recordingPorts.js'
export { parseTrace, type ParsedTrace } from './schema.js'
export { replayTrace, describeInput, type Divergence, type ReplayOptions, type ReplayResult, type ReplayTarget } from './replay.js'
export { formatTimeline, describeEntry, stateText } from './timeline.js'
export { missingTransitions, type MissingTransition } from './modelCheck.js'

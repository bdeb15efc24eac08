// The one module that binds the app to the real core. Everything else receives a ConferenceFactory.
// Every conference records its call trace from its first step (the State panel downloads it and steps
// through it). The first load holds only the capture (the ring and the port decorators); redaction and
// the file's assembly load with the State panel, the one place that exports, and run before the trace
// leaves the capture.
import { createConference } from '@parley/core'
import { createTraceCapture } from '@parley/core/trace'
import type { ConferenceFactory } from './types'

export const createBrowserConference: ConferenceFactory = (options) => {
  const capture = createTraceCapture()
  return {
    ...createConference({ ...options, trace: capture }),
    exportTrace: () => import('../devtools/exportCapture').then(({ exportCapture }) => exportCapture(capture)),
  }
}

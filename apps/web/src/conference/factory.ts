// The one module that binds the app to the real core. Everything else receives a ConferenceFactory.
// Every conference records its call trace (the State panel downloads it and steps through it).
import { createConference } from '@parley/core'
import { createTraceRecorder } from '@parley/core/trace'
import type { ConferenceFactory } from './types'

export const createBrowserConference: ConferenceFactory = (options) => createConference({ ...options, trace: createTraceRecorder() })

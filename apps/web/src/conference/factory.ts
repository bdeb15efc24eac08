// The one module that binds the app to the real core. Everything else receives a ConferenceFactory.
import { createConference } from '@parley/core'
import type { ConferenceFactory } from './types'

export const createBrowserConference: ConferenceFactory = (options) => createConference(options)

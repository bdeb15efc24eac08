// The one module that binds the app to the real core. Everything else receives a ConferenceFactory.
// Every conference records its call trace from its first step into a capture (the State panel downloads
// it and steps through it). The first load holds only the capture (the ring and the port decorators);
// redaction and the file's assembly (`exportCapture`) are in the State panel's lazy chunk, the one place
// that exports, and run there before the trace leaves the capture.
import { createConference } from '@parley/core'
import { createTraceCapture } from '@parley/core/trace'
import type { ConferenceFactory } from './types'

/**
 * Simulcast as the app's config says (on unless config.json says `"simulcast": false` or the hub serves
 * that; lib/config.ts), and never from Firefox: its simulcast layers (three, `high` starved at 0–12 fps)
 * stalled at a Chromium subscriber after one frame once the hub sent it an offer (core README, "Simulcast").
 */
const firefox = typeof navigator !== 'undefined' && navigator.userAgent.includes('Firefox/')

export const createBrowserConference: ConferenceFactory = (options) => {
  const traceCapture = createTraceCapture()
  const simulcast = options.simulcast === true && !firefox
  return { ...createConference({ ...options, trace: traceCapture, simulcast }), traceCapture }
}

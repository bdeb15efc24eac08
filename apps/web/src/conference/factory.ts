// The one module that binds the app to the real core. Everything else receives a ConferenceFactory.
// Every conference records its call trace from its first step into a capture (the State panel downloads
// it and steps through it). The first load holds only the capture (the ring and the port decorators);
// redaction and the file's assembly (`exportCapture`) are in the State panel's lazy chunk, the one place
// that exports, and run there before the trace leaves the capture.
import { browserPorts, createConference } from '@parley/core'
import { createE2ee } from '@parley/core/e2ee'
import { createTraceCapture } from '@parley/core/trace'
import { withCameraEffect } from '../lib/cameraEffect'
import type { ConferenceFactory, ConferenceFactoryOptions } from './types'

/**
 * Simulcast as the app's config says (on unless config.json says `"simulcast": false` or the hub serves
 * that; lib/config.ts), and never from Firefox: its simulcast layers (three, `high` starved at 0–12 fps)
 * stalled at a Chromium subscriber after one frame once the hub sent it an offer (core README, "Simulcast").
 */
const firefox = typeof navigator !== 'undefined' && navigator.userAgent.includes('Firefox/')

/**
 * End-to-end encryption: a worker of its own (its chunk is fetched only for an encrypted call) encrypts and
 * decrypts every encoded frame through RTCRtpScriptTransform; the core's peer connections are the browser's,
 * each transceiver given the transform as it is made (@parley/core/e2ee).
 */
function encryption(passphrase: string) {
  return createE2ee({
    passphrase,
    worker: () => new Worker(new URL('./e2eeWorker.ts', import.meta.url), { type: 'module', name: 'parley-e2ee' }),
    scriptTransform: (worker, transformOptions) => new RTCRtpScriptTransform(worker as Worker, transformOptions),
  })
}

export const createBrowserConference: ConferenceFactory = (options: ConferenceFactoryOptions) => {
  const traceCapture = createTraceCapture()
  const simulcast = options.simulcast === true && !firefox
  const { e2ee: e2eeOptions, cameraEffect, ...conferenceOptions } = options
  const e2ee = e2eeOptions ? encryption(e2eeOptions.passphrase) : undefined
  const browser = e2ee || cameraEffect ? browserPorts() : undefined
  // Background blur: the camera the core opens comes through the effect while it is wanted (lib/cameraEffect.ts).
  const ports = browser
    ? {
        ports: {
          ...(e2ee ? { peerConnection: e2ee.peerConnection(browser.peerConnection) } : {}),
          ...(cameraEffect ? { media: withCameraEffect(browser.media, cameraEffect) } : {}),
        },
      }
    : {}
  // `encrypted` tells the others (our media state) that we encrypt: an app without the key says so instead of playing noise.
  const conference = createConference({ ...conferenceOptions, ...ports, trace: traceCapture, simulcast, ...(e2ee ? { encrypted: true } : {}) })
  return { ...conference, traceCapture, ...(e2ee ? { e2ee } : {}) }
}

// Acquiring local media and classifying device errors into the kinds a UI words and acts on.
import type { ConferenceError, DeviceKind } from './api.js'
import type { MediaDevicesLike, MediaStreamLike } from './ports.js'

export interface AcquiredMedia {
  stream: MediaStreamLike | null
  audio: boolean
  video: boolean
  /** The first device error, when a requested device could not be acquired. */
  error: ConferenceError | null
}

/** The getUserMedia failure's kind (by DOMException name) and, as detail, which device and why. */
/** A getUserMedia/getDisplayMedia failure: its DOMException name ('' for none) and its words. */
export function mediaFailure(error: unknown): { name: string; message: string } {
  return {
    name: typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '',
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  }
}

export function classifyMediaError(error: unknown, device: string): ConferenceError {
  const failure = mediaFailure(error)
  const name = failure.name
  const message = `${device}: ${failure.message}`
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { kind: 'media-denied', message }
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { kind: 'media-not-found', message }
    case 'NotReadableError':
    case 'AbortError':
      return { kind: 'media-in-use', message }
    default:
      return { kind: 'media-failed', message }
  }
}

/**
 * Asks for the requested devices together; when that fails, asks for each one alone so a single
 * broken device does not cost the other. Throws the classified error only when nothing requested works.
 */
export async function acquireMedia(devices: MediaDevicesLike, wanted: { audio: boolean; video: boolean; deviceIds?: Partial<Record<DeviceKind, string>> }): Promise<AcquiredMedia> {
  if (!wanted.audio && !wanted.video) return { stream: null, audio: false, video: false, error: null }
  const deviceName = wanted.audio && wanted.video ? 'camera and microphone' : wanted.audio ? 'microphone' : 'camera'
  // A chosen device is preferred, not required: one that no longer exists quietly gives way to the default.
  const constraint = (on: boolean, deviceId: string | undefined) => (on && deviceId ? { deviceId: { ideal: deviceId } } : on)
  try {
    const stream = await devices.getUserMedia({ audio: constraint(wanted.audio, wanted.deviceIds?.audioinput), video: constraint(wanted.video, wanted.deviceIds?.videoinput) })
    return { stream, ...kindsOf(stream), error: null }
  } catch (error) {
    if (!(wanted.audio && wanted.video)) throw classifyMediaError(error, deviceName)
    const firstError = classifyMediaError(error, deviceName)
    for (const only of [{ audio: true, video: false }, { audio: false, video: true }]) {
      try {
        const stream = await devices.getUserMedia({ audio: constraint(only.audio, wanted.deviceIds?.audioinput), video: constraint(only.video, wanted.deviceIds?.videoinput) })
        const missing = only.audio ? 'camera' : 'microphone'
        const missingError = await devices.getUserMedia({ audio: !only.audio, video: !only.video }, { probe: true }).then(
          (extra) => {
            for (const track of extra.getTracks()) track.stop()
            return firstError
          },
          (reason: unknown) => classifyMediaError(reason, missing),
        )
        return { stream, ...kindsOf(stream), error: missingError }
      } catch {
        // try the other device alone
      }
    }
    throw firstError
  }
}

function kindsOf(stream: MediaStreamLike): { audio: boolean; video: boolean } {
  const tracks = stream.getTracks()
  return { audio: tracks.some((t) => t.kind === 'audio'), video: tracks.some((t) => t.kind === 'video') }
}

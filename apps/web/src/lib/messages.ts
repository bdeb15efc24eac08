// Words a person understands for every ConferenceError kind, and what they can do about it. Errors
// about the hub name the hub ("the server at 127.0.0.1:8080"); a hub on this computer is never
// blamed on "your internet"; and no sentence promises what the app does not do (nothing retries
// on its own: the person presses Try again).
import type { ConferenceError, ConferenceErrorKind, ConferenceView } from '../conference/types'
import type { HubPlace } from './config'

export type ErrorRemedy = 'retry' | 'new-room' | 'devices'

export interface ErrorCopy {
  title: string
  detail: string
  remedy: ErrorRemedy
  /** The retry button's words when "Try again" would say the wrong thing. */
  retryLabel?: string
}

const MEDIA_COPY: Record<Extract<ConferenceErrorKind, `media-${string}`>, ErrorCopy> = {
  'media-denied': {
    title: 'Camera and microphone are blocked',
    detail:
      'Your browser is not allowing this page to use them. Click the camera or lock icon in the address bar, ' +
      'choose "Allow" for camera and microphone, then try again, or join without them.',
    remedy: 'devices',
  },
  'media-not-found': {
    title: 'No camera or microphone found',
    detail: 'Plug one in and try again, or join without it.',
    remedy: 'devices',
  },
  'media-in-use': {
    title: 'Your camera or microphone is busy',
    detail: 'Another app (or another tab) is using it. Close that app or tab and try again, or join without it.',
    remedy: 'devices',
  },
  'media-failed': {
    title: 'The camera or microphone could not start',
    detail: 'Try again, pick another device in your system settings, or join without it.',
    remedy: 'devices',
  },
}

/** The hub errors, worded for where the hub is. */
function hubCopy(kind: Exclude<ConferenceErrorKind, `media-${string}`>, hub: HubPlace): ErrorCopy {
  const server = `the server at ${hub.host}`
  switch (kind) {
    case 'room-not-found':
      return {
        title: 'This room no longer exists',
        detail: 'The room may have ended, or the link is wrong. You can start a new room and invite people again.',
        remedy: 'new-room',
      }
    case 'client-gone':
      return {
        title: 'You were disconnected from the room',
        detail: `${capitalize(server)} no longer knows this session: it restarted, or lost contact with this tab for too long. Joining again starts a fresh one.`,
        remedy: 'retry',
      }
    case 'unauthorized':
      return {
        title: `${capitalize(server)} refused access`,
        detail: 'The access token is missing, expired or wrong. Check the token given with ?token= or in config.json.',
        remedy: 'retry',
      }
    case 'room-locked':
      return {
        title: 'This room is locked',
        detail: 'Ask the host to let you in, then try again.',
        remedy: 'retry',
      }
    case 'knock-declined':
      return { title: 'You were not let in', detail: 'Someone in the meeting said no.', remedy: 'retry', retryLabel: 'Ask again' }
    case 'knock-expired':
      return { title: 'Nobody let you in', detail: 'Nobody answered in time.', remedy: 'retry', retryLabel: 'Ask again' }
    case 'hub-unreachable':
      return {
        title: `Parley can't reach ${server}`,
        detail: hub.local
          ? 'That server runs on this computer: check that it is still running (npm start starts it), then try again.'
          : `Check that this device is online and that ${server} is up, then try again.`,
        remedy: 'retry',
      }
    case 'invalid-response':
      return {
        title: `${capitalize(server)} answered something unexpected`,
        detail: 'It may be a different version of the Hub API. Try again; if it keeps happening, tell whoever runs the server.',
        remedy: 'retry',
      }
    case 'negotiation-failed':
      return {
        title: 'Could not connect audio and video',
        detail: hub.local
          ? `This browser and ${server} could not set up a media connection. Try again; if it keeps failing, the server's log says why.`
          : 'A firewall or network may be blocking real-time media. Try again, or try another network (for example, without a VPN).',
        remedy: 'retry',
      }
  }
}

export function describeError(error: ConferenceError, hub: HubPlace): ErrorCopy {
  return isMediaKind(error.kind) ? MEDIA_COPY[error.kind] : hubCopy(error.kind, hub)
}

function isMediaKind(kind: ConferenceErrorKind): kind is keyof typeof MEDIA_COPY {
  return kind.startsWith('media-')
}

export function isMediaError(error: ConferenceError | undefined): boolean {
  return error !== undefined && isMediaKind(error.kind)
}

export interface DeviceProblem extends ErrorCopy {
  kind: ConferenceErrorKind
  /** The devices the user asked for that are not working. */
  camera: boolean
  microphone: boolean
}

type Devices = 'camera' | 'microphone' | 'both'

/** Pre-join wording for a device error, naming exactly the devices that failed. */
function deviceCopy(kind: ConferenceErrorKind, devices: Devices): { title: string; detail: string } | undefined {
  const both = devices === 'both'
  const named = both ? 'camera and microphone' : devices
  const it = both ? 'them' : 'it'
  const isAre = both ? 'are' : 'is'
  switch (kind) {
    case 'media-denied':
      return {
        title: `${capitalize(named)} ${isAre} blocked`,
        detail:
          `Your browser is not allowing this page to use the ${named}. Click the camera or lock icon in the address bar, ` +
          `choose "Allow" for the ${named}, then try again, or join without ${it}.`,
      }
    case 'media-not-found':
      return {
        title: both ? 'No camera or microphone found' : `No ${devices} found`,
        detail: both
          ? 'Plug in a camera or a microphone (a headset works) and try again, or join without them.'
          : `Plug in a ${devices}${devices === 'microphone' ? ' (a headset works)' : ''} and try again, or join without one.`,
      }
    case 'media-in-use':
      return {
        title: `Your ${named} ${isAre} busy`,
        detail: `Another app (or another tab) is using ${it}. Close that app or tab and try again, or join without ${it}.`,
      }
    case 'media-failed':
      return {
        title: `The ${named} could not start`,
        detail: `Try again, pick another ${both ? 'device' : devices} in your system settings, or join without ${it}.`,
      }
    default:
      return undefined
  }
}

/** The device-error wording for one device (a switch to it failed in the call): the pre-join's sentences. */
export function deviceErrorCopy(kind: ConferenceErrorKind, device: 'camera' | 'microphone'): { title: string; detail: string } {
  return deviceCopy(kind, device) ?? { title: `The ${device} could not start`, detail: MEDIA_COPY['media-failed'].detail }
}

/**
 * What went wrong with the devices on the pre-join screen, if anything. A device counts as failed
 * when it was wanted but is not available after the core tried to acquire it. An error while every
 * wanted device works (the person just chose to leave the failed one out) is no problem any more.
 */
export function deviceProblem(view: ConferenceView, wants: { audio: boolean; video: boolean }): DeviceProblem | undefined {
  const error = view.error
  if (!error || !isMediaKind(error.kind)) return undefined
  const camera = wants.video && !view.local.videoAvailable
  const microphone = wants.audio && !view.local.audioAvailable
  if (!camera && !microphone) return undefined
  const copy = deviceCopy(error.kind, camera && microphone ? 'both' : camera ? 'camera' : 'microphone') ?? MEDIA_COPY[error.kind]
  return { ...copy, remedy: 'devices', kind: error.kind, camera, microphone }
}

export interface JoinMedia {
  /** What the person will actually send on joining: wanted and not failed. */
  audio: boolean
  video: boolean
  summary: string
}

/**
 * The devices the pre-join screen shows as "on": a device the person wants but that failed is
 * off, because joining reuses the preview (which has no such track). Choosing it again retries.
 */
export function joinMedia(wants: { audio: boolean; video: boolean }, problem: DeviceProblem | undefined): JoinMedia {
  const audio = wants.audio && !problem?.microphone
  const video = wants.video && !problem?.camera
  const summary =
    audio && video
      ? 'You will join with camera and microphone.'
      : audio
        ? 'You will join with your microphone; camera off.'
        : video
          ? 'You will join with your camera; microphone off.'
          : 'You will join without camera and microphone.'
  return { audio, video, summary }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

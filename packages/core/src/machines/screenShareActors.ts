// The screen-share machine's I/O: the browser's picker (getDisplayMedia through the media-devices
// port), the capture's `ended`, and releasing it. Bound to one conference's screen holder.
import { fromCallback, fromPromise } from 'xstate'
import type { ScreenShareError } from '../api.js'
import { mediaFailure } from '../media.js'
import type { MediaDevicesLike } from '../ports.js'
import type { ScreenMedia } from '../screenMedia.js'

export interface ScreenShareDeps {
  devices: MediaDevicesLike
  screen: ScreenMedia
}

/** The picker's failure as the kind a UI words: cancelled or refused, or anything else. */
export function classifyScreenError(error: unknown): ScreenShareError {
  const { name, message } = mediaFailure(error)
  // Chromium and Firefox both say NotAllowedError for a cancelled picker and for a refusal.
  if (name === 'NotAllowedError' || name === 'SecurityError') return { kind: 'denied', message }
  return { kind: 'failed', message }
}

export function screenShareActors({ devices, screen }: ScreenShareDeps) {
  return {
    requestScreen: fromPromise<{ streamId: string }>(async ({ signal }) => {
      if (!devices.getDisplayMedia) throw { kind: 'unsupported', message: 'getDisplayMedia is not available here' } satisfies ScreenShareError
      const stream = await devices.getDisplayMedia({ video: true, audio: true }).catch((error: unknown) => {
        throw classifyScreenError(error)
      })
      if (signal.aborted) {
        // Cancelled while the picker was open: nobody shares this.
        for (const track of stream.getTracks()) track.stop()
        throw { kind: 'failed', message: 'Screen share was cancelled' } satisfies ScreenShareError
      }
      if (!stream.getTracks().some((track) => track.kind === 'video')) {
        for (const track of stream.getTracks()) track.stop()
        throw { kind: 'failed', message: 'The screen capture has no video' } satisfies ScreenShareError
      }
      screen.set(stream)
      return { streamId: stream.id }
    }),
    /** The browser's own "Stop sharing" ends the video track: the same stop as our button. */
    watchScreen: fromCallback(({ sendBack }) => {
      const video = screen.tracks.find((track) => track.kind === 'video')
      if (!video) {
        sendBack({ type: 'screen.ended' })
        return undefined
      }
      const ended = () => sendBack({ type: 'screen.ended' })
      if (video.readyState === 'ended') ended()
      video.addEventListener('ended', ended)
      return () => video.removeEventListener('ended', ended)
    }),
    releaseScreen: fromPromise<void>(async () => screen.release()),
    releaseOnStop: fromCallback(() => () => screen.release()),
  }
}

export type ScreenShareActors = ReturnType<typeof screenShareActors>

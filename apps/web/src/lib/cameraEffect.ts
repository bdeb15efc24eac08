// The camera effect (background blur) as a wrapper of the core's `mediaDevices` port: the core asks for
// the camera as ever, and while the effect is wanted its `getUserMedia` answers with the effect's track in
// the camera's place (not for a probe, opened only to learn whether the camera opens). The core puts whatever it gets on the sender and the preview, and stops it when done;
// stopping the effect's track stops the camera (the effect's own contract, blur/backgroundBlur.ts).
import type { MediaDevicesLike, MediaStreamLike, MediaStreamTrackLike } from '@parley/core'

export interface CameraEffect {
  /** Asked at each getUserMedia that opens a camera. */
  wanted(): boolean
  /**
   * The camera's track in, the processed track out (stopping it stops the camera). A throw leaves the plain
   * camera. `abandoned` aborts when the camera ends before the processed track came: the effect gives up
   * its start (a track it still makes is stopped here).
   */
  apply(camera: MediaStreamTrackLike, abandoned: AbortSignal): Promise<MediaStreamTrackLike>
}

/**
 * The camera ended (unplugged, taken by the system) while its effect was starting, which can take seconds
 * (MediaPipe's start: up to 30 s): the open fails as one whose camera could not start (the core's
 * `media-failed`; a device switch says so in its notice, a first open keeps the microphone alone), instead
 * of handing over an effect's track of a camera that is gone, whose end nobody would hear.
 */
export class CameraEndedError extends Error {
  override name = 'CameraEndedError'
  constructor() {
    super('the camera ended while its effect was starting')
  }
}

interface EditableStream extends MediaStreamLike {
  addTrack(track: MediaStreamTrackLike): void
  removeTrack(track: MediaStreamTrackLike): void
}

const editable = (stream: MediaStreamLike): stream is EditableStream =>
  typeof (stream as Partial<EditableStream>).addTrack === 'function' && typeof (stream as Partial<EditableStream>).removeTrack === 'function'

/** How the effect's start ended: its track, its own failure, or the camera's end first. */
type EffectStart = { outcome: 'applied'; track: MediaStreamTrackLike } | { outcome: 'failed' } | { outcome: 'cameraEnded' }

/** The effect's start, watched for the camera's end (the effect's own watch begins only once it runs). */
function startEffect(effect: CameraEffect, camera: MediaStreamTrackLike): Promise<EffectStart> {
  if (camera.readyState === 'ended') return Promise.resolve({ outcome: 'cameraEnded' })
  const abandon = new AbortController()
  return new Promise<EffectStart>((resolve) => {
    const ended = () => {
      abandon.abort(new CameraEndedError())
      resolve({ outcome: 'cameraEnded' })
    }
    camera.addEventListener('ended', ended)
    effect
      .apply(camera, abandon.signal)
      .then(
        (track) => (abandon.signal.aborted ? track.stop() : resolve({ outcome: 'applied', track })),
        () => resolve({ outcome: 'failed' }),
      )
      .finally(() => camera.removeEventListener('ended', ended))
  })
}

export function withCameraEffect(media: MediaDevicesLike, effect: CameraEffect): MediaDevicesLike {
  return {
    ...media,
    async getUserMedia(constraints, options) {
      const stream = await media.getUserMedia(constraints, options)
      const camera = stream.getTracks().find((track) => track.kind === 'video')
      // A probe (the core learning whether the camera opens, stopped at once) is no camera to blur.
      if (options?.probe || !constraints.video || !camera || !editable(stream) || !effect.wanted()) return stream
      const started = await startEffect(effect, camera)
      if (started.outcome === 'cameraEnded') {
        // Nothing of this open is handed over: the microphone opened with it too is stopped.
        for (const track of stream.getTracks()) track.stop()
        throw new CameraEndedError()
      }
      // The effect said why (its store shows it); the person still has their camera.
      if (started.outcome === 'failed') return stream
      stream.removeTrack(camera)
      stream.addTrack(started.track)
      return stream
    },
  }
}

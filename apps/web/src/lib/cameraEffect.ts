// The camera effect (background blur) as a wrapper of the core's `mediaDevices` port: the core asks for
// the camera as ever, and while the effect is wanted its `getUserMedia` answers with the effect's track in
// the camera's place. The core puts whatever it gets on the sender and the preview, and stops it when done;
// stopping the effect's track stops the camera (the effect's own contract, blur/backgroundBlur.ts).
import type { MediaDevicesLike, MediaStreamLike, MediaStreamTrackLike } from '@parley/core'

export interface CameraEffect {
  /** Asked at each getUserMedia that opens a camera. */
  wanted(): boolean
  /** The camera's track in, the processed track out (stopping it stops the camera). A throw leaves the plain camera. */
  apply(camera: MediaStreamTrackLike): Promise<MediaStreamTrackLike>
}

interface EditableStream extends MediaStreamLike {
  addTrack(track: MediaStreamTrackLike): void
  removeTrack(track: MediaStreamTrackLike): void
}

const editable = (stream: MediaStreamLike): stream is EditableStream =>
  typeof (stream as Partial<EditableStream>).addTrack === 'function' && typeof (stream as Partial<EditableStream>).removeTrack === 'function'

export function withCameraEffect(media: MediaDevicesLike, effect: CameraEffect): MediaDevicesLike {
  return {
    ...media,
    async getUserMedia(constraints) {
      const stream = await media.getUserMedia(constraints)
      const camera = stream.getTracks().find((track) => track.kind === 'video')
      if (!constraints.video || !camera || !editable(stream) || !effect.wanted()) return stream
      let processed: MediaStreamTrackLike
      try {
        processed = await effect.apply(camera)
      } catch {
        // The effect said why (its store shows it); the person still has their camera.
        return stream
      }
      stream.removeTrack(camera)
      stream.addTrack(processed)
      return stream
    },
  }
}

// The local camera/microphone stream and its one owner: the actors that acquire, mute and release it
// go through here, so a track is enabled, disabled or stopped in one place only.
import type { LocalMediaState } from './api.js'
import { HeldStream } from './heldStream.js'
import { isEditableStream, type MediaStreamTrackLike } from './ports.js'

export class LocalMedia extends HeldStream {
  /** Enables or disables the tracks as the person chose (muting needs no renegotiation). */
  applyEnabled(state: Pick<LocalMediaState, 'audioEnabled' | 'videoEnabled'>): void {
    for (const track of this.tracks) {
      if (track.kind === 'audio') track.enabled = state.audioEnabled
      if (track.kind === 'video') track.enabled = state.videoEnabled
    }
  }

  /**
   * A device switch: `track` takes the place of the held track of its kind in the same stream (so the
   * stream id, and every view of it, stays), keeping its enabled state; the old track is stopped.
   * False when there is no stream, or it cannot change its tracks (then the caller stops `track`).
   */
  replaceTrack(track: MediaStreamTrackLike): boolean {
    const stream = this.stream
    if (!stream || !isEditableStream(stream)) return false
    const old = stream.getTracks().find((candidate) => candidate.kind === track.kind)
    if (old) {
      track.enabled = old.enabled
      stream.removeTrack(old)
      old.stop()
    }
    stream.addTrack(track)
    this.notify()
    return true
  }
}

// The local camera/microphone stream and its one owner: the actors that acquire, mute and release it
// go through here, so a track is enabled, disabled or stopped in one place only.
import type { LocalMediaState } from './api.js'
import { HeldStream } from './heldStream.js'

export class LocalMedia extends HeldStream {
  /** Enables or disables the tracks as the person chose (muting needs no renegotiation). */
  applyEnabled(state: Pick<LocalMediaState, 'audioEnabled' | 'videoEnabled'>): void {
    for (const track of this.tracks) {
      if (track.kind === 'audio') track.enabled = state.audioEnabled
      if (track.kind === 'video') track.enabled = state.videoEnabled
    }
  }
}

// The local camera/microphone stream and its one owner: the actors that acquire, mute and release it
// go through here, so a track is enabled, disabled or stopped in one place only.
import type { LocalMediaState } from './api.js'
import type { MediaStreamLike, MediaStreamTrackLike } from './ports.js'
import { Listeners } from './listeners.js'

export class LocalMedia {
  private current: MediaStreamLike | undefined
  private readonly changes = new Listeners<[]>()

  get stream(): MediaStreamLike | undefined {
    return this.current
  }

  get tracks(): MediaStreamTrackLike[] {
    return this.current?.getTracks() ?? []
  }

  /** The local stream when `streamId` is its id (the stream registry's read side). */
  get(streamId: string): MediaStreamLike | undefined {
    return this.current?.id === streamId ? this.current : undefined
  }

  subscribe(listener: () => void): () => void {
    return this.changes.add(listener)
  }

  /** Takes over a freshly acquired stream; the previous one is stopped. */
  set(stream: MediaStreamLike): void {
    this.release()
    this.current = stream
    this.changes.emit()
  }

  /** Enables or disables the tracks as the person chose (muting needs no renegotiation). */
  applyEnabled(state: Pick<LocalMediaState, 'audioEnabled' | 'videoEnabled'>): void {
    for (const track of this.tracks) {
      if (track.kind === 'audio') track.enabled = state.audioEnabled
      if (track.kind === 'video') track.enabled = state.videoEnabled
    }
  }

  /** Stops every track (the camera light goes off) and forgets the stream. */
  release(): void {
    const stream = this.current
    if (!stream) return
    this.current = undefined
    for (const track of stream.getTracks()) track.stop()
    this.changes.emit()
  }
}

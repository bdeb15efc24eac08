// One MediaStream with one owner: whoever acquired it hands it over with `set`, and `release` stops
// its tracks in one place. The local camera/microphone (LocalMedia) and our screen share (ScreenMedia)
// are each one of these; the stream registry reads both through `get`.
import type { MediaStreamLike, MediaStreamTrackLike } from './ports.js'
import { Listeners } from './listeners.js'

export class HeldStream {
  private current: MediaStreamLike | undefined
  private readonly changes = new Listeners<[]>()

  get stream(): MediaStreamLike | undefined {
    return this.current
  }

  get tracks(): MediaStreamTrackLike[] {
    return this.current?.getTracks() ?? []
  }

  /** The held stream when `streamId` is its id (the stream registry's read side). */
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

  /** Tells the subscribers the held stream changed its tracks (a device switch). */
  protected notify(): void {
    this.changes.emit()
  }

  /** Stops every track (the camera light or the sharing indicator goes off) and forgets the stream. */
  release(): void {
    const stream = this.current
    if (!stream) return
    this.current = undefined
    for (const track of stream.getTracks()) track.stop()
    this.changes.emit()
  }
}

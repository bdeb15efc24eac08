// The screen-share stream and its one owner: the screen-share actors acquire and release it here, the
// peer session reads it to publish, and the stream registry shows it (the sharer's own preview).
import type { MediaStreamLike, MediaStreamTrackLike } from './ports.js'
import { Listeners } from './listeners.js'

export class ScreenMedia {
  private current: MediaStreamLike | undefined
  private readonly changes = new Listeners<[]>()

  get stream(): MediaStreamLike | undefined {
    return this.current
  }

  get tracks(): MediaStreamTrackLike[] {
    return this.current?.getTracks() ?? []
  }

  /** The screen stream when `streamId` is its id (the stream registry's read side). */
  get(streamId: string): MediaStreamLike | undefined {
    return this.current?.id === streamId ? this.current : undefined
  }

  subscribe(listener: () => void): () => void {
    return this.changes.add(listener)
  }

  /** Takes over a freshly captured screen; a previous one is stopped (one share per participant). */
  set(stream: MediaStreamLike): void {
    this.release()
    this.current = stream
    this.changes.emit()
  }

  /** Stops the capture (the browser's sharing indicator goes) and forgets the stream. */
  release(): void {
    const stream = this.current
    if (!stream) return
    this.current = undefined
    for (const track of stream.getTracks()) track.stop()
    this.changes.emit()
  }
}

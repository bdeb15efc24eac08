// The remote participants' media, as the peer connection delivers it: one MediaStream per publisher
// stream id, kept while any of its tracks is live. The peer session adds tracks here; the UI reads the
// streams (the public StreamRegistry), and the conference's roster hears the facts (`peer.track`,
// `peer.trackEnded`) by watching.
import type { MediaStreamLike, MediaStreamTrackLike } from './ports.js'
import { Listeners } from './listeners.js'

export type RemoteTrackEvent =
  | { type: 'peer.track'; trackId: string; streamId: string; kind: 'audio' | 'video' }
  | { type: 'peer.trackEnded'; trackId: string; streamId: string }

export class RemoteStreams {
  private readonly streams = new Map<string, MediaStreamLike>()
  private readonly changes = new Listeners<[]>()
  private readonly facts = new Listeners<[RemoteTrackEvent]>()
  /** Stops watching each delivered track (ended / removed from its stream). */
  private readonly watching = new Set<() => void>()

  get(streamId: string): MediaStreamLike | undefined {
    return this.streams.get(streamId)
  }

  /** The streams delivered and not ended, by id. */
  ids(): string[] {
    return [...this.streams.keys()]
  }

  /** Called after a stream is added, removed or gains/loses a track. */
  subscribe(listener: () => void): () => void {
    return this.changes.add(listener)
  }

  /** Hears every track that becomes live and every one that ends. */
  watch(listener: (event: RemoteTrackEvent) => void): () => void {
    return this.facts.add(listener)
  }

  /**
   * A track arrived in `stream`: keep the stream, report the track, and report its end once. The stream
   * goes out first: a UI binds it to a video before the conference hears the track (and a view is drawn).
   */
  add(track: MediaStreamTrackLike, stream: MediaStreamLike): void {
    if (this.streams.get(stream.id) !== stream) {
      this.streams.set(stream.id, stream)
      this.changes.emit()
    }
    const ended = () => {
      stopWatching()
      // The stream stays while another of its tracks is live (a camera ended, the microphone not).
      if (stream.getTracks().some((t) => t.readyState === 'live' && t !== track)) this.changes.emit()
      else if (this.streams.delete(stream.id)) this.changes.emit()
      this.facts.emit({ type: 'peer.trackEnded', trackId: track.id, streamId: stream.id })
    }
    const removed = () => {
      if (!stream.getTracks().includes(track)) ended()
      else this.changes.emit()
    }
    const stopWatching = () => {
      track.removeEventListener('ended', ended)
      stream.removeEventListener('removetrack', removed)
      this.watching.delete(stopWatching)
    }
    track.addEventListener('ended', ended)
    stream.addEventListener('removetrack', removed)
    this.watching.add(stopWatching)
    this.facts.emit({ type: 'peer.track', trackId: track.id, streamId: stream.id, kind: track.kind === 'audio' ? 'audio' : 'video' })
  }

  /** The peer connection closed: its streams go with it (nothing more is reported about them). */
  clear(): void {
    for (const stopWatching of [...this.watching]) stopWatching()
    this.streams.clear()
    this.changes.emit()
  }
}

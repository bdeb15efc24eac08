// The per-conference home of everything that must not sit in a machine's context: the peer
// connection and the MediaStreams. createConference makes one; the actor implementations close over
// it; the machines only hold ids. Its read side is the public StreamRegistry.
import type { StreamRegistry } from './api.js'
import type { MediaStreamLike, MediaStreamTrackLike, PeerConnectionLike } from './ports.js'

export class MediaRegistry implements StreamRegistry {
  private readonly streams = new Map<string, MediaStreamLike>()
  private readonly listeners = new Set<() => void>()
  private localStreamId: string | undefined
  private peer: PeerConnectionLike | undefined

  get(streamId: string): MediaStreamLike | undefined {
    return this.streams.get(streamId)
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Tell subscribers a stream changed (a track was added, removed or ended). */
  notify(): void {
    for (const listener of [...this.listeners]) listener()
  }

  // --- local media -------------------------------------------------------------------------

  setLocalStream(stream: MediaStreamLike): void {
    this.releaseLocalStream()
    this.localStreamId = stream.id
    this.streams.set(stream.id, stream)
    this.notify()
  }

  getLocalStream(): MediaStreamLike | undefined {
    return this.localStreamId === undefined ? undefined : this.streams.get(this.localStreamId)
  }

  localTracks(): MediaStreamTrackLike[] {
    return this.getLocalStream()?.getTracks() ?? []
  }

  /** Stops every local track (the camera light goes off) and forgets the stream. */
  releaseLocalStream(): void {
    const stream = this.getLocalStream()
    if (!stream) return
    for (const track of stream.getTracks()) track.stop()
    this.streams.delete(stream.id)
    this.localStreamId = undefined
    this.notify()
  }

  // --- remote media ------------------------------------------------------------------------

  setRemoteStream(stream: MediaStreamLike): void {
    if (this.streams.get(stream.id) === stream) return
    this.streams.set(stream.id, stream)
    this.notify()
  }

  deleteRemoteStream(streamId: string): void {
    if (streamId === this.localStreamId) return
    if (this.streams.delete(streamId)) this.notify()
  }

  // --- peer connection ---------------------------------------------------------------------

  setPeer(peer: PeerConnectionLike): void {
    this.closePeer()
    this.peer = peer
  }

  /** The current peer connection; throws when there is none (a machine bug, not a user error). */
  requirePeer(): PeerConnectionLike {
    if (!this.peer) throw new Error('No peer connection: the conference has not created one yet')
    return this.peer
  }

  hasPeer(): boolean {
    return this.peer !== undefined
  }

  /** The current peer connection, if any (watchers started next to a failed creation find none). */
  currentPeer(): PeerConnectionLike | undefined {
    return this.peer
  }

  closePeer(): void {
    const peer = this.peer
    if (!peer) return
    this.peer = undefined
    peer.close()
    for (const id of [...this.streams.keys()]) if (id !== this.localStreamId) this.streams.delete(id)
    this.notify()
  }

  /** Releases the peer connection, remote streams and local tracks. */
  releaseAll(): void {
    this.closePeer()
    this.releaseLocalStream()
  }
}

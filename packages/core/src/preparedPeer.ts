// The room's peer session built ahead of the join, while the person sits on the pre-join (as Meet
// does): the peer connection with the preview's tracks, our first offer created and set, ICE gathered.
// After Join only register → the lock → PUT of that offer remain on the critical path. The holder is
// its one owner between the pre-join's warm-up actor, which builds it, and the room's peer session
// actor, which takes it over (negotiationActors.ts); leaving, stopping or new local media release it.
import type { MediaStreamLike, MediaStreamTrackLike, PeerConnectionLike } from './ports.js'
import { PeerSession, type PeerShape, type PeerSessionEvent, type PeerSessionReports } from './peerSession.js'

/** What the warm-up watches while the session is not yet the room's. */
export interface WarmUpWatch {
  iceGathered(): void
}

/**
 * What the prepared session reports before anyone in a room listens: held (our ICE candidates,
 * gathered before we have a hub session to send them to) and handed over in order when the room's
 * peer session binds; until then `watch` hears that gathering is complete (the warm-up's state).
 */
export class ReportRelay implements PeerSessionReports {
  private target: PeerSessionReports | null = null
  private readonly held: ((target: PeerSessionReports) => void)[] = []

  constructor(private watch?: WarmUpWatch) {}

  event(event: PeerSessionEvent): void {
    this.forward((target) => target.event(event))
  }

  track(track: MediaStreamTrackLike, stream: MediaStreamLike): void {
    this.forward((target) => target.track(track, stream))
  }

  dataChannel(channel: Parameters<NonNullable<PeerSessionReports['dataChannel']>>[0]): void {
    this.forward((target) => target.dataChannel?.(channel))
  }

  iceGathered(): void {
    this.watch?.iceGathered()
  }

  negotiated(): void {
    this.forward((target) => target.negotiated?.())
  }

  /** From now on everything goes to `target`, what was held first. The warm-up no longer watches. */
  bind(target: PeerSessionReports): void {
    this.watch = undefined
    this.target = target
    for (const deliver of this.held.splice(0)) deliver(target)
  }

  private forward(deliver: (target: PeerSessionReports) => void): void {
    if (this.target) deliver(this.target)
    else this.held.push(deliver)
  }
}

export interface Prepared {
  pc: PeerConnectionLike
  session: PeerSession
  relay: ReportRelay
  /** The local stream it was built with (the preview's). */
  stream: MediaStreamLike | undefined
}

export class PreparedPeer {
  private current: Prepared | undefined

  /** Builds a peer session for these local tracks and holds it (one held before is released). */
  build(
    createPc: () => PeerConnectionLike,
    local: { stream: MediaStreamLike | undefined; tracks: MediaStreamTrackLike[] },
    watch?: WarmUpWatch,
    shape?: PeerShape,
  ): Prepared {
    this.release()
    const pc = createPc()
    const relay = new ReportRelay(watch)
    const prepared = { pc, session: new PeerSession(pc, local, relay, shape), relay, stream: local.stream }
    this.current = prepared
    return prepared
  }

  get held(): Prepared | undefined {
    return this.current
  }

  /**
   * The prepared session, handed over, when it sends exactly these local tracks (the same stream, the
   * same tracks: a device switched in the pre-join was put on its sender). Otherwise it is released
   * and the caller builds a fresh one, as without a warm-up.
   */
  take(local: { stream: MediaStreamLike | undefined; tracks: MediaStreamTrackLike[] }): Prepared | undefined {
    const prepared = this.current
    this.current = undefined
    if (!prepared) return undefined
    if (prepared.stream === local.stream && prepared.session.sends(local.tracks)) return prepared
    prepared.session.close()
    return undefined
  }

  /** Closes the held session (all of it, or only `which` if it is still the one held). */
  release(which?: Prepared): void {
    const prepared = this.current
    if (!prepared || (which && which !== prepared)) return
    this.current = undefined
    prepared.session.close()
  }
}

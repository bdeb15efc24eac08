// What every media plane keeps of its peers: the open ones (released as each closes), a closed flag that
// refuses new peers, and a close that closes them all; plus the logger a plane may call from any
// callback (a throwing logger must not take the plane down with it). Shared by werift.ts and ndc-plane.ts.
import type { Logger } from '../log.js'

export class PeerSet<P extends { close(): Promise<void> }> {
  readonly #peers = new Set<P>()
  #closed = false

  get size(): number {
    return this.#peers.size
  }

  [Symbol.iterator](): IterableIterator<P> {
    return this.#peers.values()
  }

  /** Makes a peer with `create`, given the release its close must call; throws once the plane is closed. */
  add(create: (release: (peer: P) => void) => P): P {
    if (this.#closed) throw new Error('the media plane is closed')
    const peer = create(this.release)
    this.#peers.add(peer)
    return peer
  }

  /** The peer closed: the set forgets it. */
  readonly release = (peer: P): void => {
    this.#peers.delete(peer)
  }

  /** Refuses new peers and closes every open one. */
  async closeAll(): Promise<void> {
    this.#closed = true
    await Promise.all([...this.#peers].map((peer) => peer.close()))
  }
}

/** `log`, except that an exception it throws is swallowed. */
export function safeLogger(log: Logger): Logger {
  return (level, msg, fields) => {
    try {
      log(level, msg, fields)
    } catch {
      // nothing sensible left to do
    }
  }
}

// The client's ICE candidates on the way into one werift peer connection: filtered (end-of-candidates,
// mDNS, addresses outside the allowed ones, TCP, any that come once ICE has nominated a pair), and held
// until a remote description exists and is not being applied at that moment, as werift cannot take
// them earlier.
import type { RTCPeerConnection } from 'werift'
import { type IceCandidate, messageOf } from '@parley/protocol'
import type { LogFields, LogLevel } from '../log.js'
import { isMdnsAddress, parseCandidate } from './werift-sdp.js'

export class RemoteCandidates {
  readonly #pc: RTCPeerConnection
  readonly #allowedAddresses: ReadonlySet<string>
  readonly #log: (level: LogLevel, msg: string, fields?: LogFields) => void
  #pending: IceCandidate[] = []
  #applyingDescription = false
  #closed = false

  constructor(pc: RTCPeerConnection, allowedAddresses: ReadonlySet<string>, log: (level: LogLevel, msg: string, fields?: LogFields) => void) {
    this.#pc = pc
    this.#allowedAddresses = allowedAddresses
    this.#log = log
  }

  /** Adds a client candidate now, or once the remote description is in place. An empty one is ignored. */
  async add(candidate: IceCandidate): Promise<void> {
    if (this.#closed) return
    if (candidate.candidate.trim() === '') return // end-of-candidates: nothing to do with trickle on loopback
    const parsed = parseCandidate(candidate.candidate)
    if (isMdnsAddress(parsed.address)) {
      this.#log('debug', 'ignoring an mDNS candidate')
      return
    }
    const allowed = this.#allowedAddresses
    if (allowed.size > 0 && !allowed.has(parsed.address)) {
      this.#log('debug', 'ignoring a candidate outside the allowed addresses', { address: parsed.address })
      return
    }
    if (parsed.protocol !== 'udp') return
    if (iceNominated(this.#pc)) {
      this.#log('debug', 'ignoring a candidate after ICE nominated a pair')
      return
    }
    const init: IceCandidate = { ...candidate }
    if (init.sdpMid == null && init.sdpMLineIndex == null) init.sdpMLineIndex = 0 // BUNDLE: one transport
    if (!this.#pc.remoteDescription || this.#applyingDescription) {
      this.#pending.push(init)
      return
    }
    await this.#apply(init)
  }

  /** Runs `apply` (a setRemoteDescription) with candidates held, then adds the held ones. */
  async aroundRemoteDescription<T>(apply: () => Promise<T>): Promise<T> {
    this.#applyingDescription = true
    let result: T
    try {
      result = await apply()
    } finally {
      this.#applyingDescription = false
    }
    await this.#flush()
    return result
  }

  close(): void {
    this.#closed = true
    this.#pending = []
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0 && this.#pc.remoteDescription && !this.#closed) {
      const candidate = this.#pending.shift()
      if (!candidate) break
      await this.#apply(candidate).catch((error: unknown) => {
        this.#log('warn', 'a queued ICE candidate was rejected', { error: messageOf(error) })
      })
    }
  }

  async #apply(candidate: IceCandidate): Promise<void> {
    try {
      await this.#pc.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        usernameFragment: candidate.usernameFragment ?? undefined,
      })
    } catch (error) {
      throw new Error(`the ICE candidate cannot be added: ${messageOf(error)}`)
    }
  }
}

/**
 * Whether the peer's ICE agent has nominated a pair (this generation: an ICE restart clears it). The hub
 * is ICE controlled: a browser's first check usually arrives before its trickled candidates (as a
 * peer-reflexive pair) and is nominated at once. werift 0.25.2 pairs a candidate added after that as
 * `waiting` and its connect() loop checks one such pair per 20 ms tick before it reports ICE connected,
 * which is what starts the hub's DTLS server: two late candidates held the handshake 40 ms or more in
 * the join bench. A nominated pair is the one media uses; a later candidate adds nothing to it.
 */
export function iceNominated(pc: Pick<RTCPeerConnection, 'iceTransports'>): boolean {
  return pc.iceTransports.some((transport) => transport.connection.nominated !== undefined)
}

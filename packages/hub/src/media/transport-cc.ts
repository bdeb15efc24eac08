// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) from
// the hub to a publisher: the arrival time of every packet it sent on its transport (audio and video
// share one transport-wide sequence), sent back every FEEDBACK_INTERVAL_MS as RTCP RTPFB FMT 15, so
// that the publisher's own send-side estimator (GoogCC in Chromium and Firefox) probes and measures
// through the whole call. werift's ReceiverTWCC is not used: it runs per m-line (it reports the other
// m-line's packets as lost) and lowered Chrome's bitrate when tried (werift-sfu-notes.md).
//
// The per-packet path (record) writes into preallocated typed arrays; a feedback packet is built only
// on the timer.
import type { Clock } from '../clock.js'
import { Timer } from '../clock.js'

export const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
/** libwebrtc's receive side sends every 50–250 ms (100 by default); the short end, to react at the start. */
export const FEEDBACK_INTERVAL_MS = 50
/** Arrivals kept (unreported, or reported and still open to a late packet): a power of two. */
const RING_SIZE = 4096
/** Packet statuses per feedback packet: at most 2 bytes of delta each keeps it under ~1.2 KB. */
export const MAX_STATUS_PER_FEEDBACK = 500
const RUN_MAX = 8191

const NOT_RECEIVED = 0
const SMALL_DELTA = 1
const LARGE_DELTA = 2

/** The extension's id on a negotiated m-line, or null when not negotiated. */
export function transportCcId(headerExtensions: readonly { uri: string; id: number }[]): number | null {
  return headerExtensions.find((extension) => extension.uri === TRANSPORT_CC_URI)?.id ?? null
}

/** The transport-wide sequence number a packet carries under `id`, if any (no allocation). */
export function transportSequenceIn(extensions: readonly { id: number; payload: Buffer }[], id: number): number | undefined {
  for (let i = 0; i < extensions.length; i++) {
    const extension = extensions[i]!
    if (extension.id === id) return extension.payload.length >= 2 ? (extension.payload[0]! << 8) | extension.payload[1]! : undefined
  }
  return undefined
}

/**
 * The packet chunks for `statuses` (draft §3.1.3/§3.1.4): a run-length chunk for a run of 14 or more (or
 * the rest when all alike), else a one-bit status vector of 14 symbols when none of them has a large
 * delta, else a two-bit vector of 7. Vector symbols past the end are "not received" (the status count
 * tells the reader where to stop).
 */
export function encodeChunks(statuses: readonly number[]): number[] {
  const chunks: number[] = []
  const n = statuses.length
  let i = 0
  while (i < n) {
    const status = statuses[i]!
    let run = 1
    while (i + run < n && statuses[i + run] === status && run < RUN_MAX) run++
    if (run >= 14 || i + run === n) {
      chunks.push((status << 13) | run)
      i += run
      continue
    }
    let large = false
    for (let k = i; k < Math.min(n, i + 14); k++) if (statuses[k] === LARGE_DELTA) large = true
    if (!large) {
      let chunk = 0x8000
      for (let k = 0; k < 14 && i + k < n; k++) if (statuses[i + k] === SMALL_DELTA) chunk |= 1 << (13 - k)
      chunks.push(chunk)
      i += 14
    } else {
      let chunk = 0xc000
      for (let k = 0; k < 7 && i + k < n; k++) chunk |= statuses[i + k]! << (12 - 2 * k)
      chunks.push(chunk)
      i += 7
    }
  }
  return chunks
}

/** What one feedback packet says, before it is put in bytes. */
export interface FeedbackContent {
  baseSequence: number
  /** Per packet from the base: NOT_RECEIVED (0), SMALL_DELTA (1) or LARGE_DELTA (2). */
  statuses: number[]
  /** 24 bits, in 64 ms units. */
  referenceTime: number
  fbPacketCount: number
  /** Receive deltas of the received packets, in 250 µs units (signed for LARGE_DELTA). */
  deltas: number[]
}

/** The RTCP packet (RTPFB, PT 205, FMT 15) for `content`, padded to 32 bits (P bit and count, RFC 3550). */
export function feedbackBytes(senderSsrc: number, mediaSsrc: number, content: FeedbackContent): Buffer {
  const chunks = encodeChunks(content.statuses)
  let deltaBytes = 0
  for (const status of content.statuses) deltaBytes += status === SMALL_DELTA ? 1 : status === LARGE_DELTA ? 2 : 0
  const unpadded = 20 + 2 * chunks.length + deltaBytes
  const padding = (4 - (unpadded % 4)) % 4
  const packet = Buffer.alloc(unpadded + padding)
  packet[0] = 0x80 | (padding > 0 ? 0x20 : 0) | 15
  packet[1] = 205
  packet.writeUInt16BE(packet.length / 4 - 1, 2)
  packet.writeUInt32BE(senderSsrc >>> 0, 4)
  packet.writeUInt32BE(mediaSsrc >>> 0, 8)
  packet.writeUInt16BE(content.baseSequence & 0xffff, 12)
  packet.writeUInt16BE(content.statuses.length, 14)
  packet.writeUIntBE(content.referenceTime & 0xffffff, 16, 3)
  packet[19] = content.fbPacketCount & 0xff
  let offset = 20
  for (const chunk of chunks) {
    packet.writeUInt16BE(chunk, offset)
    offset += 2
  }
  let delta = 0
  for (const status of content.statuses) {
    if (status === SMALL_DELTA) packet[offset++] = content.deltas[delta++]!
    else if (status === LARGE_DELTA) {
      packet.writeInt16BE(content.deltas[delta++]!, offset)
      offset += 2
    }
  }
  if (padding > 0) packet[packet.length - 1] = padding
  return packet
}

/** What the feedback told publishers, summed (diagnostics: the ramp bench's trace compares it with the link's loss). */
export interface TransportCcStats {
  /** Statuses sent as not received (a packet that arrives later is reported again, received). */
  transportCcReportedLost: number
  transportCcReportedReceived: number
  /** Packets that arrived after their number was reported lost. */
  transportCcLateArrivals: number
}

/**
 * The arrivals of one publisher transport's packets by transport-wide sequence number, and the feedback
 * content built from them. Sequence numbers are unwrapped (16-bit wrap-around); a packet that arrives
 * after its number was reported lost is reported again from it in the next feedback (as libwebrtc's
 * RemoteEstimatorProxy does), as long as it is within the ring.
 */
export class TransportCcRecorder {
  readonly #arrivalMs = new Float64Array(RING_SIZE)
  readonly #sequenceAt = new Float64Array(RING_SIZE).fill(-1)
  /** Highest unwrapped sequence number seen; -1 before the first. */
  #highest = -1
  /** First unwrapped sequence number the next feedback reports. */
  #next = -1
  #fbPacketCount = 0
  readonly #stats: TransportCcStats

  constructor(stats: TransportCcStats = { transportCcReportedLost: 0, transportCcReportedReceived: 0, transportCcLateArrivals: 0 }) {
    this.#stats = stats
  }

  /** Records one arrival (ms, fractional allowed). Allocation-free. */
  record(sequence: number, arrivalMs: number): void {
    let unwrapped: number
    if (this.#highest < 0) {
      // Room below the first number for packets reordered ahead of it.
      unwrapped = sequence + 0x10000
      this.#highest = unwrapped
      this.#next = unwrapped
    } else {
      const diff = ((sequence - (this.#highest & 0xffff) + 0x8000) & 0xffff) - 0x8000
      unwrapped = this.#highest + diff
      if (diff > 0) {
        this.#highest = unwrapped
        if (unwrapped - this.#next >= RING_SIZE) this.#next = unwrapped - RING_SIZE + 1
      } else if (this.#highest - unwrapped >= RING_SIZE) {
        return
      }
      if (unwrapped < this.#next) {
        this.#next = unwrapped
        this.#stats.transportCcLateArrivals++
      }
    }
    const slot = unwrapped & (RING_SIZE - 1)
    if (this.#sequenceAt[slot] === unwrapped) return
    this.#sequenceAt[slot] = unwrapped
    this.#arrivalMs[slot] = arrivalMs
  }

  /** Whether a feedback would report anything. */
  get pending(): boolean {
    return this.#next >= 0 && this.#next <= this.#highest
  }

  /**
   * The next feedback's content (at most MAX_STATUS_PER_FEEDBACK packets, ending before a receive delta
   * that does not fit 16 bits), or undefined when nothing is pending; what it covers counts as reported.
   */
  take(): FeedbackContent | undefined {
    while (this.pending) {
      const base = this.#next
      const last = Math.min(this.#highest, base + MAX_STATUS_PER_FEEDBACK - 1)
      let first = -1
      for (let seq = base; seq <= last; seq++) {
        if (this.#received(seq)) {
          first = seq
          break
        }
      }
      if (first < 0) {
        // A whole feedback's worth lost: skip to what arrived after it.
        this.#next = last + 1
        continue
      }
      const firstMs = this.#arrivalMs[first & (RING_SIZE - 1)]!
      const reference = Math.floor(firstMs / 64)
      let previousTicks = reference * 256
      const statuses: number[] = []
      const deltas: number[] = []
      let end = last
      for (let seq = base; seq <= last; seq++) {
        if (!this.#received(seq)) {
          statuses.push(NOT_RECEIVED)
          continue
        }
        const ticks = Math.round(this.#arrivalMs[seq & (RING_SIZE - 1)]! * 4)
        const delta = ticks - previousTicks
        if (delta < -32768 || delta > 32767) {
          end = seq - 1
          break
        }
        statuses.push(delta >= 0 && delta <= 255 ? SMALL_DELTA : LARGE_DELTA)
        deltas.push(delta)
        previousTicks = ticks
      }
      // Trailing losses wait for the next feedback, which starts at the next received packet's run.
      while (statuses.length > 0 && statuses[statuses.length - 1] === NOT_RECEIVED) {
        statuses.pop()
        end--
      }
      this.#next = end + 1
      this.#stats.transportCcReportedReceived += deltas.length
      this.#stats.transportCcReportedLost += statuses.length - deltas.length
      const content = { baseSequence: base & 0xffff, statuses, referenceTime: reference & 0xffffff, fbPacketCount: this.#fbPacketCount, deltas }
      this.#fbPacketCount = (this.#fbPacketCount + 1) & 0xff
      return content
    }
    return undefined
  }

  #received(unwrapped: number): boolean {
    return this.#sequenceAt[unwrapped & (RING_SIZE - 1)] === unwrapped
  }
}

/** Where one publisher transport's feedback goes (the plane's RTCP send; false: not sendable now). */
export type FeedbackSend = (packet: Buffer) => boolean

/**
 * One publisher transport: records its packets and sends the feedback every FEEDBACK_INTERVAL_MS while
 * packets arrive (the timer runs only with something to report, through the injected Clock).
 */
export class TransportCcFeedback {
  readonly #recorder: TransportCcRecorder
  readonly #timer: Timer
  readonly #senderSsrc: () => number
  readonly #mediaSsrc: () => number
  readonly #send: FeedbackSend
  /** Feedback packets sent (diagnostics). */
  sent = 0

  constructor(deps: { clock: Clock; senderSsrc: () => number; mediaSsrc: () => number; send: FeedbackSend; stats?: TransportCcStats }) {
    this.#recorder = new TransportCcRecorder(deps.stats)
    this.#timer = new Timer(deps.clock)
    this.#senderSsrc = deps.senderSsrc
    this.#mediaSsrc = deps.mediaSsrc
    this.#send = deps.send
  }

  /** One packet of the transport arrived (`arrivalMs` from the injected clock). */
  record(sequence: number, arrivalMs: number): void {
    this.#recorder.record(sequence, arrivalMs)
    if (!this.#timer.running) this.#timer.start(FEEDBACK_INTERVAL_MS, () => this.flush())
  }

  /** Sends what is pending now (the timer's work; tests call it too). */
  flush(): void {
    // At most a few packets per interval: after a long stall the oldest are not worth a burst.
    for (let i = 0; i < 4; i++) {
      const content = this.#recorder.take()
      if (!content) return
      if (!this.#send(feedbackBytes(this.#senderSsrc(), this.#mediaSsrc(), content))) return
      this.sent++
    }
  }

  stop(): void {
    this.#timer.cancel()
  }
}

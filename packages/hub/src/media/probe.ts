// The publisher's probe clusters at the start, measured as libwebrtc's receive side does with abs-send-time
// (RemoteBitrateEstimatorAbsSendTime: clusters of paced packets, their send rate against their arrival
// rate). With abs-send-time negotiated (werift-config) Chromium's pacer sends its start probes — bursts of
// padding and media at a multiple of its start rate — and every frame it paces out is a burst too. A burst
// that arrives as fast as it was sent says the path carries at least that rate; one that arrives spread out
// was held at a bottleneck, and its arrival rate is what the bottleneck gave it. The estimator
// (bandwidth.ts) takes this before the delay and loss rules have seen anything.
//
// Arrival times are the hub's clock in whole ms, taken in JavaScript: a burst the event loop delivers late
// and at once reads as faster than it came, so a cluster's rate is the lower of its send rate and its
// arrival rate; and a stall in the middle of a cluster would read as slower, so a cluster with one wait
// over half its arrival span is taken as arriving at its send rate, and one with a single wait far longer
// than its others (STALL_WAIT_FACTOR) is timed without it.

export const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'
/** abs-send-time is 24 bits of 6.18 fixed-point seconds: it wraps every 64 s. */
const ABS_SEND_TIME_RANGE = 1 << 24
export const ABS_SEND_TIME_UNITS_PER_MS = (1 << 18) / 1000
/** Packets sent further apart than this (send time) end a cluster: Chromium paces a probe's packets 1–3 ms apart. */
export const CLUSTER_GAP_MS = 5
/** A cluster is measured from this many packets (libwebrtc's probes have at least 5). */
export const MIN_CLUSTER_PACKETS = 5
/** Send and arrival spans under this are too short to time with a 1 ms clock. */
export const MIN_CLUSTER_SPAN_MS = 4
/** Smaller packets are not paced as probes (libwebrtc's kMinProbePacketSize). */
export const MIN_PROBE_PACKET_BYTES = 200
/**
 * A bottleneck spreads a cluster's arrivals evenly: one wait longer than this × the mean of the others (+ 1 ms,
 * the arrival clock's step) is the event loop stalled, and the cluster is timed without it.
 */
export const STALL_WAIT_FACTOR = 2
/** Clusters are measured only this long after the first packet: after that the delay rule knows more. */
export const PROBE_WINDOW_MS = 3_000

/** One measured cluster: bit/s as sent and as arrived, over `packets` packets. */
export interface ProbeCluster {
  sendBps: number
  receiveBps: number
  packets: number
}

/** The abs-send-time element's 24-bit value (big-endian), or undefined when it is not 3 bytes. */
export function readAbsSendTime(payload: Uint8Array): number | undefined {
  if (payload.length !== 3) return undefined
  return (payload[0]! << 16) | (payload[1]! << 8) | payload[2]!
}

/** The id the abs-send-time extension was negotiated under on an m-line, or null when it was not. */
export function absSendTimeId(headerExtensions: readonly { uri: string; id: number }[]): number | null {
  return headerExtensions.find((extension) => extension.uri === ABS_SEND_TIME_URI)?.id ?? null
}

/** The abs-send-time (24 bits) among a packet's header extensions under `id`, if it carries one. */
export function absSendTimeIn(extensions: readonly { id: number; payload: Uint8Array }[], id: number): number | undefined {
  for (const extension of extensions) {
    if (extension.id === id) return readAbsSendTime(extension.payload)
  }
  return undefined
}

/** Groups one track's packets into clusters by send time and measures each; fed per packet, no allocation. */
export class ProbeMeter {
  #firstArrivalMs: number | undefined
  /** The current cluster (-1: the window has closed): send time of its first and last packet (ms), arrivals, sizes. */
  #count = 0
  #firstSendMs = 0
  #lastSendMs = 0
  #lastRaw = 0
  #firstArrivalOfCluster = 0
  #lastArrivalMs = 0
  /** The longest wait between two of the cluster's arrivals, and the send gap of that pair. */
  #maxArrivalGapMs = 0
  #sendGapAtMaxMs = 0
  #firstSize = 0
  #lastSize = 0
  #bytes = 0

  /** False once the start window has closed: nothing more is measured. */
  get open(): boolean {
    return this.#count >= 0
  }

  /** One packet: its abs-send-time (24 bits), arrival (ms), size with padding. A cluster it closes is returned. */
  onPacket(absSendTime: number, arrivalMs: number, size: number): ProbeCluster | undefined {
    if (this.#count < 0) return undefined
    this.#firstArrivalMs ??= arrivalMs
    if (arrivalMs - this.#firstArrivalMs > PROBE_WINDOW_MS) {
      const last = this.#close()
      this.#count = -1
      return last
    }
    if (size < MIN_PROBE_PACKET_BYTES) return undefined
    let closed: ProbeCluster | undefined
    if (this.#count > 0) {
      let delta = (absSendTime - this.#lastRaw) & (ABS_SEND_TIME_RANGE - 1)
      if (delta >= ABS_SEND_TIME_RANGE / 2) delta -= ABS_SEND_TIME_RANGE
      const sendMs = this.#lastSendMs + delta / ABS_SEND_TIME_UNITS_PER_MS
      // Sent out of order (a resend) or after a pause: the cluster ends here.
      if (delta < 0 || sendMs - this.#lastSendMs > CLUSTER_GAP_MS) {
        closed = this.#close()
        this.#start(absSendTime, arrivalMs, size)
        return closed
      }
      if (arrivalMs - this.#lastArrivalMs > this.#maxArrivalGapMs) {
        this.#maxArrivalGapMs = arrivalMs - this.#lastArrivalMs
        this.#sendGapAtMaxMs = sendMs - this.#lastSendMs
      }
      this.#lastRaw = absSendTime
      this.#lastSendMs = sendMs
      this.#lastArrivalMs = arrivalMs
      this.#lastSize = size
      this.#bytes += size
      this.#count++
      return undefined
    }
    this.#start(absSendTime, arrivalMs, size)
    return undefined
  }

  #start(absSendTime: number, arrivalMs: number, size: number): void {
    this.#lastRaw = absSendTime
    // Send times relative to the cluster's first packet: no unwrapping beyond one 64 s period needed.
    this.#firstSendMs = 0
    this.#lastSendMs = 0
    this.#firstArrivalOfCluster = arrivalMs
    this.#lastArrivalMs = arrivalMs
    this.#maxArrivalGapMs = 0
    this.#sendGapAtMaxMs = 0
    this.#firstSize = size
    this.#lastSize = size
    this.#bytes = size
    this.#count = 1
  }

  /** The current cluster's rates, if it is long enough to time; it is then forgotten. */
  #close(): ProbeCluster | undefined {
    const count = this.#count
    this.#count = 0
    if (count < MIN_CLUSTER_PACKETS) return undefined
    const sendSpan = this.#lastSendMs - this.#firstSendMs
    if (sendSpan < MIN_CLUSTER_SPAN_MS) return undefined
    // Over a span, the bytes of all packets but the last were sent (but the first, arrived).
    const sendBps = ((this.#bytes - this.#lastSize) * 8 * 1000) / sendSpan
    const receiveSpan = this.#lastArrivalMs - this.#firstArrivalOfCluster
    // A bottleneck spreads a cluster's arrivals evenly; one wait of over half the span is the event loop
    // (or the machine) stalled in the middle of it (measured: a clean loopback read as 1165 of 1659 kbit/s
    // at load 5): its arrival rate is not measured.
    const stalled = this.#maxArrivalGapMs > receiveSpan / 2
    // A shorter stall is one wait far longer than the cluster's others (measured on the clean link, stop
    // 32: 13 ms among 31 waits of about 1 ms read 1658 of 1956 kbit/s and cut the estimate): the cluster
    // is timed without it, as if that pair had arrived as it was sent.
    const otherWaitsMs = (receiveSpan - this.#maxArrivalGapMs) / Math.max(1, count - 2)
    const loneWait = this.#maxArrivalGapMs > STALL_WAIT_FACTOR * otherWaitsMs + 1
    const span = loneWait ? receiveSpan - Math.max(0, this.#maxArrivalGapMs - this.#sendGapAtMaxMs) : receiveSpan
    const receiveBps = span < MIN_CLUSTER_SPAN_MS || stalled ? sendBps : Math.min(sendBps * 4, ((this.#bytes - this.#firstSize) * 8 * 1000) / span)
    return { sendBps: Math.round(sendBps), receiveBps: Math.round(receiveBps), packets: count }
  }
}

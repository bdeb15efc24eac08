// The lean receive side of a load participant. A subscriber in a room of N receives (N−1)·(audio +
// video) streams, so the generator as a whole receives exactly as many packets as the hub forwards;
// if each were SRTP-decrypted, parsed and routed through werift's receivers, the generator would cost
// about as much CPU as the hub it measures. The RTP header travels in the clear under SRTP, so the
// tap reads sequence, SSRC and payload type straight from the UDP payload and drops the packet: no
// decryption, no authentication check, no RtpPacket, no NACK/receiver-report machinery. RTCP (few
// packets: the hub's sender reports, PLIs to our own senders) still goes through werift's normal path.
// Two places count: at the socket (`tapProtocol`: RTP leaves before werift's STUN parse, its ICE and
// DTLS event layers and their per-packet promises) and, for whatever gets past it (a socket tapped late,
// a TURN relay), at the DTLS transport (`tapTransport`), so the counts are whole either way.
import type { Socket } from 'node:dgram'
import { RtcpPacketConverter, isMedia, isRtcp, type RTCDtlsTransport, type RTCPeerConnection } from 'werift'
import { VP8_PAYLOAD_TYPE } from '@parley/testkit'

/** A freeze: no packet of a received video stream for longer than this. */
export const FREEZE_GAP_MS = 500

export interface ReceivedStream {
  readonly ssrc: number
  readonly video: boolean
  packets: number
  lastAt: number
}

/** What one subscriber received, per forwarded SSRC, and the freezes seen while `measuring`. */
export class ReceiveCounter {
  readonly streams = new Map<number, ReceivedStream>()
  packets = 0
  /** Of `packets`, those counted at the DTLS transport because they got past the socket tap (cost, not loss). */
  pastSocketTap = 0
  /** Video frames completed (RTP marker bit on a video packet). */
  videoFrames = 0
  freezes = 0
  longestGapMs = 0
  private measuring = false

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** One RTP packet as it arrived (SRTP: the 12-byte header is readable as is). */
  onRtp(packet: Buffer): void {
    if (packet.length < 12) return
    const ssrc = packet.readUInt32BE(8)
    const at = this.now()
    this.packets += 1
    let stream = this.streams.get(ssrc)
    if (!stream) {
      stream = { ssrc, video: (packet[1]! & 0x7f) === VP8_PAYLOAD_TYPE, packets: 0, lastAt: at }
      this.streams.set(ssrc, stream)
    }
    if (this.measuring && stream.video) this.noteGap(at - stream.lastAt)
    if (stream.video && (packet[1]! & 0x80) !== 0) this.videoFrames += 1
    stream.packets += 1
    stream.lastAt = at
  }

  /** Streams (with at least `minPackets`) by kind. */
  count(kind: 'audio' | 'video', minPackets = 1): number {
    let found = 0
    for (const stream of this.streams.values()) if (stream.video === (kind === 'video') && stream.packets >= minPackets) found += 1
    return found
  }

  /** Starts a measurement window: gaps count from now, freezes and the longest gap restart at 0. */
  startWindow(): void {
    const at = this.now()
    for (const stream of this.streams.values()) stream.lastAt = at
    this.freezes = 0
    this.longestGapMs = 0
    this.measuring = true
  }

  /** Ends the window: a video stream silent since its last packet is a freeze too. */
  endWindow(): void {
    const at = this.now()
    for (const stream of this.streams.values()) if (stream.video) this.noteGap(at - stream.lastAt)
    this.measuring = false
  }

  private noteGap(gapMs: number): void {
    if (gapMs > FREEZE_GAP_MS) this.freezes += 1
    if (gapMs > this.longestGapMs) this.longestGapMs = gapMs
  }
}

/**
 * Replaces werift's SRTP receive loop of this transport (before DTLS completes) with the counting tap.
 * werift calls `startSrtp()` once DTLS is connected; ours keeps its bookkeeping (keys, srtpStarted)
 * and RTCP handling, and hands RTP to `counter` undecrypted.
 */
export function tapTransport(transport: RTCDtlsTransport, counter: ReceiveCounter): void {
  transport.startSrtp = function leanStartSrtp(this: RTCDtlsTransport) {
    if (this.srtpStarted) return
    this.srtpStarted = true
    this.updateSrtpSession()
    this.iceTransport.connection.onData.subscribe((data: Buffer) => {
      if (!isMedia(data)) return
      if (!isRtcp(data)) {
        counter.pastSocketTap += 1
        counter.onRtp(data)
        return
      }
      try {
        for (const rtcp of RtcpPacketConverter.deSerialize(this.srtcp.decrypt(data))) this.onRtcp.execute(rtcp)
      } catch {
        // werift drops undecryptable or malformed SRTCP the same way.
      }
    })
  }
}

/** What the socket tap needs of werift's ICE protocol (ice `StunProtocol`): its entry for every datagram of its socket. */
export interface DatagramProtocol {
  readonly type: string
  datagramReceived(data: Buffer, addr: unknown): void
}

const socketTapped = new WeakSet<DatagramProtocol>()

/**
 * Counts SRTP RTP where werift's UDP socket hands it over (`StunProtocol.datagramReceived`, called by the
 * socket's listener for each datagram), before its STUN parse, the ICE connection's and DTLS transport's
 * events (each `Event.execute` starts an async function: a promise and a microtask per packet) and the
 * DTLS transport's demultiplexing. STUN, DTLS and RTCP go on to werift untouched. Only plain UDP host
 * protocols: a TURN protocol's socket carries TURN framing, never bare RTP. Returns whether it tapped.
 */
export function tapProtocol(protocol: DatagramProtocol, counter: ReceiveCounter): boolean {
  if (protocol.type !== 'stun' || socketTapped.has(protocol)) return false
  socketTapped.add(protocol)
  const original = protocol.datagramReceived
  protocol.datagramReceived = function socketTap(this: DatagramProtocol, data: Buffer, addr: unknown) {
    if (isMedia(data) && !isRtcp(data)) counter.onRtp(data)
    else original.call(this, data, addr)
  }
  return true
}

/**
 * The kernel's default UDP receive buffer (rmem_default, 208 KiB) holds ≈ 90 full-size datagrams: at N = 32 a
 * subscriber receives ≈ 2,900 pkt/s, so a 35 ms stall of the generator's loop dropped packets at its own socket,
 * loss the table then charged to the hub. 4 MiB (the box's rmem_max; the kernel doubles it) rides out ≈ 1 s; `gen drops`
 * counts the rest.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 2 ** 20

function enlargeReceiveBuffer(protocol: DatagramProtocol): void {
  try {
    ;(protocol as unknown as { transport?: { socket?: Socket } }).transport?.socket?.setRecvBufferSize(RECEIVE_BUFFER_BYTES)
  } catch {
    // Not bound yet, or above rmem_max: the default buffer stays, and `gen drops` counts what it loses.
  }
}

/** Taps every DTLS transport the peer connection creates (they appear with the first local/remote description). */
export function tapPeerConnection(pc: RTCPeerConnection, counter: ReceiveCounter): { untapped(): number } {
  const seen = new Set<RTCDtlsTransport>()
  let late = 0
  const tapNew = () => {
    for (const transport of pc.dtlsTransports) {
      if (!seen.has(transport)) {
        seen.add(transport)
        if (transport.srtpStarted) late += 1
        else tapTransport(transport, counter)
      }
      // The ICE connection's sockets exist once gathering has begun; a protocol tapped twice is skipped.
      if (process.env.PARLEY_LOAD_SOCKET_TAP === '0') continue
      for (const protocol of (transport.iceTransport.connection as unknown as { protocols: DatagramProtocol[] }).protocols) {
        if (tapProtocol(protocol, counter)) enlargeReceiveBuffer(protocol)
      }
    }
  }
  pc.signalingStateChange.subscribe(tapNew)
  pc.connectionStateChange.subscribe(tapNew)
  pc.iceGatheringStateChange.subscribe(tapNew)
  pc.iceConnectionStateChange.subscribe(tapNew)
  return {
    /** Transports whose SRTP started before the tap could be installed (their RTP is not counted). */
    untapped: () => late + pc.dtlsTransports.filter((transport) => !seen.has(transport) && transport.srtpStarted).length,
  }
}

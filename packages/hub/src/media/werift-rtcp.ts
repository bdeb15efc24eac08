// The RTCP the werift plane's forwarder sends publishers, built and sent here: REMBs (the estimate of
// feedback.ts), PLIs (when KeyframeRequests or a simulcast layer decides) and NACKs relayed for subscribers
// (nack-recovery.ts; werift's receiver NACKs publishers itself too). Each goes out only on a DTLS transport
// that is up; a send that fails is logged at debug (the peer is going, and its own state says so).
import { GenericNack, PictureLossIndication, ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, RtcpTransportLayerFeedback } from 'werift'
import type { RTCRtpTransceiver, RtcpPacket } from 'werift'
import { messageOf } from '@parley/protocol'
import type { Logger } from '../log.js'
import { rembMantissaExponent } from './remb.js'
import type { ForwarderCounters, Source } from './werift-forwarder-types.js'
import type { Layer } from './werift-simulcast.js'

/** Whether the transceiver's DTLS transport can carry RTCP now. */
export function dtlsUp(transceiver: RTCRtpTransceiver): boolean {
  return transceiver.dtlsTransport?.state === 'connected'
}

/** Sends `packets` on the transceiver's transport (callers check dtlsUp first). */
export function sendRtcp(transceiver: RTCRtpTransceiver, packets: RtcpPacket[], log: Logger, what: string, fields: Record<string, unknown> = {}): void {
  transceiver.dtlsTransport.sendRtcp(packets).catch((error: unknown) => {
    log('debug', `sending ${what} failed`, { ...fields, error: messageOf(error) })
  })
}

/** One REMB at `estimate` bit/s for a publisher's video `ssrcs`. */
export function rembPacket(senderSsrc: number, ssrcs: number[], estimate: number): RtcpPayloadSpecificFeedback {
  const { mantissa, exponent } = rembMantissaExponent(estimate)
  const remb = new ReceiverEstimatedMaxBitrate({
    senderSsrc,
    mediaSsrc: 0,
    ssrcNum: ssrcs.length,
    brMantissa: mantissa,
    brExp: exponent,
    bitrate: BigInt(mantissa) << BigInt(exponent),
    ssrcFeedbacks: ssrcs,
  })
  return new RtcpPayloadSpecificFeedback({ feedback: remb })
}

/**
 * One PLI for a publisher's `mediaSsrc`. Sent directly rather than through receiver.sendRtcpPLI, which
 * stays silent unless the publisher's offer listed "nack pli" for the codec.
 */
export function pliPacket(senderSsrc: number, mediaSsrc: number): RtcpPayloadSpecificFeedback {
  return new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc, mediaSsrc }) })
}

/** One generic NACK (RTPFB FMT 1) to a publisher for its `mediaSsrc`'s sequence numbers `lost`. */
export function nackPacket(senderSsrc: number, mediaSsrc: number, lost: number[]): RtcpTransportLayerFeedback {
  return new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc, mediaSourceSsrc: mediaSsrc, lost }) })
}

/** One REMB to the publisher of `sources` (its video tracks), if its DTLS is up and an SSRC is known. */
export function sendRemb(sources: Source[], estimate: number, counters: ForwarderCounters, log: Logger): void {
  const ssrcs = sources
    .flatMap((source) => (source.simulcast ? source.simulcast.layers.map((layer) => layer.ssrc) : [source.ssrc ?? source.transceiver.receiver.track.ssrc]))
    .filter((ssrc): ssrc is number => ssrc !== undefined)
  const first = sources[0]!
  if (ssrcs.length === 0 || !dtlsUp(first.transceiver)) return
  counters.rembSent++
  sendRtcp(first.transceiver, [rembPacket(first.transceiver.sender.ssrc, ssrcs, estimate)], log, 'a REMB')
}

/**
 * One PLI now (KeyframeRequests decides when); false when it cannot go: no SSRC, or no DTLS yet.
 * Simulcast: `layers` are the layers asked (all of them for the source's own requests, e.g. a new subscriber's).
 */
export function sendPli(source: Source, layers: readonly Layer[] | undefined, counters: ForwarderCounters, log: Logger): boolean {
  const mediaSsrcs = (layers ? layers.map((layer) => layer.ssrc) : [source.ssrc ?? source.transceiver.receiver.track.ssrc]).filter((ssrc): ssrc is number => ssrc !== undefined)
  if (mediaSsrcs.length === 0 || !dtlsUp(source.transceiver)) return false
  counters.keyframeRequestsSent++
  log('debug', 'keyframe requested', { clientId: source.published.clientId, trackId: source.published.trackId, rids: layers?.map((layer) => layer.rid) })
  const senderSsrc = source.transceiver.sender.ssrc
  sendRtcp(source.transceiver, mediaSsrcs.map((ssrc) => pliPacket(senderSsrc, ssrc)), log, 'a PLI', { trackId: source.published.trackId })
  return true
}

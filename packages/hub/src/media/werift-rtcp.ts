// The RTCP the werift plane's forwarder sends publishers, built and sent here: REMBs (the estimate of
// feedback.ts) and, when the hub NACKs publishers itself (werift-publisher-nacks.ts), its NACKs. Each
// goes out only on a DTLS transport that is up; a send that fails is logged at debug (the peer is
// going, and its own state says so).
import { GenericNack, ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, RtcpTransportLayerFeedback } from 'werift'
import type { RTCRtpTransceiver, RtcpPacket } from 'werift'
import { messageOf } from '@parley/protocol'
import type { Clock } from '../clock.js'
import type { Logger } from '../log.js'
import { rembMantissaExponent } from './bandwidth.js'
import { PublisherNacks } from './werift-publisher-nacks.js'

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
 * The hub's NACKs for a video track whose publisher negotiated them, with werift's receiver NackHandler
 * silenced (it NACKs every 5 ms; werift-publisher-nacks.ts says why). Undefined when the track has none.
 */
export function hubPublisherNacks(
  transceiver: RTCRtpTransceiver,
  mediaSsrc: () => number | undefined,
  deps: { clock: Clock; log: Logger; onSent: () => void },
): PublisherNacks | undefined {
  const receiver = transceiver.receiver as unknown as { nackEnabled?: unknown; nack?: { close(): void; addPacket(packet: unknown): void }; rtcpSsrc?: number }
  if (!receiver.nackEnabled || !receiver.nack) return undefined
  receiver.nack.close()
  receiver.nack.addPacket = () => undefined
  return new PublisherNacks({
    clock: deps.clock,
    send: (lost) => {
      const ssrc = mediaSsrc()
      if (ssrc === undefined || !dtlsUp(transceiver)) return
      deps.onSent()
      const nack = new GenericNack({ senderSsrc: receiver.rtcpSsrc ?? transceiver.sender.ssrc, mediaSourceSsrc: ssrc, lost })
      sendRtcp(transceiver, [new RtcpTransportLayerFeedback({ feedback: nack })], deps.log, 'a NACK')
    },
  })
}

// The default of --max-subscribed-tracks-per-client is chosen so that the hub's offer to a subscriber stays
// under the protocol's SDP limit (hub.ts, subscriptionSlots.ts). This builds that offer with werift and the
// hub's own peer configuration, in the worst shape the caps allow: every forwarded track a video m-line with
// header extensions, the subscriber's own 8 tracks, the data channel, and host candidates on every m-line.
import { MAX_SDP_LENGTH } from '@parley/protocol'
import { resolveIceConfig, weriftPeerConfig } from '@parley/werift-config'
import { MediaStream, RTCPeerConnection, RTCRtpHeaderExtensionParameters, RTP_EXTENSION_URI } from 'werift'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../hub.js'

/** A 16-byte id as the hub and browsers make them (base64url, 22 characters) and a UUID (36). */
const streamId = (n: number) => `stream-${String(n).padStart(15, '0')}`
const trackId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
/** A host candidate line as werift writes it, per m-line and address (two addresses: a LAN hub with IPv4 and IPv6). */
const CANDIDATE_LINE = 'a=candidate:0123456789abcdef0123456789abcdef 1 udp 2130706431 2001:0db8:0000:0000:0000:ff00:0042:8329 65535 typ host\r\n'

describe('the hub offer to a subscriber at the track caps', () => {
  it('stays under the protocol SDP limit', async () => {
    const pc = new RTCPeerConnection(weriftPeerConfig(resolveIceConfig(undefined)))
    try {
      // The subscriber's own publish (its offer made these recvonly on our side).
      for (let i = 0; i < DEFAULT_LIMITS.maxTracksPerClient; i++) pc.addTransceiver(i === 0 ? 'audio' : 'video', { direction: 'recvonly' })
      pc.createDataChannel('parley.chat')
      const extensions = [RTP_EXTENSION_URI.sdesMid, RTP_EXTENSION_URI.absSendTime, RTP_EXTENSION_URI.transportWideCC, RTP_EXTENSION_URI.sdesRTPStreamID, RTP_EXTENSION_URI.repairedRtpStreamId]
      for (let i = 0; i < DEFAULT_LIMITS.maxSubscribedTracksPerClient; i++) {
        const transceiver = pc.addTransceiver('video', { direction: 'sendonly', streams: [new MediaStream({ id: streamId(i) })] })
        Object.defineProperty(transceiver.sender, 'trackId', { value: trackId(i), writable: true, configurable: true })
        transceiver.headerExtensions = extensions.map((uri, index) => new RTCRtpHeaderExtensionParameters({ id: index + 1, uri }))
      }
      const offer = await pc.createOffer()
      const mLines = offer.sdp.split('\r\nm=').length - 1
      const withCandidates = offer.sdp.length + mLines * 2 * CANDIDATE_LINE.length
      console.log(
        `hub offer at the caps (${DEFAULT_LIMITS.maxSubscribedTracksPerClient} forwarded + ${DEFAULT_LIMITS.maxTracksPerClient} own tracks): ${mLines} m-lines, ` +
          `${offer.sdp.length} characters, ${withCandidates} with 2 host candidates per m-line; limit ${MAX_SDP_LENGTH}`,
      )
      expect(mLines).toBe(DEFAULT_LIMITS.maxSubscribedTracksPerClient + DEFAULT_LIMITS.maxTracksPerClient + 1)
      expect(withCandidates).toBeLessThan(MAX_SDP_LENGTH)
    } finally {
      await pc.close()
    }
  })
})

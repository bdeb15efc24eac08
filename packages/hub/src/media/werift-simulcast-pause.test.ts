// Paused rids in the hub's descriptions to a simulcast publisher (werift-simulcast-pause.ts): the SDP
// rewrite itself, and through a real werift plane whose client is a werift peer connection offering three
// rids (its offers and answers read and passed on as a browser's would be; no candidates: no packet sent).
import { afterEach, describe, expect, it } from 'vitest'
import { MediaStream, RTCPeerConnection, useSdesMid, useSdesRTPStreamId } from 'werift'
import { loopbackWeriftConfig } from '@parley/werift-config'
import type { Answer, Offer } from '@parley/protocol'
import { createWeriftMediaPlane, type WeriftMediaPlane } from './werift.js'
import type { MediaPeer, MediaPeerHandlers } from './types.js'
import { parseMediaSections } from './werift-sdp.js'
import { pausedRidsOf, pauseRids } from './werift-simulcast-pause.js'

/** A video m-section as werift writes one it receives simulcast on (trailing space included), then an audio one. */
const HUB_OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:1',
  'a=recvonly',
  'a=rid:high recv',
  'a=rid:mid recv',
  'a=rid:low recv',
  'a=simulcast:recv high;mid;low ',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:2',
  'a=sendonly',
  '',
].join('\r\n')

/** The a=simulcast line of the m-section with this mid. */
function simulcastLine(sdp: string, mid: string): string | undefined {
  const section = sdp.split(/\r\n(?=m=)/).find((text) => text.includes(`\r\na=mid:${mid}\r\n`))
  return section?.split('\r\n').find((line) => line.startsWith('a=simulcast:'))
}

describe('pauseRids', () => {
  it('marks the named rids of the named m-section paused and changes nothing else', () => {
    const paused = pauseRids(HUB_OFFER, new Map([['1', new Set(['mid', 'low'])]]))
    expect(simulcastLine(paused, '1')).toBe('a=simulcast:recv high;~mid;~low')
    // Only that line: the a=rid lines keep the plain names (RFC 8853 puts `~` in a=simulcast only).
    expect(paused.split('\r\n').filter((line, index) => line !== HUB_OFFER.split('\r\n')[index])).toEqual(['a=simulcast:recv high;~mid;~low'])
    expect(paused).toContain('a=rid:mid recv\r\n')
  })

  it('returns the description as it was for no paused rid, another mid, or a section without simulcast', () => {
    expect(pauseRids(HUB_OFFER, new Map())).toBe(HUB_OFFER)
    expect(pauseRids(HUB_OFFER, new Map([['7', new Set(['mid'])]]))).toBe(HUB_OFFER)
    expect(pauseRids(HUB_OFFER, new Map([['2', new Set(['mid'])]]))).toBe(HUB_OFFER)
  })

  it('pauses within alternatives, leaves a send list and an already paused rid as they are, and keeps \\n line ends', () => {
    const sdp = 'v=0\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:0\na=simulcast:send x;y recv a,b;~c;d\n'
    expect(pauseRids(sdp, new Map([['0', new Set(['b', 'd', 'x'])]]))).toBe('v=0\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:0\na=simulcast:send x;y recv a,~b;~c;~d\n')
  })
})

describe('pausedRidsOf', () => {
  it('reads the rids a description sends paused, by mid', () => {
    const offer = 'v=0\r\nm=video 9 X 96\r\na=mid:0\r\na=simulcast:send ~low;~mid;high\r\nm=video 9 X 96\r\na=mid:1\r\na=simulcast:send a;b\r\nm=audio 9 X 111\r\na=mid:2\r\n'
    expect(pausedRidsOf(offer)).toEqual(new Map([['0', new Set(['low', 'mid'])]]))
    // The recv list is the other side's: not read.
    expect(pausedRidsOf('m=video 9 X 96\r\na=mid:0\r\na=simulcast:recv ~low;high\r\n')).toEqual(new Map())
  })
})

describe('the werift plane with a simulcast publisher', () => {
  let plane: WeriftMediaPlane | undefined
  let client: RTCPeerConnection | undefined
  afterEach(async () => {
    await client?.close()
    await plane?.close()
    client = plane = undefined
  })

  const noop = () => undefined
  const handlers: MediaPeerHandlers = {
    onIceCandidate: noop,
    onTrackPublished: noop,
    onTrackUnpublished: noop,
    onConnectionStateChange: noop,
    onNegotiationNeeded: noop,
    onDataChannelMessage: noop,
    onVideoPaused: noop,
  }
  /** Without candidates both sides keep their ICE to themselves: the test sends no packet. */
  const withoutCandidates = (sdp: string) =>
    sdp
      .split('\r\n')
      .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
      .join('\r\n')

  /** The client's offer of one video track in rids high/mid/low, `paused` written `~` as a browser does for inactive encodings. */
  async function publish(paused: readonly string[]): Promise<{ peer: MediaPeer; mid: string; trackId: string; answer: Answer }> {
    plane = createWeriftMediaPlane({ log: noop })
    const peer = plane.createPeer({ roomId: 'room', clientId: 'alice', handlers })
    const config = loopbackWeriftConfig()
    config.headerExtensions = { audio: [useSdesMid()], video: [useSdesMid(), useSdesRTPStreamId()] }
    client = new RTCPeerConnection(config)
    client.addTransceiver('video', {
      direction: 'sendonly',
      streams: [new MediaStream({ id: 'alice-camera' })],
      simulcast: ['high', 'mid', 'low'].map((rid) => ({ rid, direction: 'send' as const })),
    })
    const local = await client.createOffer()
    await client.setLocalDescription(local)
    const sdp = withoutCandidates(local.sdp).replace(/^a=simulcast:send .*$/m, `a=simulcast:send ${['high', 'mid', 'low'].map((rid) => (paused.includes(rid) ? `~${rid}` : rid)).join(';')}`)
    const answer = await peer.handleOffer({ type: 'offer', sdp })
    await client.setRemoteDescription({ type: 'answer', sdp: withoutCandidates(answer.sdp) })
    const [video] = parseMediaSections(sdp)
    return { peer, mid: video!.mid!, trackId: video!.msid!.trackId, answer }
  }

  /** The hub's next offer, answered by the client. */
  async function hubOffer(peer: MediaPeer): Promise<Offer> {
    const offer = await peer.createOffer()
    await client!.setRemoteDescription({ type: 'offer', sdp: withoutCandidates(offer.sdp) })
    const answer = await client!.createAnswer()
    await client!.setLocalDescription(answer)
    await peer.handleAnswer({ type: 'answer', sdp: withoutCandidates(answer.sdp) })
    return offer
  }

  it('offers the layers the publisher said it stopped as paused, and plain again once it names them', async () => {
    const { peer, mid, trackId, answer } = await publish([])
    expect(simulcastLine(answer.sdp, mid)).toBe('a=simulcast:recv high;mid;low ')
    expect(simulcastLine((await hubOffer(peer)).sdp, mid)).toBe('a=simulcast:recv high;mid;low ')

    peer.publisherLayers(trackId, ['high'])
    const paused = await hubOffer(peer)
    expect(simulcastLine(paused.sdp, mid)).toBe('a=simulcast:recv high;~mid;~low')
    expect(paused.sdp).toContain('a=rid:mid recv\r\n')
    // Every offer until the publisher says otherwise.
    expect(simulcastLine((await hubOffer(peer)).sdp, mid)).toBe('a=simulcast:recv high;~mid;~low')

    peer.publisherLayers(trackId, ['high', 'mid'])
    expect(simulcastLine((await hubOffer(peer)).sdp, mid)).toBe('a=simulcast:recv high;mid;~low')
    peer.publisherLayers(trackId, ['high', 'mid', 'low'])
    expect(simulcastLine((await hubOffer(peer)).sdp, mid)).toBe('a=simulcast:recv high;mid;low ')
  })

  it("answers the rids the client's offer paused as paused", async () => {
    const { mid, answer } = await publish(['mid', 'low'])
    expect(simulcastLine(answer.sdp, mid)).toBe('a=simulcast:recv high;~mid;~low')
  })
})

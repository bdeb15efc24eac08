import { describe, expect, it } from 'vitest'
import { type PeerConfig, RTCPeerConnection } from 'werift'
import { FORWARDED_CODECS } from '@parley/protocol'
import { loopbackWeriftConfig, resolveIceConfig, weriftPeerConfig } from './index.js'

type PairFilter = NonNullable<PeerConfig['iceFilterCandidatePair']>
type StunFilter = NonNullable<PeerConfig['iceFilterStunResponse']>

describe('loopbackWeriftConfig', () => {
  const config = loopbackWeriftConfig()

  it('has no ICE servers and uses IPv4 UDP on 127.0.0.1 only', () => {
    expect(config.iceServers).toEqual([])
    // Neither family from the machine's interfaces: the host candidates are iceAdditionalHostAddresses.
    expect(config.iceUseIpv4).toBe(false)
    expect(config.iceUseIpv6).toBe(false)
    expect(config.iceUseTcp).toBe(false)
    expect(config.iceInterfaceAddresses).toEqual({ udp4: '127.0.0.1' })
    expect(config.iceAdditionalHostAddresses).toEqual(['127.0.0.1'])
    expect(config.bundlePolicy).toBe('max-bundle')
  })

  it("gathers one host candidate, on 127.0.0.1, whatever the machine's other interfaces", async () => {
    // Can fail only on a machine with a non-loopback IPv4 interface (werift then listed its address too).
    const pc = new RTCPeerConnection(config)
    try {
      pc.addTransceiver('audio', { direction: 'recvonly' })
      await pc.setLocalDescription(await pc.createOffer())
      const hosts = (pc.localDescription?.sdp ?? '').split('\r\n').filter((line) => line.startsWith('a=candidate')).map((line) => line.split(' ')[4])
      expect(hosts).toEqual(['127.0.0.1'])
    } finally {
      await pc.close()
    }
  })

  it('pins VP8 to 96 and opus to 111 with sdes:mid only (no abs-send-time from a werift sender)', () => {
    expect(config.codecs?.video?.map((c) => [c.mimeType, c.payloadType])).toEqual([['video/VP8', 96]])
    expect(config.codecs?.audio?.map((c) => [c.mimeType.toLowerCase(), c.payloadType])).toEqual([['audio/opus', 111]])
    expect(config.headerExtensions?.audio?.map((e) => e.uri)).toEqual(['urn:ietf:params:rtp-hdrext:sdes:mid'])
    expect(config.headerExtensions?.video?.map((e) => e.uri)).toEqual(['urn:ietf:params:rtp-hdrext:sdes:mid'])
  })

  it("negotiates exactly the protocol's FORWARDED_CODECS, which the core's receive slots offer", () => {
    const hub = weriftPeerConfig(resolveIceConfig(undefined))
    const negotiated = [...(hub.codecs?.audio ?? []), ...(hub.codecs?.video ?? [])].map((codec) => codec.mimeType.toLowerCase())
    expect(negotiated).toEqual(FORWARDED_CODECS)
  })

  it("is the hub's configuration, which adds abs-send-time on video and transport-cc on both", () => {
    const twcc = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
    const hub = weriftPeerConfig(resolveIceConfig(undefined))
    expect(hub.headerExtensions?.audio?.map((e) => e.uri)).toEqual(['urn:ietf:params:rtp-hdrext:sdes:mid', 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', twcc])
    expect(hub.headerExtensions?.video?.map((e) => e.uri)).toEqual(['urn:ietf:params:rtp-hdrext:sdes:mid', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', twcc])
    const rembOnly = weriftPeerConfig(resolveIceConfig(undefined), { transportCc: false })
    expect(rembOnly.headerExtensions?.audio?.map((e) => e.uri)).toEqual(['urn:ietf:params:rtp-hdrext:sdes:mid', 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'])
    expect(rembOnly.headerExtensions?.video?.map((e) => e.uri)).toEqual(['urn:ietf:params:rtp-hdrext:sdes:mid', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'])
  })

  it('keeps only candidate pairs and STUN answers with 127.0.0.1', () => {
    const pairFilter = config.iceFilterCandidatePair as PairFilter
    const stunFilter = config.iceFilterStunResponse as StunFilter
    const pair = (host: string) => ({ remoteCandidate: { host } }) as unknown as Parameters<PairFilter>[0]
    expect(pairFilter(pair('127.0.0.1'))).toBe(true)
    expect(pairFilter(pair('192.168.1.10'))).toBe(false)
    const stun = (host: string) => stunFilter(undefined as unknown as Parameters<StunFilter>[0], [host, 5000], 'udp' as unknown as Parameters<StunFilter>[2])
    expect(stun('127.0.0.1')).toBe(true)
    expect(stun('10.0.0.1')).toBe(false)
  })

  it('is the hub configuration on that one address but for abs-send-time, so test participants negotiate what the hub does', () => {
    const hub = weriftPeerConfig(resolveIceConfig({ hostAddresses: ['127.0.0.1'] }))
    expect({ ...config, iceFilterCandidatePair: undefined, iceFilterStunResponse: undefined, headerExtensions: undefined }).toEqual({
      ...hub,
      iceFilterCandidatePair: undefined,
      iceFilterStunResponse: undefined,
      headerExtensions: undefined,
    })
  })
})

describe('resolveIceConfig', () => {
  it('defaults to 127.0.0.1 for binding and remote addresses, with no ICE servers', () => {
    expect(resolveIceConfig(undefined)).toEqual({ hostAddresses: ['127.0.0.1'], allowedRemoteAddresses: ['127.0.0.1'], iceServers: [] })
  })

  it('refuses a port range that is not two ports min < max', () => {
    expect(() => resolveIceConfig({ portRange: [5000, 4000] })).toThrow(/min < max/)
    expect(resolveIceConfig({ portRange: [40000, 40100] }).portRange).toEqual([40000, 40100])
  })
})

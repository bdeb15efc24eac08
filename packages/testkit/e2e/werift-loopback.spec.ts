// The Node participant kit end to end: two werift peers with `loopbackWeriftConfig()` connect over
// 127.0.0.1 only, and the synthetic camera/microphone's RTP arrives at the other side with its
// sequence numbers intact. Runs only in a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RTCPeerConnection, type MediaStreamTrack, type RtpPacket } from 'werift'
import { assertLoopbackOnly } from '../src/loopback.js'
import { pollUntil } from '../src/poll.js'
import { createSyntheticMedia, isVp8KeyFramePayload } from '../src/synthetic-media.js'
import { loopbackWeriftConfig } from '@parley/werift-config'

describe('werift peers on loopback with synthetic media', () => {
  const peers: RTCPeerConnection[] = []
  const media = createSyntheticMedia()

  beforeAll(() => {
    assertLoopbackOnly()
  })

  afterAll(async () => {
    media.stop()
    await Promise.all(peers.map((peer) => peer.close()))
  })

  it('connects through 127.0.0.1 host candidates and delivers opus and VP8 RTP', async () => {
    const sender = new RTCPeerConnection(loopbackWeriftConfig())
    const receiver = new RTCPeerConnection(loopbackWeriftConfig())
    peers.push(sender, receiver)
    const candidates: string[] = []
    sender.onIceCandidate.subscribe((candidate) => {
      if (candidate) {
        candidates.push(candidate.candidate ?? '')
        void receiver.addIceCandidate(candidate)
      }
    })
    receiver.onIceCandidate.subscribe((candidate) => {
      if (candidate) {
        candidates.push(candidate.candidate ?? '')
        void sender.addIceCandidate(candidate)
      }
    })
    const received = new Map<string, RtpPacket[]>()
    receiver.onTrack.subscribe((track: MediaStreamTrack) => {
      const packets: RtpPacket[] = []
      received.set(track.kind, packets)
      track.onReceiveRtp.subscribe((packet) => packets.push(packet))
    })

    const stream = await media.getUserMedia({ audio: true, video: true })
    for (const track of stream.getTracks()) sender.addTransceiver(track, { direction: 'sendonly', streams: [stream] })
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription!)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription!)

    await pollUntil(() => sender.connectionState === 'connected' && receiver.connectionState === 'connected', {
      timeoutMs: 15_000,
      description: 'both werift peers to connect',
    })
    const [audio, video] = await pollUntil(
      () => {
        const audioPackets = received.get('audio') ?? []
        const videoPackets = received.get('video') ?? []
        return audioPackets.length >= 25 && videoPackets.length >= 16 ? ([audioPackets, videoPackets] as const) : undefined
      },
      { timeoutMs: 15_000, description: 'RTP from the synthetic tracks' },
    )

    // Every candidate either side offered is a 127.0.0.1 host candidate.
    const sdpCandidates = [sender.localDescription!.sdp, receiver.localDescription!.sdp]
      .flatMap((sdp) => sdp.split('\r\n').filter((line) => line.startsWith('a=candidate:')).map((line) => line.slice(2)))
    for (const candidate of [...candidates, ...sdpCandidates].filter(Boolean)) {
      expect(candidate).toMatch(/ 127\.0\.0\.1 \d+ typ host/)
    }
    expect(sdpCandidates.length + candidates.length).toBeGreaterThan(0)
    // Payload types as negotiated (Chrome's numbers) and no gap in what arrived.
    expect(audio.every((packet) => packet.header.payloadType === 111)).toBe(true)
    expect(video.every((packet) => packet.header.payloadType === 96 && packet.header.marker)).toBe(true)
    const gaps = (packets: readonly RtpPacket[]) =>
      packets.slice(1).filter((packet, i) => packet.header.sequenceNumber !== ((packets[i]!.header.sequenceNumber + 1) & 0xffff)).length
    expect(gaps(audio)).toBe(0)
    expect(gaps(video)).toBe(0)
    // Packets sent before DTLS connected are dropped; the periodic key frame (every 15 frames) arrives.
    expect(video.some((packet) => isVp8KeyFramePayload(packet.payload))).toBe(true)

    media.stop()
    expect(media.activeTimers).toBe(0)
  })
})

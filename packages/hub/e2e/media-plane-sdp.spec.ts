// The werift plane refuses client SDPs that werift itself would apply but never connect with (a garbage
// fingerprint, an unknown DTLS role, an SSRC over 32 bits), and the same peer then takes the real offer.
// Run inside a loopback-only namespace (see packages/testkit/src/loopback.ts).
import { afterAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, pollUntil } from '@parley/testkit'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import { createParticipant, type Participant } from './support/werift-participant.js'

describe('werift media plane: unusable client SDPs', () => {
  const plane = createWeriftMediaPlane({ log: () => undefined })
  let participant: Participant | undefined

  afterAll(async () => {
    await participant?.close()
    await plane.close()
  })

  it('rejects each with the reason, then answers and connects the genuine offer', async () => {
    assertLoopbackOnly()
    participant = await createParticipant('mangler')
    const peer = plane.createPeer({
      roomId: 'sdp',
      clientId: 'mangler',
      handlers: {
        onIceCandidate: (candidate) => void participant?.pc.addIceCandidate(candidate).catch(() => undefined),
        onTrackPublished: () => undefined,
        onTrackUnpublished: () => undefined,
        onConnectionStateChange: () => undefined,
        onNegotiationNeeded: () => undefined,
        onDataChannelMessage: () => undefined,
        onVideoPaused: () => undefined,
      },
    })
    participant.onCandidate = (candidate) => void peer.addIceCandidate(candidate).catch(() => undefined)
    await participant.pc.setLocalDescription(await participant.pc.createOffer())
    const sdp = participant.pc.localDescription?.sdp ?? ''
    expect(sdp).toMatch(/^a=fingerprint:sha-256 /m)
    expect(sdp).toMatch(/^a=ssrc:\d+ /m)
    const mangled = {
      fingerprint: sdp.replace(/^a=fingerprint:.*$/m, 'a=fingerprint:sha-256 not:a:fingerprint'),
      setup: sdp.replace(/^a=setup:.*$/m, 'a=setup:bogus'),
      ssrc: sdp.replace(/^a=ssrc:\d+/m, 'a=ssrc:99999999999'),
    }
    await expect(peer.handleOffer({ type: 'offer', sdp: mangled.fingerprint })).rejects.toThrow(/unusable fingerprint/)
    await expect(peer.handleOffer({ type: 'offer', sdp: mangled.setup })).rejects.toThrow(/a=setup:bogus/)
    await expect(peer.handleOffer({ type: 'offer', sdp: mangled.ssrc })).rejects.toThrow(/SSRC 99999999999/)
    expect(peer.signalingState).toBe('stable')
    const answer = await peer.handleOffer({ type: 'offer', sdp })
    await participant.pc.setRemoteDescription(answer)
    await pollUntil(() => peer.connectionState === 'connected', { description: 'the genuine offer connects' })
  })
})

// The real-WebRTC test without a browser: the hub on 127.0.0.1:0 with the werift media plane, two Node
// participants (werift RTCPeerConnection + synthetic opus/VP8) joining over the real HTTP + SSE API
// as the SDK does. Each receives the other's RTP under the publisher's stream id; when one leaves, a
// hub offer stops the other's forwarded transceivers. Run inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, pollUntil } from '@parley/testkit'
import { pathFor } from '@parley/protocol'
import { startHub, type RunningHub } from '../src/index.js'
import { createWeriftMediaPlane, type WeriftMediaPlane } from '../src/media/werift.js'
import { call, joinHub, type HubParticipant } from './support/hub-participant.js'
import type { ReceivedTrack } from './support/werift-participant.js'

function receivedFrom(subscriber: HubParticipant, publisher: HubParticipant): ReceivedTrack[] {
  return subscriber.media.received.filter((r) => r.streamId === publisher.media.streamId)
}

describe('hub over HTTP + SSE with two werift participants on loopback', () => {
  let hub: RunningHub
  let plane: WeriftMediaPlane
  let roomId: string
  let alice: HubParticipant
  let bob: HubParticipant
  const figures: Record<string, number> = {}

  beforeAll(async () => {
    assertLoopbackOnly()
    plane = createWeriftMediaPlane({})
    hub = await startHub({ host: '127.0.0.1', port: 0, quiet: true, mediaPlane: plane })
    const created = await call(hub.url, 'POST', pathFor('createRoom', {}), { name: 'node-webrtc' })
    expect(created.status).toBe(201)
    roomId = (created.body.data as { id: string }).id
  })

  afterAll(async () => {
    await alice?.close()
    await bob?.close()
    await hub?.close()
    console.info('[node-webrtc figures]', JSON.stringify(figures))
  })

  it('joins two participants, publishes, and each receives the other under the publisher stream id', async () => {
    const started = performance.now()
    alice = await joinHub(hub.url, roomId, 'alice')
    await alice.negotiate()
    bob = await joinHub(hub.url, roomId, 'bob')
    await bob.negotiate()

    for (const [subscriber, publisher] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const tracks = await pollUntil(() => {
        const received = receivedFrom(subscriber, publisher)
        return received.length === 2 && received.every((r) => r.packets >= 10) ? received : undefined
      }, { description: `${subscriber.name} receiving ${publisher.name}'s audio and video`, timeoutMs: 30_000 })
      expect(tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video'])
      expect(tracks.map((t) => [...t.payloadTypes]).sort()).toEqual([[111], [96]])
      // tracks_available named the same ids the subscriber receives (MSID stream and track ids).
      for (const track of tracks) {
        const announced = subscriber.available.get(track.msidTrackId ?? '')
        expect(announced?.client_id).toBe(publisher.clientId)
        expect(announced?.stream_id).toBe(publisher.media.streamId)
        expect(announced?.kind).toBe(track.kind)
      }
    }
    figures.joinToBothReceivingMs = Math.round(performance.now() - started)
    figures.packetsForwarded = plane.stats().packetsForwarded
    // The hub asked both publishers for keyframes (subscription answered / subscriber connected).
    expect(alice.media.plisForOwnVideo.length).toBeGreaterThan(0)
    expect(bob.media.plisForOwnVideo.length).toBeGreaterThan(0)
  })

  it("a participant's leave makes a hub offer that stops the other's forwarded transceivers", async () => {
    const fromBob = receivedFrom(alice, bob)
    expect(fromBob).toHaveLength(2)
    const offersBefore = alice.offersAnswered
    const left = performance.now()
    await bob.leave()
    await pollUntil(() => bob.left, { description: 'bob receiving `left`' })
    await pollUntil(() => fromBob.every((r) => r.transceiver.stopped && r.track.readyState === 'ended'), {
      description: "bob's tracks ended at alice after a hub offer",
      timeoutMs: 30_000,
    })
    figures.leaveToTracksEndedMs = Math.round(performance.now() - left)
    // The track ends when alice applies her answer; the hub has it once PUT negotiate returned.
    await pollUntil(() => alice.offersAnswered > offersBefore, { description: "alice's answer accepted by the hub" })
    expect(plane.stats().subscriptions).toBe(0)
    expect(plane.stats().publishedTracks).toBe(2)
    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})

// Receive slots on the werift plane, over real loopback connections (no HTTP): a newcomer subscribed
// before its first offer, whose offer has recvonly m-lines, gets the publisher's media in the hub's answer.
// Its held keyframe goes once the newcomer's own SRTP is up, and no server offer is needed for it.
// Run inside a loopback-only namespace (see packages/testkit/src/loopback.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, pollUntil } from '@parley/testkit'
import type { Logger } from '../src/log.js'
import { guardMediaPlane } from '../src/media/boundary.js'
import { createWeriftMediaPlane, type WeriftMediaPlane } from '../src/media/werift.js'
import type { MediaPeer, MediaPeerHandlers, PublishedTrack } from '../src/media/types.js'
import { createParticipant, type Participant } from './support/werift-participant.js'

interface Side {
  readonly participant: Participant
  readonly peer: MediaPeer
  readonly published: PublishedTrack[]
  negotiationNeeded: number
  /** Candidates both ways wait for this (ICE cannot start before); `connect()` lets them through. */
  connect(): void
}

const lines: { msg: string; fields?: Record<string, unknown>; at: number }[] = []
const log: Logger = (_level, msg, fields) => void lines.push({ msg, ...(fields ? { fields } : {}), at: performance.now() })

async function join(plane: WeriftMediaPlane, name: string, receiveSlots: boolean): Promise<Side> {
  const participant = await createParticipant(name, { receiveSlots })
  const held: (() => void)[] = []
  let open = false
  const whenOpen = (run: () => void) => (open ? run() : void held.push(run))
  const connect = () => {
    open = true
    for (const run of held.splice(0)) run()
  }
  const side = { participant, published: [] as PublishedTrack[], negotiationNeeded: 0, connect } as unknown as Side
  const handlers: MediaPeerHandlers = {
    onIceCandidate: (candidate) =>
      whenOpen(() =>
        void participant.pc
          .addIceCandidate({ candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? undefined, sdpMLineIndex: candidate.sdpMLineIndex ?? undefined })
          .catch(() => undefined),
      ),
    onTrackPublished: (track) => side.published.push(track),
    onTrackUnpublished: () => undefined,
    onConnectionStateChange: () => undefined,
    onNegotiationNeeded: () => void (side.negotiationNeeded += 1),
    onDataChannelMessage: () => undefined,
    onVideoPaused: () => undefined,
  }
  const peer = guardMediaPlane(plane, log).createPeer({ roomId: 'room-slots', clientId: name, handlers })
  Object.assign(side, { peer })
  participant.onCandidate = (candidate) => whenOpen(() => void peer.addIceCandidate(candidate).catch(() => undefined))
  return side
}

/** The candidates go separately (trickled, behind the side's `connect`), not in the answer. */
async function clientNegotiates(side: Side): Promise<string> {
  const offer = await side.participant.pc.createOffer()
  await side.participant.pc.setLocalDescription(offer)
  const answer = await side.peer.handleOffer({ type: 'offer', sdp: withoutCandidates(side.participant.pc.localDescription!.sdp) })
  await side.participant.pc.setRemoteDescription({ type: 'answer', sdp: withoutCandidates(answer.sdp) })
  return answer.sdp
}

const withoutCandidates = (sdp: string) =>
  sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n')

describe('receive slots: the publisher in the answer to a newcomer', () => {
  let plane: WeriftMediaPlane
  let alice: Side
  let bob: Side

  beforeAll(() => {
    assertLoopbackOnly()
    plane = createWeriftMediaPlane({ log })
  })

  afterAll(async () => {
    await alice?.participant.close()
    await bob?.participant.close()
    await plane?.close()
  })

  it('forwards both tracks on the slots, the video from a keyframe, without a server offer', async () => {
    alice = await join(plane, 'alice', false)
    alice.connect()
    await clientNegotiates(alice)
    await pollUntil(() => alice.published.length === 2 && alice.peer.connectionState === 'connected', { description: 'alice publishing and connected' })

    bob = await join(plane, 'bob', true)
    // As the room does for a joining client whose offer has receive slots (tracks.ts `receiving`).
    for (const track of alice.published) bob.peer.subscribe(track)
    const subscribedAt = performance.now()
    const answer = await clientNegotiates(bob)
    const video = alice.published.find((track) => track.kind === 'video')!
    expect(answer).toContain(`a=msid:${video.streamId} ${video.trackId}`)
    // Bob connects once alice's keyframe, asked for at the subscription, is at the hub: it is held for bob
    // until bob's own SRTP is up, and is the first video bob gets.
    await pollUntil(() => lines.some((line) => line.msg === 'keyframe arrived' && line.fields?.clientId === 'alice' && line.at > subscribedAt), {
      timeoutMs: 10_000,
      description: "alice's keyframe at the hub",
    })
    bob.connect()

    await pollUntil(() => bob.participant.received.length === 2 && bob.participant.received.every((r) => r.packets > 10), {
      timeoutMs: 15_000,
      description: 'bob receiving both of alice’s tracks on its slots',
      seen: () => JSON.stringify(bob.participant.received.map((r) => [r.kind, r.packets])),
    })
    const seen = bob.participant.received.find((r) => r.kind === 'video')!
    expect(seen.streamId).toBe(video.streamId)
    expect(seen.msidTrackId).toBe(video.trackId)
    // The first video packet bob got begins a keyframe: the held one, sent once bob's SRTP was up.
    expect(seen.firstPacketKeyframe).toBe(true)
    expect(lines.some((line) => line.msg === 'held keyframe forwarded' && line.fields?.clientId === 'bob')).toBe(true)
    expect(bob.negotiationNeeded).toBe(0)
    expect(bob.peer.signalingState).toBe('stable')
  })
})

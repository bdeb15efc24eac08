// The werift media plane against two real werift participants on loopback, without HTTP: client
// offers, trickled candidates, forwarding with the publisher's MSID, the PLI routing workaround,
// unsubscribe and publisher close through server offers, data channels, and a clean close.
// Run inside a loopback-only namespace (see packages/testkit/src/loopback.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageOf } from '@parley/protocol'
import { assertLoopbackOnly, pollUntil } from '@parley/testkit'
import type { Logger, LogLevel } from '../src/log.js'
import { guardMediaPlane } from '../src/media/boundary.js'
import { createWeriftMediaPlane, type WeriftMediaPlane } from '../src/media/werift.js'
import { KEYFRAME_REQUEST_INTERVAL_MS } from '../src/media/werift-keyframe-requests.js'
import type { MediaPeer, MediaPeerHandlers, PeerConnectionState, PublishedTrack } from '../src/media/types.js'
import { createParticipant, ssrcOfMid, type Participant, type ReceivedTrack } from './support/werift-participant.js'

interface Side {
  readonly participant: Participant
  readonly peer: MediaPeer
  readonly published: PublishedTrack[]
  readonly unpublished: PublishedTrack[]
  readonly states: PeerConnectionState[]
  readonly messages: { label: string; data: string | Uint8Array }[]
  negotiationNeeded: number
  candidateErrors: unknown[]
  /** Makes onDataChannelMessage throw after recording, to prove handler errors stay contained. */
  throwOnMessage: boolean
}

const problems: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = []
const log: Logger = (level, msg, fields) => {
  if (level === 'warn' || level === 'error') problems.push({ level, msg, fields })
}

async function join(plane: WeriftMediaPlane, name: string, options: { dataChannel?: string } = {}): Promise<Side> {
  const participant = await createParticipant(name, options)
  const side = {
    participant,
    published: [],
    unpublished: [],
    states: [],
    messages: [],
    negotiationNeeded: 0,
    candidateErrors: [],
    throwOnMessage: false,
  } as unknown as Side
  const handlers: MediaPeerHandlers = {
    onIceCandidate: (candidate) => {
      const init = {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        usernameFragment: candidate.usernameFragment ?? undefined,
      }
      participant.pc.addIceCandidate(init).catch((error: unknown) => side.candidateErrors.push(error))
    },
    onTrackPublished: (track) => side.published.push(track),
    onTrackUnpublished: (track) => side.unpublished.push(track),
    onConnectionStateChange: (state) => side.states.push(state),
    onNegotiationNeeded: () => {
      side.negotiationNeeded += 1
    },
    onDataChannelMessage: (label, data) => {
      side.messages.push({ label, data })
      if (side.throwOnMessage) throw new Error('expected handler failure')
    },
    onVideoPaused: () => undefined,
  }
  // Behind the interface's exception guard, as the hub puts every plane.
  const peer = guardMediaPlane(plane, log).createPeer({ roomId: 'room-e2e', clientId: name, handlers })
  Object.assign(side, { peer })
  participant.onCandidate = (candidate) => {
    peer.addIceCandidate(candidate).catch((error: unknown) => side.candidateErrors.push(error))
  }
  return side
}

/** Client offer → hub answer, as PUT negotiate does. */
async function clientNegotiates(side: Side): Promise<void> {
  const offer = await side.participant.pc.createOffer()
  await side.participant.pc.setLocalDescription(offer)
  const local = side.participant.pc.localDescription
  if (!local) throw new Error('no local offer')
  const answer = await side.peer.handleOffer({ type: 'offer', sdp: local.sdp })
  expect(answer.type).toBe('answer')
  await side.participant.pc.setRemoteDescription(answer)
}

/** Hub offer (SSE `offer`) → client answer (PUT negotiate). Returns the offer's SDP. */
async function hubNegotiates(side: Side): Promise<string> {
  expect(side.peer.signalingState).toBe('stable')
  const offer = await side.peer.createOffer()
  expect(side.peer.signalingState).toBe('have-local-offer')
  await side.participant.pc.setRemoteDescription(offer)
  const answer = await side.participant.pc.createAnswer()
  await side.participant.pc.setLocalDescription(answer)
  const local = side.participant.pc.localDescription
  if (!local) throw new Error('no local answer')
  await side.peer.handleAnswer({ type: 'answer', sdp: local.sdp })
  expect(side.peer.signalingState).toBe('stable')
  return offer.sdp
}

function receivedFrom(side: Side, track: PublishedTrack): ReceivedTrack {
  const entry = side.participant.received.find((r) => r.msidTrackId === track.trackId)
  if (!entry) throw new Error(`${side.participant.name} has no transceiver for ${track.trackId}`)
  return entry
}

describe('werift media plane with two werift participants on loopback', () => {
  let plane: WeriftMediaPlane
  let alice: Side
  let bob: Side
  let resourcesBefore: string[]
  const figures: Record<string, number> = {}

  beforeAll(() => {
    assertLoopbackOnly()
    resourcesBefore = process.getActiveResourcesInfo()
    plane = createWeriftMediaPlane({ log })
  })

  afterAll(async () => {
    await alice?.participant.close()
    await bob?.participant.close()
    await plane?.close()
    console.info('[media-plane figures]', JSON.stringify(figures))
  })

  it('answers client offers, trickles candidates, connects and reports published tracks with their MSID', async () => {
    alice = await join(plane, 'alice', { dataChannel: 'client-probe' })
    bob = await join(plane, 'bob')
    // Opened before the first offer: created once alice's offer (with m=application) is applied.
    alice.peer.openDataChannel('chat', true)
    bob.peer.openDataChannel('chat', true)

    const started = performance.now()
    await clientNegotiates(alice)
    figures.firstAnswerMs = Math.round(performance.now() - started)
    const second = performance.now()
    await clientNegotiates(bob)
    figures.secondAnswerMs = Math.round(performance.now() - second)

    await pollUntil(() => alice.peer.connectionState === 'connected' && bob.peer.connectionState === 'connected', {
      description: 'both hub peers connected',
    })
    expect(alice.states).toContain('connected')
    expect(bob.states).toContain('connected')

    for (const side of [alice, bob]) {
      await pollUntil(() => side.published.length === 2, { description: `${side.participant.name}'s two tracks` })
      const { participant } = side
      expect(side.published.map((t) => t.kind).sort()).toEqual(['audio', 'video'])
      for (const track of side.published) {
        expect(track.clientId).toBe(participant.name)
        expect(track.streamId).toBe(participant.streamId)
        const sender = track.kind === 'audio' ? participant.audio.sender : participant.video.sender
        expect(track.trackId).toBe(sender.trackId)
      }
      expect(side.candidateErrors).toEqual([])
    }
    expect(plane.stats().publishedTracks).toBe(4)
  })

  it('forwards each publisher to the other subscriber under the publisher MSID, SSRC and PT of the hub offer', async () => {
    const subscribed = performance.now()
    for (const track of bob.published) alice.peer.subscribe(track)
    for (const track of alice.published) bob.peer.subscribe(track)
    // Idempotent: a second subscribe changes nothing.
    for (const track of bob.published) alice.peer.subscribe(track)
    await pollUntil(() => alice.negotiationNeeded > 0 && bob.negotiationNeeded > 0, { description: 'negotiation needed' })

    const offers = new Map<Side, string>()
    offers.set(alice, await hubNegotiates(alice))
    offers.set(bob, await hubNegotiates(bob))
    // bob had no m=application in his first offer: the chat channel rode on the hub offer. werift (as
    // the client here) starts SCTP only while connecting, so kick it the way the hub does for itself.
    const bobSctp = bob.participant.pc.sctpTransport
    const bobSctpPort = bob.participant.pc.sctpRemotePort
    if (bobSctp && bobSctpPort) await bobSctp.start(bobSctpPort)

    for (const [subscriber, publisher] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const offer = offers.get(subscriber) ?? ''
      for (const track of publisher.published) {
        const received = await pollUntil(() => {
          const entry = subscriber.participant.received.find((r) => r.msidTrackId === track.trackId)
          return entry && entry.packets >= 10 ? entry : undefined
        }, { description: `${subscriber.participant.name} receiving ${publisher.participant.name}'s ${track.kind}` })
        expect(received.kind).toBe(track.kind)
        expect(received.streamId).toBe(publisher.participant.streamId)
        const mid = received.transceiver.mid
        expect(mid).not.toBeNull()
        const announced = ssrcOfMid(offer, mid ?? '')
        expect(announced).toBeDefined()
        expect([...received.ssrcs]).toEqual([announced])
        expect([...received.payloadTypes]).toEqual([track.kind === 'audio' ? 111 : 96])
      }
    }
    const firstPacket = Math.min(
      ...alice.participant.received.map((r) => r.firstPacketAt ?? Number.POSITIVE_INFINITY),
      ...bob.participant.received.map((r) => r.firstPacketAt ?? Number.POSITIVE_INFINITY),
    )
    figures.subscribeToFirstForwardedRtpMs = Math.round(firstPacket - subscribed)
    expect(plane.stats().subscriptions).toBe(4)

    // Steady forwarding over a 3 s window: every packet a publisher sends reaches its one subscriber
    // (rates depend on machine load, the ratio does not), and the process CPU meanwhile.
    const before = plane.stats()
    const cpu = process.cpuUsage()
    const windowStart = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const elapsed = (performance.now() - windowStart) / 1000
    const used = process.cpuUsage(cpu)
    const after = plane.stats()
    const received = after.packetsReceived - before.packetsReceived
    const forwarded = after.packetsForwarded - before.packetsForwarded
    figures.receivedPacketsPerSecond = Math.round(received / elapsed)
    figures.forwardedPacketsPerSecond = Math.round(forwarded / elapsed)
    figures.processCpuPercentOfOneCore = Math.round(((used.user + used.system) / 1e6 / elapsed) * 1000) / 10
    // 4 published streams (2 × audio at 50 pps + 2 × video at 30 pps), one subscriber each.
    expect(received).toBeGreaterThan(100)
    expect(forwarded).toBeGreaterThanOrEqual(received - 4)
    // All of it through the fast send (werift-fast-send.ts): the payload types checked above are its headers.
    expect(after.packetsForwardedByWerift - before.packetsForwardedByWerift).toBe(0)
  })

  it('asks the publisher for a keyframe when a subscription is answered, and routes a subscriber PLI to it', async () => {
    // The hub's own requests (subscription answered, subscriber connected) reached both publishers.
    await pollUntil(() => alice.participant.plisForOwnVideo.length > 0 && bob.participant.plisForOwnVideo.length > 0, {
      description: 'PLIs from the hub to both publishers',
    })
    const bobsVideo = bob.published.find((t) => t.kind === 'video')
    if (!bobsVideo) throw new Error('bob publishes no video')
    const seenByAlice = receivedFrom(alice, bobsVideo)
    // Wait until no PLI has reached bob for longer than the coalescing window (a trailing PLI of the hub's
    // own asks comes within it: polled, since a late timer on a loaded machine outlasts any fixed wait),
    // then send a PLI as Chrome does (sender SSRC = alice's own outgoing video, which the hub registered
    // as a receiver: werift's router misroutes exactly this).
    const quietMs = KEYFRAME_REQUEST_INTERVAL_MS + 80
    const sinceLastPli = () => performance.now() - (bob.participant.plisForOwnVideo.at(-1) ?? Number.NEGATIVE_INFINITY)
    await pollUntil(() => sinceLastPli() >= quietMs, {
      description: `no PLI reaching bob for ${quietMs} ms`,
      intervalMs: 20,
      seen: () => `${bob.participant.plisForOwnVideo.length} PLIs, the last ${Math.round(sinceLastPli())} ms ago`,
    })
    const plisBefore = bob.participant.plisForOwnVideo.length
    const subscriberRequestsBefore = plane.stats().subscriberKeyframeRequests
    const sentAt = performance.now()
    await alice.participant.sendChromeStylePli(seenByAlice)
    await pollUntil(() => bob.participant.plisForOwnVideo.length > plisBefore, {
      description: "alice's PLI reaching bob",
      intervalMs: 10,
    })
    figures.subscriberPliToPublisherMs = Math.round((bob.participant.plisForOwnVideo.at(-1) ?? sentAt) - sentAt)
    // Counted as the hub reads the PLI: polled up to one more than before, then asserted exactly one more.
    await pollUntil(() => plane.stats().subscriberKeyframeRequests > subscriberRequestsBefore, {
      timeoutMs: 5_000,
      description: "the hub counting alice's PLI",
      seen: () => `${plane.stats().subscriberKeyframeRequests} subscriber keyframe requests, ${subscriberRequestsBefore} before`,
    })
    expect(plane.stats().subscriberKeyframeRequests).toBe(subscriberRequestsBefore + 1)
  })

  it('carries data-channel messages both ways on server-created channels', async () => {
    bob.throwOnMessage = true
    for (const side of [alice, bob]) {
      const channel = await pollUntil(() => {
        const found = side.participant.channels.get('chat')
        return found?.readyState === 'open' ? found : undefined
      }, { description: `${side.participant.name}'s chat channel open` })
      channel.send(`hello from ${side.participant.name}`)
      await pollUntil(() => side.messages.some((m) => m.label === 'chat' && m.data === `hello from ${side.participant.name}`), {
        description: `hub receiving ${side.participant.name}'s message`,
      })
      side.peer.sendDataChannelMessage('chat', `welcome ${side.participant.name}`)
      await pollUntil(() => side.participant.messages.some((m) => m.label === 'chat' && m.data === `welcome ${side.participant.name}`), {
        description: `${side.participant.name} receiving the hub's message`,
      })
    }
    // bob's handler threw: logged, contained, and the channel keeps working.
    expect(problems.some((p) => p.msg === 'handler onDataChannelMessage threw')).toBe(true)
    bob.participant.channels.get('chat')?.send('still there')
    await pollUntil(() => bob.messages.some((m) => m.data === 'still there'), { description: 'a message after the failure' })
    bob.throwOnMessage = false
  })

  it('unsubscribe plus a hub offer stops the subscriber transceiver and ends its track', async () => {
    const bobsVideo = bob.published.find((t) => t.kind === 'video')
    if (!bobsVideo) throw new Error('bob publishes no video')
    const received = receivedFrom(alice, bobsVideo)
    expect(received.track.readyState).toBe('live')
    const needed = alice.negotiationNeeded
    alice.peer.unsubscribe(bobsVideo)
    alice.peer.unsubscribe(bobsVideo) // idempotent
    await pollUntil(() => alice.negotiationNeeded === needed + 1, { description: 'negotiation needed after unsubscribe' })
    const started = performance.now()
    const offer = await hubNegotiates(alice)
    expect(offer).toMatch(/m=video 0 /)
    expect(received.transceiver.stopped).toBe(true)
    expect(received.track.readyState).toBe('ended')
    figures.unsubscribeRenegotiationMs = Math.round(performance.now() - started)
    // bob's audio still flows to alice.
    const bobsAudio = bob.published.find((t) => t.kind === 'audio')
    if (!bobsAudio) throw new Error('bob publishes no audio')
    const audio = receivedFrom(alice, bobsAudio)
    const packets = audio.packets
    await pollUntil(() => audio.packets > packets + 10, { description: "bob's audio still reaching alice" })
  })

  it('a client offer that inactivates a sending m-line unpublishes the track; sending again republishes it', async () => {
    const alicesAudio = alice.published.find((t) => t.kind === 'audio')
    if (!alicesAudio) throw new Error('alice publishes no audio')
    const atBob = receivedFrom(bob, alicesAudio)
    const needed = bob.negotiationNeeded
    alice.participant.audio.setDirection('inactive')
    await clientNegotiates(alice)
    await pollUntil(() => alice.unpublished.some((t) => t.trackId === alicesAudio.trackId), {
      description: "alice's audio unpublished",
    })
    expect(alice.unpublished).toEqual([alicesAudio])
    // The plane ended bob's forwarding of it by itself: bob needs a hub offer that stops the m-line.
    await pollUntil(() => bob.negotiationNeeded === needed + 1, { description: 'negotiation needed at bob' })
    await hubNegotiates(bob)
    expect(atBob.transceiver.stopped).toBe(true)
    expect(atBob.track.readyState).toBe('ended')

    const publishedBefore = alice.published.length
    alice.participant.audio.setDirection('sendonly')
    await clientNegotiates(alice)
    await pollUntil(() => alice.published.length === publishedBefore + 1, { description: "alice's audio published again" })
    expect(alice.published.at(-1)).toEqual(alicesAudio)
  })

  it('a closing publisher ends its forwardings; close releases everything', async () => {
    const bobsAudio = bob.published.find((t) => t.kind === 'audio')
    if (!bobsAudio) throw new Error('bob publishes no audio')
    const audio = receivedFrom(alice, bobsAudio)
    const needed = alice.negotiationNeeded
    await bob.peer.close()
    await bob.peer.close() // idempotent
    expect(bob.peer.connectionState).toBe('closed')
    expect(bob.peer.signalingState).toBe('closed')
    // The room logic also unsubscribes; after the plane already did, that must be a no-op.
    alice.peer.unsubscribe(bobsAudio)
    await pollUntil(() => alice.negotiationNeeded === needed + 1, { description: 'negotiation needed after bob left' })
    await hubNegotiates(alice)
    expect(audio.transceiver.stopped).toBe(true)
    expect(audio.track.readyState).toBe('ended')
    expect(plane.stats().publishedTracks).toBe(2)
    expect(plane.stats().subscriptions).toBe(0)

    // A malformed candidate is a clear rejection, never a crash; an empty one is ignored.
    await expect(alice.peer.addIceCandidate({ candidate: 'candidate:garbage' })).rejects.toThrow(/malformed ICE candidate/)
    await expect(alice.peer.addIceCandidate({ candidate: '' })).resolves.toBeUndefined()
    // Unusable SDP is a clear rejection and leaves the negotiated session alone.
    await expect(alice.peer.handleOffer({ type: 'offer', sdp: 'v=0\r\nthis is not sdp\r\n' })).rejects.toThrow(/no media section/)
    expect(alice.peer.signalingState).toBe('stable')
    expect(alice.peer.connectionState).toBe('connected')
    // Out-of-order signalling is refused without touching the session.
    const answerSdp = alice.participant.pc.currentLocalDescription?.sdp ?? ''
    await expect(alice.peer.handleAnswer({ type: 'answer', sdp: answerSdp })).rejects.toThrow(/no server offer awaits an answer/)
    const pending = await alice.peer.createOffer()
    await expect(alice.peer.createOffer()).rejects.toThrow(/signaling state stable/)
    await alice.participant.pc.setRemoteDescription(pending)
    await alice.participant.pc.setLocalDescription(await alice.participant.pc.createAnswer())
    await alice.peer.handleAnswer({ type: 'answer', sdp: alice.participant.pc.localDescription?.sdp ?? '' })
    expect(alice.peer.signalingState).toBe('stable')

    await alice.participant.close()
    await bob.participant.close()
    await plane.close()
    expect(alice.peer.connectionState).toBe('closed')
    expect(alice.peer.signalingState).toBe('closed')
    expect(plane.stats().peers).toBe(0)
    expect(plane.stats().publishedTracks).toBe(0)

    // No sockets or timers left behind by werift or the plane (the process can exit).
    const count = (list: string[], kind: string) => list.filter((r) => r === kind).length
    await pollUntil(() => count(process.getActiveResourcesInfo(), 'UDPWRAP') <= count(resourcesBefore, 'UDPWRAP'), {
      description: 'UDP sockets released',
    })
    await pollUntil(() => count(process.getActiveResourcesInfo(), 'Timeout') <= count(resourcesBefore, 'Timeout'), {
      description: `timers released (now ${JSON.stringify(process.getActiveResourcesInfo())})`,
      timeoutMs: 10_000,
    })
    expect(problems.filter((p) => p.level === 'error' && messageOf(p.fields?.error) !== 'expected handler failure')).toEqual([])
  })
})

// The media-plane conformance suite: what the room logic relies on from any MediaPlane, checked
// through the interface alone. It runs against the fake plane (fakeMediaPlane.test.ts, unit) and the
// werift plane (e2e/media-plane-conformance.spec.ts, real WebRTC on loopback); a second implementation
// passes it before the hub may use it. A testbed supplies the plane and a client that plays the remote
// side of each peer (SDP, candidates, data channels) for that implementation.
import type { Answer, IceCandidate, Offer } from '@parley/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import type { MediaPeer, MediaPlane, PeerConnectionState, PublishedTrack } from '../media/types.js'

export type TrackKind = 'audio' | 'video'

/** The remote side of one peer, for one implementation. */
export interface ConformanceClient {
  /** The MSID stream id of the tracks this client sends. */
  readonly streamId: string
  /** The MSID track id of the track of this kind this client sends. */
  trackId(kind: TrackKind): string
  /**
   * The client's offer, sending one track of each kind in `publish` (kinds it sent before and not now
   * become inactive); with `dataChannel`, the offer has an m=application.
   */
  offer(publish: readonly TrackKind[], options?: { dataChannel?: boolean }): Promise<Offer>
  /** Applies the plane's answer to the client's last offer. */
  accept(answer: Answer): Promise<void>
  /** Answers a server offer. */
  answer(offer: Offer): Promise<Answer>
  /** A candidate of the plane's peer (its `onIceCandidate`). */
  addCandidate(candidate: IceCandidate): Promise<void>
  /** Brings the connection up as far as the client can (the plane's peer reports `connected`). */
  connect(): Promise<void>
  /** MSID track ids of the tracks this client currently receives. */
  receiving(): string[]
  /**
   * RTP packets received on the track with this MSID track id that the client could decrypt and parse,
   * for a testbed whose client carries media (`describeMediaPlaneConformance`'s `media` option).
   */
  packetsReceived?(trackId: string): number
  /** Sends on the client's data channel with this label, once it is open. */
  send(label: string, data: string): Promise<void>
  /** Messages the client received on its channel with this label. */
  received(label: string): string[]
  /** An offer this implementation refuses (malformed for it). */
  unusableOffer(): Offer
  close(): Promise<void>
}

export interface MediaPlaneTestbed {
  createPlane(): MediaPlane
  createClient(peer: MediaPeer, name: string): Promise<ConformanceClient>
  /** How long to wait for something asynchronous. */
  timeoutMs: number
}

/** What a peer's handlers were told, in order. */
interface Recorded {
  readonly published: PublishedTrack[]
  readonly unpublished: PublishedTrack[]
  readonly states: PeerConnectionState[]
  readonly messages: { label: string; data: string | Uint8Array }[]
  negotiationNeeded: number
  /** The change numbers onNegotiationNeeded gave, in order. */
  readonly changes: number[]
  calls: number
}

interface Joined {
  readonly name: string
  readonly peer: MediaPeer
  readonly client: ConformanceClient
  readonly seen: Recorded
}

/**
 * `media`: the plane forwards real RTP and the testbed's client implements `packetsReceived`, so the
 * suite also checks what arrives, not only what the SDP says (the fake plane forwards nothing).
 */
export function describeMediaPlaneConformance(
  implementation: string,
  createTestbed: () => MediaPlaneTestbed,
  options: { media?: boolean } = {},
): void {
  describe(`media-plane conformance: ${implementation}`, () => {
    let testbed: MediaPlaneTestbed
    let plane: MediaPlane | undefined
    const clients: ConformanceClient[] = []

    afterEach(async () => {
      for (const client of clients.splice(0)) await client.close()
      await plane?.close()
      plane = undefined
    })

    const start = () => {
      testbed = createTestbed()
      plane = testbed.createPlane()
      return plane
    }

    const until = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + testbed.timeoutMs
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    /** Lets handler calls already queued run. */
    const settled = () => new Promise((resolve) => setTimeout(resolve, 20))

    async function join(on: MediaPlane, name: string): Promise<Joined> {
      const seen: Recorded = { published: [], unpublished: [], states: [], messages: [], negotiationNeeded: 0, changes: [], calls: 0 }
      // The plane's candidates wait here until the client exists.
      const remote: { client?: ConformanceClient; early: IceCandidate[] } = { early: [] }
      const peer = on.createPeer({
        roomId: 'conformance',
        clientId: name,
        handlers: {
          onIceCandidate: (candidate) => {
            seen.calls++
            if (remote.client) remote.client.addCandidate(candidate).catch(() => undefined)
            else remote.early.push(candidate)
          },
          onTrackPublished: (track) => void (seen.calls++, seen.published.push(track)),
          onTrackUnpublished: (track) => void (seen.calls++, seen.unpublished.push(track)),
          onConnectionStateChange: (state) => void (seen.calls++, seen.states.push(state)),
          onNegotiationNeeded: (change) => void (seen.calls++, seen.negotiationNeeded++, seen.changes.push(change)),
          onDataChannelMessage: (label, data) => void (seen.calls++, seen.messages.push({ label, data })),
          onVideoPaused: () => void seen.calls++,
        },
      })
      const client = await testbed.createClient(peer, name)
      remote.client = client
      clients.push(client)
      for (const candidate of remote.early.splice(0)) await client.addCandidate(candidate)
      return { name, peer, client, seen }
    }

    /** The client's offer, answered by the plane, the answer applied by the client. */
    async function clientOffers(side: Joined, publish: readonly TrackKind[], options?: { dataChannel?: boolean }): Promise<void> {
      const answer = await side.peer.handleOffer(await side.client.offer(publish, options))
      expect(answer.type).toBe('answer')
      await side.client.accept(answer)
    }

    /** A server offer, answered by the client. */
    async function planeOffers(side: Joined): Promise<void> {
      const offer = await side.peer.createOffer()
      expect(offer.type).toBe('offer')
      expect(side.peer.signalingState).toBe('have-local-offer')
      await side.peer.handleAnswer(await side.client.answer(offer))
      expect(side.peer.signalingState).toBe('stable')
    }

    async function publisher(on: MediaPlane, name: string): Promise<Joined> {
      const side = await join(on, name)
      await clientOffers(side, ['audio', 'video'])
      await until(() => side.seen.published.length === 2, `${name}'s two tracks`)
      return side
    }

    const videoOf = (side: Joined) => side.seen.published.find((track) => track.kind === 'video')!
    const audioOf = (side: Joined) => side.seen.published.find((track) => track.kind === 'audio')!

    /** A fresh plane: alice publishes audio and video, bob has offered (sending nothing). */
    async function pair(): Promise<{ on: MediaPlane; alice: Joined; bob: Joined }> {
      const on = start()
      const alice = await publisher(on, 'alice')
      const bob = await join(on, 'bob')
      await clientOffers(bob, [])
      await settled()
      return { on, alice, bob }
    }

    /** Runs `change`, waits for the negotiation it makes `side` need, and returns how many it asked for. */
    async function negotiationNeededBy(side: Joined, change: () => void | Promise<void>, what: string): Promise<number> {
      const before = side.seen.negotiationNeeded
      await change()
      await until(() => side.seen.negotiationNeeded > before, `negotiation needed after ${what}`)
      await settled()
      return side.seen.negotiationNeeded - before
    }

    /** `side` subscribes to `tracks` and receives them through a server offer. */
    async function receive(side: Joined, tracks: PublishedTrack[]): Promise<void> {
      await negotiationNeededBy(side, () => tracks.forEach((track) => side.peer.subscribe(track)), 'subscribing')
      await planeOffers(side)
    }

    it("answers a client offer and reports each track it sends once, later, under the client's MSID", async () => {
      const alice = await join(start(), 'alice')
      await clientOffers(alice, ['audio', 'video'])
      expect(alice.peer.signalingState).toBe('stable')
      await until(() => alice.seen.published.length === 2, 'two published tracks')
      await settled()
      const byKind = [...alice.seen.published].sort((a, b) => a.kind.localeCompare(b.kind))
      expect(byKind).toEqual([
        { clientId: 'alice', kind: 'audio', streamId: alice.client.streamId, trackId: alice.client.trackId('audio') },
        { clientId: 'alice', kind: 'video', streamId: alice.client.streamId, trackId: alice.client.trackId('video') },
      ])
    })

    it('calls handlers later, never inside the call that caused them', async () => {
      const { alice, bob } = await pair()
      const before = bob.seen.negotiationNeeded
      bob.peer.subscribe(videoOf(alice))
      expect(bob.seen.negotiationNeeded).toBe(before)
      await until(() => bob.seen.negotiationNeeded === before + 1, 'negotiation needed after subscribe')
    })

    it("forwards a subscribed track under its publisher's MSID through a server offer; subscribe is idempotent and skips own tracks", async () => {
      const { alice, bob } = await pair()
      const video = videoOf(alice)
      const asked = await negotiationNeededBy(bob, () => {
        bob.peer.subscribe(video)
        bob.peer.subscribe(video)
        alice.peer.subscribe(video)
      }, 'subscribing twice')
      expect(asked).toBe(1)
      expect(alice.seen.negotiationNeeded).toBe(0)
      await planeOffers(bob)
      expect(bob.client.receiving()).toEqual([video.trackId])
      // One server offer at a time.
      const pending = await bob.peer.createOffer()
      await expect(bob.peer.createOffer()).rejects.toThrow()
      await bob.peer.handleAnswer(await bob.client.answer(pending))
      expect(bob.client.receiving()).toEqual([video.trackId])
    })

    if (options.media) {
      // The signalling can be right while no packet is usable (an SRTP or header-rewrite fault in the
      // forwarder): the subscriber must decrypt and parse the forwarded audio and video.
      it("delivers a subscribed track's RTP to the subscriber, decryptable, under the publisher's MSID track id", async () => {
        const { alice, bob } = await pair()
        await receive(bob, [videoOf(alice), audioOf(alice)])
        await alice.client.connect()
        await bob.client.connect()
        const packets = (trackId: string) => bob.client.packetsReceived?.(trackId) ?? 0
        await until(() => packets(videoOf(alice).trackId) >= 20 && packets(audioOf(alice).trackId) >= 20, "bob decrypting 20 of alice's video and 20 of her audio packets")
      })
    }

    // The negotiator owes an offer only for a change the last one did not carry (negotiation.ts): a worker
    // plane's signals can arrive after the offer that carries them is asked for.
    it('numbers its changes: an offer covers each change made before it, signalled before or after, and no later one', async () => {
      const { alice, bob } = await pair()
      bob.peer.subscribe(audioOf(alice))
      bob.peer.subscribe(videoOf(alice))
      const offer = await bob.peer.createOffer()
      await until(() => bob.seen.changes.length > 0, 'negotiation needed after subscribing')
      await settled()
      expect(Math.max(...bob.seen.changes)).toBeLessThanOrEqual(offer.covers)
      await bob.peer.handleAnswer(await bob.client.answer(offer))
      await settled()
      const before = bob.seen.changes.length
      await negotiationNeededBy(bob, () => bob.peer.unsubscribe(audioOf(alice)), 'unsubscribing')
      expect(Math.min(...bob.seen.changes.slice(before))).toBeGreaterThan(offer.covers)
      const next = await bob.peer.createOffer()
      expect(next.covers).toBeGreaterThanOrEqual(Math.max(...bob.seen.changes))
      await bob.peer.handleAnswer(await bob.client.answer(next))
    })

    it('ends a forwarding on unsubscribe through the next server offer; a second unsubscribe changes nothing', async () => {
      const { alice, bob } = await pair()
      await receive(bob, [videoOf(alice), audioOf(alice)])
      expect(bob.client.receiving().sort()).toEqual([audioOf(alice).trackId, videoOf(alice).trackId].sort())
      const asked = await negotiationNeededBy(bob, () => {
        bob.peer.unsubscribe(videoOf(alice))
        bob.peer.unsubscribe(videoOf(alice))
      }, 'unsubscribing twice')
      expect(asked).toBe(1)
      await planeOffers(bob)
      expect(bob.client.receiving()).toEqual([audioOf(alice).trackId])
    })

    it('unpublishes a track its client stops sending, and ends every forwarding of it', async () => {
      const { alice, bob } = await pair()
      const audio = audioOf(alice)
      await receive(bob, [audio])
      await negotiationNeededBy(bob, () => clientOffers(alice, ['video']), "alice's audio ended")
      await until(() => alice.seen.unpublished.length > 0, "alice's audio unpublished")
      expect(alice.seen.unpublished).toEqual([audio])
      await planeOffers(bob)
      expect(bob.client.receiving()).toEqual([])
    })

    it('refuses out-of-order and unusable signaling, and keeps the session', async () => {
      const alice = await publisher(start(), 'alice')
      await expect(alice.peer.handleAnswer({ type: 'answer', sdp: 'v=0\r\n' })).rejects.toThrow()
      await expect(alice.peer.handleOffer(alice.client.unusableOffer())).rejects.toThrow()
      expect(alice.peer.signalingState).toBe('stable')
      await clientOffers(alice, ['audio', 'video'])
      await settled()
      expect(alice.seen.published).toHaveLength(2)
      expect(alice.seen.unpublished).toHaveLength(0)
    })

    it('takes candidates before any description, and ignores the empty end-of-candidates', async () => {
      const alice = await join(start(), 'alice')
      await expect(alice.peer.addIceCandidate({ candidate: '' })).resolves.toBeUndefined()
      await expect(
        alice.peer.addIceCandidate({ candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 }),
      ).resolves.toBeUndefined()
      await clientOffers(alice, ['audio'])
      expect(alice.peer.signalingState).toBe('stable')
    })

    it("connects, creates data channels once the client's first offer is applied, and carries messages both ways", async () => {
      const on = start()
      const alice = await join(on, 'alice')
      const bob = await join(on, 'bob')
      alice.peer.openDataChannel('chat', true)
      bob.peer.openDataChannel('chat', true)
      await settled()
      // Before the first offer a channel waits for it: no server offer for it yet.
      expect([alice.seen.negotiationNeeded, bob.seen.negotiationNeeded]).toEqual([0, 0])
      await clientOffers(alice, ['audio'], { dataChannel: true })
      await clientOffers(bob, ['audio'])
      await alice.client.connect()
      await bob.client.connect()
      expect(alice.peer.connectionState).toBe('connected')
      expect(alice.seen.states).toContain('connected')
      // bob's offer had no m=application: only a server offer can carry the channel.
      await until(() => bob.seen.negotiationNeeded > 0, 'negotiation needed for the data channel')
      await planeOffers(bob)
      for (const side of [alice, bob]) {
        await side.client.send('chat', `hello from ${side.name}`)
        await until(() => side.seen.messages.some((m) => m.label === 'chat' && m.data === `hello from ${side.name}`), `${side.name}'s message`)
        side.peer.sendDataChannelMessage('chat', `welcome ${side.name}`)
        await until(() => side.client.received('chat').includes(`welcome ${side.name}`), `the plane's message to ${side.name}`)
      }
      expect(() => alice.peer.sendDataChannelMessage('nobody-opened-this', 'dropped')).not.toThrow()
      expect(alice.seen.negotiationNeeded).toBe(0)
    })

    it("closes a peer for good (idempotent, no handler afterwards), ends its tracks' forwardings, and the plane closes the rest", async () => {
      const { on, alice, bob } = await pair()
      await receive(bob, [videoOf(alice)])
      await settled()
      const bobBefore = bob.seen.negotiationNeeded
      const aliceCalls = alice.seen.calls
      await alice.peer.close()
      await alice.peer.close()
      expect(alice.peer.connectionState).toBe('closed')
      expect(alice.peer.signalingState).toBe('closed')
      alice.peer.subscribe(videoOf(alice))
      alice.peer.openDataChannel('late', true)
      await expect(alice.peer.handleOffer({ type: 'offer', sdp: 'v=0\r\n' })).rejects.toThrow()
      await until(() => bob.seen.negotiationNeeded > bobBefore, "negotiation needed at bob after alice's peer closed")
      await settled()
      expect(alice.seen.calls).toBe(aliceCalls)
      await planeOffers(bob)
      expect(bob.client.receiving()).toEqual([])
      await on.close()
      expect(bob.peer.connectionState).toBe('closed')
    })
  })
}

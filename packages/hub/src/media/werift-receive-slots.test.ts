// Receive slots (WeriftSubscriptions.fillReceiveSlots): a client's offer with recvonly m-lines gets the
// forwardings waiting for it in the hub's answer, under the publisher's MSID, instead of in a server offer
// after its DTLS is up. Through a real werift plane whose clients are werift peer connections (their offers
// and answers passed on as a browser's would be; no candidates: no packet is sent).
import { afterEach, describe, expect, it } from 'vitest'
import { MediaStream, RTCPeerConnection } from 'werift'
import { loopbackWeriftConfig } from '@parley/werift-config'
import { createWeriftMediaPlane, type WeriftMediaPlane } from './werift.js'
import type { MediaPeer, MediaPeerHandlers, PublishedTrack } from './types.js'
import { parseMediaSections } from './werift-sdp.js'

const withoutCandidates = (sdp: string) =>
  sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n')

/** Each audio/video m-line of `sdp`: kind, direction and MSID (`stream track`), in order. */
function lines(sdp: string): string[] {
  return sdp
    .split(/\r\n(?=m=)/)
    .slice(1)
    .filter((section) => /^m=(audio|video) [1-9]/.test(section))
    .map((section) => {
      const kind = section.slice(2, 7)
      const direction = /^a=(sendrecv|sendonly|recvonly|inactive)$/m.exec(section)?.[1]
      const msid = /^a=msid:(.*)$/m.exec(section)?.[1]
      return [kind, direction, msid].filter(Boolean).join(' ')
    })
}

describe('receive slots on the werift plane', () => {
  let plane: WeriftMediaPlane | undefined
  const clients: RTCPeerConnection[] = []
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close()
    await plane?.close()
    plane = undefined
  })

  function handlersFor(published: PublishedTrack[], negotiationNeeded: { count: number }): MediaPeerHandlers {
    const noop = () => undefined
    return {
      onIceCandidate: noop,
      onTrackPublished: (track) => published.push(track),
      onTrackUnpublished: noop,
      onConnectionStateChange: noop,
      onNegotiationNeeded: () => negotiationNeeded.count++,
      onDataChannelMessage: noop,
      onVideoPaused: noop,
    }
  }

  /** A client offering `send` (kinds it publishes, in one stream) and `receive` (its recvonly m-lines). */
  async function offer(peer: MediaPeer, send: ('audio' | 'video')[], receive: ('audio' | 'video')[]): Promise<{ client: RTCPeerConnection; answer: string }> {
    const client = new RTCPeerConnection(loopbackWeriftConfig())
    clients.push(client)
    const stream = new MediaStream({ id: `${peer.clientId}-stream` })
    for (const kind of send) client.addTransceiver(kind, { direction: 'sendonly', streams: [stream] })
    for (const kind of receive) client.addTransceiver(kind, { direction: 'recvonly' })
    const local = await client.createOffer()
    await client.setLocalDescription(local)
    const answer = await peer.handleOffer({ type: 'offer', sdp: withoutCandidates(local.sdp) })
    await client.setRemoteDescription({ type: 'answer', sdp: withoutCandidates(answer.sdp) })
    return { client, answer: answer.sdp }
  }

  async function room() {
    plane = createWeriftMediaPlane({ log: () => undefined })
    const published: PublishedTrack[] = []
    const alice = plane.createPeer({ roomId: 'r', clientId: 'alice', handlers: handlersFor(published, { count: 0 }) })
    await offer(alice, ['audio', 'video'], [])
    const needed = { count: 0 }
    const bob = plane.createPeer({ roomId: 'r', clientId: 'bob', handlers: handlersFor([], needed) })
    return { alice, bob, published, needed }
  }

  it("answers the recvonly m-lines with the waiting forwardings, under the publisher's MSID, and owes no server offer", async () => {
    const { bob, published, needed } = await room()
    expect(published.map((track) => track.kind).sort()).toEqual(['audio', 'video'])
    for (const track of published) bob.subscribe(track)
    const { client, answer } = await offer(bob, ['audio'], ['audio', 'video'])
    const audio = published.find((track) => track.kind === 'audio')!
    const video = published.find((track) => track.kind === 'video')!
    expect(lines(answer)).toEqual(['audio recvonly', `audio sendonly ${audio.streamId} ${audio.trackId}`, `video sendonly ${video.streamId} ${video.trackId}`])
    // The forwardings' m-lines carry only the MID extension, as a server offer's would.
    const [, audioSlot, videoSlot] = parseMediaSections(answer)
    expect([audioSlot?.midExtensionId, videoSlot?.midExtensionId].every((id) => id !== undefined)).toBe(true)
    expect(answer.split(/\r\n(?=m=)/)[3]).not.toMatch(/transport-wide-cc|abs-send-time/)
    // The client sees the publisher's stream on its slots.
    expect(client.getTransceivers().map((t) => t.receiver.remoteStreamId)).toEqual([undefined, audio.streamId, video.streamId])
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(needed.count).toBe(0)
    expect(plane!.stats().subscriptions).toBe(2)
  })

  it("fills a slot pair per present publisher (the core's three of each kind, alternating), keeping each one's microphone and camera side by side", async () => {
    const { bob, published, needed } = await room()
    const carol = plane!.createPeer({ roomId: 'r', clientId: 'carol', handlers: handlersFor(published, { count: 0 }) })
    await offer(carol, ['audio', 'video'], [])
    expect(published).toHaveLength(4)
    for (const track of published) bob.subscribe(track)
    const { client, answer } = await offer(bob, ['audio', 'video'], ['audio', 'video', 'audio', 'video', 'audio', 'video'])
    const sent = (owner: string) => published.filter((track) => track.clientId === owner).map((track) => `${track.kind} sendonly ${track.streamId} ${track.trackId}`)
    expect(sent('alice')).toHaveLength(2)
    expect(lines(answer)).toEqual(['audio recvonly', 'video recvonly', ...sent('alice'), ...sent('carol'), 'audio inactive', 'video inactive'])
    const streams = client.getTransceivers().map((t) => t.receiver.remoteStreamId)
    expect(streams.slice(2)).toEqual(['alice-stream', 'alice-stream', 'carol-stream', 'carol-stream', undefined, undefined])
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(needed.count).toBe(0)
    expect(plane!.stats().subscriptions).toBe(4)
  })

  it('keeps to kinds, and a forwarding with no slot of its kind waits for a server offer', async () => {
    const { bob, published, needed } = await room()
    for (const track of published) bob.subscribe(track)
    const { answer } = await offer(bob, [], ['audio'])
    const audio = published.find((track) => track.kind === 'audio')!
    expect(lines(answer)).toEqual([`audio sendonly ${audio.streamId} ${audio.trackId}`])
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(needed.count).toBe(1)
    expect(lines((await bob.createOffer()).sdp)).toEqual([`audio sendonly ${audio.streamId} ${audio.trackId}`, expect.stringMatching(/^video sendonly /)])
  })

  it("gives an empty slot to a forwarding in the hub's next offer: the m-line turns sendonly, none is added", async () => {
    const { bob, published } = await room()
    const first = await offer(bob, ['audio'], ['audio', 'video'])
    expect(lines(first.answer)).toEqual(['audio recvonly', 'audio inactive', 'video inactive'])
    bob.subscribe(published.find((track) => track.kind === 'video')!)
    const hubOffer = await bob.createOffer()
    const video = published.find((track) => track.kind === 'video')!
    // (The other empty slot is offered as werift keeps it, recvonly; the client answers it inactive.)
    expect(lines(hubOffer.sdp)).toEqual(['audio recvonly', 'audio recvonly', `video sendonly ${video.streamId} ${video.trackId}`])
    await first.client.setRemoteDescription({ type: 'offer', sdp: withoutCandidates(hubOffer.sdp) })
    await first.client.setLocalDescription(await first.client.createAnswer())
    await bob.handleAnswer({ type: 'answer', sdp: withoutCandidates(first.client.localDescription!.sdp) })
    expect(first.client.getTransceivers().map((t) => t.receiver.remoteStreamId)).toEqual([undefined, undefined, video.streamId])
  })

  it('leaves slots inactive with nothing waiting, and fills one in a later offer of the client', async () => {
    const { bob, published } = await room()
    const first = await offer(bob, ['audio'], ['video'])
    expect(lines(first.answer)).toEqual(['audio recvonly', 'video inactive'])
    // Subscribed after the first offer: a server offer would carry it, unless the client offers again first.
    bob.subscribe(published.find((track) => track.kind === 'video')!)
    const again = await first.client.createOffer()
    await first.client.setLocalDescription(again)
    const answer = await bob.handleOffer({ type: 'offer', sdp: withoutCandidates(again.sdp) })
    const video = published.find((track) => track.kind === 'video')!
    expect(lines(answer.sdp)).toEqual(['audio recvonly', `video sendonly ${video.streamId} ${video.trackId}`])
  })

  it("restarts ICE on a client offer's new credentials even when its last description had an inactive m-line (werift's renomination rule off)", async () => {
    plane = createWeriftMediaPlane({ log: () => undefined })
    const peer = plane.createPeer({ roomId: 'r', clientId: 'carol', handlers: handlersFor([], { count: 0 }) })
    const client = new RTCPeerConnection(loopbackWeriftConfig())
    clients.push(client)
    client.addTransceiver('audio', { direction: 'sendonly', streams: [new MediaStream({ id: 'carol' })] })
    // As a browser answers an empty receive slot, or a device-less client's recvonly m-line.
    client.addTransceiver('video', { direction: 'inactive' })
    const ufrag = (sdp: string) => /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1]
    const exchange = async () => {
      await client.setLocalDescription(await client.createOffer())
      const answer = await peer.handleOffer({ type: 'offer', sdp: withoutCandidates(client.localDescription!.sdp) })
      await client.setRemoteDescription({ type: 'answer', sdp: withoutCandidates(answer.sdp) })
      return { offered: ufrag(client.localDescription!.sdp), answered: ufrag(answer.sdp) }
    }
    const first = await exchange()
    client.restartIce()
    const restart = await exchange()
    expect(restart.offered).not.toBe(first.offered)
    expect(restart.answered).not.toBe(first.answered)
  })
})

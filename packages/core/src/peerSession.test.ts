import { describe, expect, it } from 'vitest'
import { BOOTSTRAP_CHANNEL_LABEL, CAMERA_LAYERS, PeerSession, RECEIVE_SLOTS, type PeerSessionEvent, type PeerShape } from './peerSession.js'
import { FAKE_ANSWER_SDP, FakeMediaStream, FakeMediaStreamTrack, type FakePeerConnection, FakePeerConnections, flush } from './test-support/index.js'

const CANDIDATE = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' }
const HUB_OFFER = 'v=0\r\no=hub 1 1 IN IP4 127.0.0.1\r\n'

function open(tracks: FakeMediaStreamTrack[] = [], shape?: PeerShape) {
  const peers = new FakePeerConnections()
  const pc = peers.factory({})
  const events: PeerSessionEvent[] = []
  const remote: { trackId: string; streamId: string }[] = []
  /** The local and remote descriptions' types when each `negotiated` was reported. */
  const negotiated: string[] = []
  const stream = tracks.length > 0 ? new FakeMediaStream(tracks) : undefined
  const session = new PeerSession(pc, { stream, tracks }, {
    event: (event) => events.push(event),
    track: (track, from) => remote.push({ trackId: track.id, streamId: from.id }),
    negotiated: () => negotiated.push(`${pc.localDescription?.type}/${pc.remoteDescription?.type}`),
  }, shape)
  return { pc: peers.latest(), session, events, remote, negotiated }
}

describe('PeerSession', () => {
  it('sends the local tracks, then offers RECEIVE_SLOTS receive slots of each kind, audio and video alternating, whatever it sends', () => {
    const kinds = (pc: FakePeerConnection) => pc.transceivers.map((t) => [t.sender.track?.kind ?? null, t.receiver.track.kind, t.direction])
    const slots = (count: number) => Array.from({ length: count }, () => [[null, 'audio', 'recvonly'], [null, 'video', 'recvonly']]).flat()
    expect(RECEIVE_SLOTS).toBe(3)
    expect(kinds(open([new FakeMediaStreamTrack('audio')]).pc)).toEqual([['audio', 'audio', 'sendonly'], ...slots(RECEIVE_SLOTS)])
    expect(kinds(open().pc)).toEqual(slots(RECEIVE_SLOTS))
    // As many as asked, none included (everything then comes by the hub's offers).
    expect(kinds(open([new FakeMediaStreamTrack('video')], { receiveSlots: 1 }).pc)).toEqual([['video', 'video', 'sendonly'], ...slots(1)])
    expect(kinds(open([new FakeMediaStreamTrack('video')], { receiveSlots: 0 }).pc)).toEqual([['video', 'video', 'sendonly']])
  })

  it("sends the camera as the layers given (high first, the full size), the microphone and the screen share as one stream", () => {
    const { pc, session } = open([new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')], { cameraLayers: CAMERA_LAYERS })
    const encodings = () => pc.transceivers.map((t) => (t.sender.getParameters?.().encodings as { rid?: string; scaleResolutionDownBy?: number }[]).map((e) => `${e.rid ?? '-'}/${e.scaleResolutionDownBy ?? 1}`))
    expect(encodings().slice(0, 2)).toEqual([['-/1'], ['high/1', 'mid/2', 'low/4']])
    expect(session.camera).toBe(pc.transceivers[1]!.sender)
    session.publishScreen(new FakeMediaStream([new FakeMediaStreamTrack('video')]))
    expect(encodings()[4]).toEqual(['-/1'])
  })

  it('sends the camera as one stream without layers', () => {
    const { pc } = open([new FakeMediaStreamTrack('video')])
    expect(pc.transceivers[0]!.sender.getParameters?.().encodings).toEqual([{ active: true }])
  })

  it('opens its own data channel before the first offer, so that offer carries m=application for the room channels', async () => {
    const { pc, session } = open([new FakeMediaStreamTrack('audio')])
    expect(pc.dataChannels.map((c) => c.label)).toEqual([BOOTSTRAP_CHANNEL_LABEL])
    await session.createOffer()
    // One, for the whole session: later offers reuse its m=application.
    await session.acceptAnswer(FAKE_ANSWER_SDP)
    await session.createOffer()
    expect(pc.dataChannels).toHaveLength(1)
  })

  it('keeps the hub’s candidates until a remote description exists, then applies them in order', async () => {
    const { pc, session } = open()
    session.addRemoteCandidate(CANDIDATE)
    session.addRemoteCandidate({ ...CANDIDATE, candidate: 'candidate:2' })
    await flush()
    expect(pc.addedCandidates).toEqual([])
    await session.createOffer()
    await session.acceptAnswer(FAKE_ANSWER_SDP)
    await flush()
    expect(pc.addedCandidates.map((c) => c.candidate)).toEqual(['candidate:1 1 udp 1 127.0.0.1 5000 typ host', 'candidate:2'])
    session.addRemoteCandidate({ ...CANDIDATE, candidate: 'candidate:3' })
    await flush()
    expect(pc.addedCandidates).toHaveLength(3)
  })

  it('holds the tracks a hub offer brings until the answer is out, so that no tile is drawn in between', async () => {
    const { pc, session, remote } = open()
    const answering = session.answer(HUB_OFFER)
    // A browser fires `track` while it applies the remote offer.
    const { track, stream } = pc.emitTrack('video')
    await answering
    expect(remote).toEqual([])
    session.deliverHeldTracks()
    expect(remote).toEqual([{ trackId: track.id, streamId: stream.id }])
    // Outside an answer a track is reported at once.
    const later = pc.emitTrack('audio')
    expect(remote.at(-1)).toEqual({ trackId: later.track.id, streamId: later.stream.id })
  })

  it('reports the held tracks even when the answer failed', async () => {
    const { pc, session, remote } = open()
    pc.failNext('createAnswer')
    const answering = session.answer(HUB_OFFER).catch(() => 'failed')
    pc.emitTrack('video')
    expect(await answering).toBe('failed')
    session.deliverHeldTracks()
    expect(remote).toHaveLength(1)
  })

  it('answers the hub’s offer, which also lets the kept candidates in', async () => {
    const { pc, session } = open()
    session.addRemoteCandidate(CANDIDATE)
    const answer = await session.answer(HUB_OFFER)
    await flush()
    expect(answer).toBe(FAKE_ANSWER_SDP)
    expect(pc.remoteDescription).toEqual({ type: 'offer', sdp: HUB_OFFER })
    expect(pc.localDescription?.type).toBe('answer')
    expect(pc.addedCandidates).toEqual([CANDIDATE])
  })

  it('reports each complete offer/answer exchange, once both descriptions are set, and nothing before', async () => {
    const { pc, session, negotiated } = open()
    await session.createOffer()
    expect(negotiated).toEqual([])
    await session.acceptAnswer(FAKE_ANSWER_SDP)
    pc.failNext('createAnswer')
    await expect(session.answer(HUB_OFFER)).rejects.toThrow()
    await session.answer(HUB_OFFER)
    expect(negotiated).toEqual(['offer/answer', 'answer/offer'])
  })

  it('restarts ICE in the next offer only', async () => {
    const { pc, session } = open()
    await session.createOffer()
    session.restartIce()
    await session.createOffer()
    await session.createOffer()
    expect(pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }, { iceRestart: false }])
  })

  it('on a recheck, reports ICE again only while it is still failed', () => {
    const { pc, session, events } = open()
    session.recheckIce()
    pc.setIceConnectionState('failed')
    session.recheckIce()
    pc.setIceConnectionState('checking')
    session.recheckIce()
    expect(events).toEqual([{ type: 'peer.iceFailed' }, { type: 'peer.iceFailed' }])
  })

  it('reports DTLS failed when the connection fails with ICE up, and not when ICE failed', () => {
    const { pc, events } = open()
    pc.setIceConnectionState('failed')
    pc.setIceConnectionState('connected')
    pc.setConnectionState('failed')
    pc.iceConnectionState = 'completed'
    pc.setConnectionState('failed')
    pc.iceConnectionState = 'disconnected'
    pc.setConnectionState('failed')
    expect(events).toEqual([{ type: 'peer.iceFailed' }, { type: 'peer.iceConnected' }, { type: 'peer.dtlsFailed' }, { type: 'peer.dtlsFailed' }])
  })

  it('reports candidates (not the end-of-candidates marker), ICE states and remote tracks; close detaches', () => {
    const { pc, session, events, remote } = open()
    pc.emitIceCandidate(CANDIDATE)
    pc.emitIceCandidate({ candidate: '' })
    pc.setIceConnectionState('connected')
    pc.setIceConnectionState('failed')
    const { track, stream } = pc.emitTrack('video')
    expect(events).toEqual([{ type: 'peer.iceCandidate', candidate: CANDIDATE }, { type: 'peer.iceConnected' }, { type: 'peer.iceFailed' }])
    expect(remote).toEqual([{ trackId: track.id, streamId: stream.id }])
    session.close()
    expect(pc.closed).toBe(true)
    expect(pc.listenerCount).toBe(0)
  })
})

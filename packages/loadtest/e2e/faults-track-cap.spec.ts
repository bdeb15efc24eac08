// Faults suite, the subscribed-track cap against the real hub process (issue 11; the rules with a fake
// media plane are hub src/room.tracks.test.ts): with `--max-subscribed-tracks-per-client 3`, a viewer in a room
// of two publishers (microphone and camera each: 4 tracks) is forwarded 3; a `subscribetracks` for the
// fourth answers 429 naming the limit; when a publisher leaves, the waiting track is delivered and its
// media arrives. Node participants (public core, werift). Loopback-only namespace required.
import { describe, expect, it } from 'vitest'
import { CLIENT_KEY_HEADER } from '@parley/protocol'
import { pollUntil } from '@parley/testkit'
import { useFaultHub, useLoadParticipants } from './fault-hub.js'
import { call, createRoom } from '../src/faults/hub.js'
import { createLoadParticipant } from '../src/participant.js'

const CAP = 3

describe('faults: the subscribed-track cap on the real hub', () => {
  const hub = useFaultHub(['--max-subscribed-tracks-per-client', String(CAP)])
  const participants = useLoadParticipants()

  it('forwards 3 of 4 tracks, answers 429 naming the cap for the 4th, and delivers it when a slot frees', async () => {
    const roomId = await createRoom(hub().url, 'faults-track-cap')
    const join = async (name: string, publish: boolean) => {
      const participant = createLoadParticipant({ name, hubUrl: hub().url, video: { width: 320, height: 240, fps: 15, kbps: 300 } })
      participant.conference.join({ roomId, displayName: name, media: { audio: publish, video: publish } })
      participants.push(participant)
      await participant.connected(30_000)
      return participant
    }
    const ada = await join('ada', true)
    const bo = await join('bo', true)
    const viewer = await join('cy', false)

    // The viewer hears of all 4 tracks; 3 are live (forwarded), one waits.
    const tracksAt = () => viewer.view().participants.filter((participant) => participant.clientId !== viewer.view().clientId).flatMap((participant) => participant.tracks.map((track) => ({ ...track, clientId: participant.clientId })))
    await pollUntil(() => tracksAt().length === 4 && tracksAt().filter((track) => track.live).length === CAP, { timeoutMs: 20_000, description: 'the viewer to know 4 tracks, 3 of them live' })
    const waiting = tracksAt().find((track) => !track.live)!
    // Asked as the viewer, so with its client key (its core presented it: without it the hub answers 403).
    const refused = await call(hub().url, 'POST', `/rooms/${roomId}/subscribetracks/${viewer.view().clientId}`, [{ client_id: waiting.clientId, stream_id: waiting.streamId, track_id: waiting.trackId }], { [CLIENT_KEY_HEADER]: viewer.clientKey()! })
    expect(refused.status).toBe(429)
    expect(refused.body.message).toMatch(new RegExp(`over the limit of ${CAP} tracks per subscriber \\(max-subscribed-tracks-per-client\\)`))

    // The publisher of a forwarded track (not of the waiting one) leaves: the waiting track takes a slot.
    const leaving = waiting.clientId === ada.view().clientId ? bo : ada
    const streamsBefore = new Set(viewer.received.streams.keys())
    expect(streamsBefore.size).toBeLessThanOrEqual(CAP)
    leaving.leave()
    await pollUntil(() => {
      const tracks = tracksAt()
      return tracks.length === 2 && tracks.every((track) => track.live && track.clientId === waiting.clientId)
    }, { timeoutMs: 20_000, description: "the viewer to receive both of the staying publisher's tracks" })
    // Its media arrives: packets on a stream (SSRC) the viewer had not received before the leave.
    await pollUntil(() => [...viewer.received.streams.values()].some((stream) => !streamsBefore.has(stream.ssrc) && stream.packets >= 10), { timeoutMs: 20_000, description: 'the waiting track\'s media at the viewer' })
    expect(viewer.view().status).toBe('connected')
  })
})

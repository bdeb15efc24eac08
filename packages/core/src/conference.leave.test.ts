// createConference leaving (conference.ts): leave from every phase, the beacon, ending the room, and
// what is released. Shared setup: test-support/conferenceRun.ts.
import { describe, expect, it } from 'vitest'
import { mediaStateMetaKey } from '@parley/protocol'
import { FAKE_HUB_URL, flush } from './test-support/index.js'
import { joined, start } from './test-support/conferenceRun.js'

describe('createConference', () => {
  it('leaves from failed: the hub still hears of it', async () => {
    const run = start((world) => {
      world.devices.failures = { audio: 'NotAllowedError', video: 'NotAllowedError' }
      world.hub.calls.gate('hub.leave')
    })
    run.conference.join({ displayName: 'Dee', media: { audio: true, video: true } })
    await run.until((s) => s.matches('failed'))
    run.conference.leave()
    run.world.hub.calls.ungate('hub.leave')
    for (const call of [...run.world.hub.calls.pending]) call.resolve()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.requests('leave').filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1)
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('still leaves when ending the room failed', async () => {
    const run = await joined()
    run.world.hub.next('endRoom', { status: 401 })
    run.conference.endRoom()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.requests('leave')).toHaveLength(1)
    // The room was not ended: the user merely left.
    expect(run.view()).toMatchObject({ status: 'left' })
    expect(run.view().endedReason).toBeUndefined()
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('leaves from the room and releases everything', async () => {
    const run = await joined()
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.view().status).toBe('left')
    expect(run.world.hub.requests('deleteMeta')[0]?.params.key).toBe(mediaStateMetaKey('client1'))
    expect(run.world.hub.requests('leave')[0]).toMatchObject({ method: 'DELETE', keepalive: true })
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('leaves on page unload through the beacon', async () => {
    const run = await joined()
    run.conference.leaveOnUnload()
    await run.until((s) => s.status === 'done')
    expect(run.world.beacons).toEqual([`${FAKE_HUB_URL}/v1/rooms/room1/leave/client1`])
    expect(run.world.hub.requests('leave')).toEqual([])
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('leaves mid-join: the pending request is aborted and nothing stays open', async () => {
    const run = start((world) => void world.hub.calls.gate('hub.register'))
    run.conference.join({ displayName: 'Ada', media: { audio: true, video: true } })
    await flush()
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.hub.aborted).toBe(1)
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('ends the room for everyone, then releases everything without a leave request', async () => {
    const run = await joined()
    run.conference.endRoom()
    await run.until((s) => s.status === 'done')
    // The end removed every client: no leave or metadata request follows (it could only 404).
    expect(run.world.hub.log.map((r) => r.route).slice(-1)).toEqual(['endRoom'])
    expect(run.view()).toMatchObject({ status: 'left', endedReason: 'ended-by-me' })
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('ends when the host ended the room (left event)', async () => {
    const first = await joined()
    first.world.eventSources.latest().emit('left', { reason: 'ended' })
    await first.until((s) => s.status === 'done')
    expect(first.view()).toMatchObject({ status: 'ended', endedReason: 'host-ended' })
    expect(first.conference.actor.getSnapshot().context.endedReason).toBe('host-ended')
    expect(first.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })

  it('releases everything when the actor is stopped without leaving', async () => {
    const run = await joined()
    run.conference.actor.stop()
    expect(run.world.openResources()).toEqual({ peerConnections: 0, liveTracks: 0, eventStreams: 0, timers: 0 })
  })
})

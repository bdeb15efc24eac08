// The hub's `internal` data channel in a room over the fake plane (internalChannel.ts): opened for every
// client without an offer of its own, frames routed to that client's peer, stats shown by get client,
// and the label refused to a room channel. Shared setup: test-support/roomTests.ts.
import { INTERNAL_CHANNEL_LABEL, pathFor, videoSizeFrame } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { type TestHub } from './test-support/harness.js'
import { roomTests } from './test-support/roomTests.js'

let hub: TestHub
const { roomWith } = roomTests(() => hub, (made) => (hub = made))

describe('the internal data channel', () => {
  it('is opened for each client to ride on the next hub offer: a client offer without m=application gets no offer for it', async () => {
    await roomWith(['a'])
    const a = hub.plane.peer('a')
    expect(a.dataChannels.has(INTERNAL_CHANNEL_LABEL)).toBe(true)
    expect(a.withNextOffer.has(INTERNAL_CHANNEL_LABEL)).toBe(true)
    expect(a.offersCreated).toBe(0)
  })

  it('routes video_size to the client\'s own peer and keeps the latest stats for get client', async () => {
    await roomWith(['a', 'b'])
    await hub.plane.peer('b').receiveMessage(INTERNAL_CHANNEL_LABEL, videoSizeFrame('cam', 160, 120))
    await hub.plane.peer('b').receiveMessage(INTERNAL_CHANNEL_LABEL, JSON.stringify({ type: 'stats', data: { available_outgoing_bitrate: 512_000, quality_limitation_reason: 'cpu' } }))
    expect(hub.plane.peer('b').viewerSizes).toEqual([{ trackId: 'cam', width: 160, height: 120 }])
    expect(hub.plane.peer('a').viewerSizes).toEqual([])
    const client = await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'b' }))
    expect((client.body as { data: { events: Record<string, unknown> } }).data.events.client_stats).toMatchObject({
      name: 'client_stats',
      data: { available_outgoing_bitrate: '512000', quality_limitation_reason: 'cpu' },
    })
    // Never forwarded to the others as a room channel's message.
    expect(hub.plane.peer('a').sentMessages).toEqual([])
  })

  it('routes a publisher\'s simulcast_layers to its own peer only', async () => {
    await roomWith(['a', 'b'])
    await hub.plane.peer('a').receiveMessage(INTERNAL_CHANNEL_LABEL, JSON.stringify({ type: 'simulcast_layers', data: { track_id: 'cam', active: ['high'] } }))
    expect(hub.plane.peer('a').publisherLayerCalls).toEqual([{ trackId: 'cam', active: ['high'] }])
    expect(hub.plane.peer('b').publisherLayerCalls).toEqual([])
  })

  it('a hostile client\'s junk is dropped and the client stays', async () => {
    await roomWith(['a'])
    for (let i = 0; i < 100; i++) await hub.plane.peer('a').receiveMessage(INTERNAL_CHANNEL_LABEL, i % 2 ? '{"type":"video_size"}' : new Uint8Array(64))
    expect(hub.plane.peer('a').viewerSizes).toEqual([])
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' }))).status).toBe(200)
  })

  it('refuses a room channel named internal (409)', async () => {
    await roomWith(['a'])
    const created = await hub.request('POST', pathFor('createChannel', { roomId: 'r1' }), { name: INTERNAL_CHANNEL_LABEL, ordered_mode: true })
    expect(created.status).toBe(409)
  })
})

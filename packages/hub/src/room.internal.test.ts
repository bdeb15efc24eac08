// The hub's `internal` data channel in a room over the fake plane (internalChannel.ts): opened for every
// client without an offer of its own, frames routed to that client's peer, stats shown by get client,
// and the label refused to a room channel. Shared setup: test-support/roomTests.ts.
import { INTERNAL_CHANNEL_LABEL, parseVoiceActivityFrame, pathFor, simulcastLayersFrame, videoSizeFrame } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { type TestHub, connectClient } from './test-support/harness.js'
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
    await hub.plane.peer('a').receiveMessage(INTERNAL_CHANNEL_LABEL, simulcastLayersFrame('cam', ['high']))
    expect(hub.plane.peer('a').publisherLayerCalls).toEqual([{ trackId: 'cam', active: ['high'] }])
    expect(hub.plane.peer('b').publisherLayerCalls).toEqual([])
  })

  it('a hostile client\'s junk is dropped and the client stays', async () => {
    await roomWith(['a'])
    for (let i = 0; i < 100; i++) await hub.plane.peer('a').receiveMessage(INTERNAL_CHANNEL_LABEL, i % 2 ? '{"type":"video_size"}' : new Uint8Array(64))
    expect(hub.plane.peer('a').viewerSizes).toEqual([])
    expect((await hub.request('GET', pathFor('getClient', { roomId: 'r1', clientId: 'a' }))).status).toBe(200)
  })

  it('carries vad_started / vad_ended to a client registered with enable_vad only (an empty body, as the SDK sends without uid and name, has none)', async () => {
    await roomWith(['a'])
    const register = pathFor('register', { roomId: 'r1' })
    expect((await hub.request('POST', register, { uid: 'b', name: 'B', enable_vad: true })).status).toBe(200)
    expect((await hub.request('POST', register, { uid: 'c', name: 'C', enable_vad: false })).status).toBe(200)
    const empty = await hub.app.request(register, { method: 'POST' })
    const d = ((await empty.json()) as { data: { client_id: string } }).data.client_id
    for (const id of ['b', 'c', d]) await connectClient(hub, 'r1', id)
    expect(['a', 'b', 'c', d].map((id) => hub.plane.peer(id).detectsVoice)).toEqual([false, true, false, false])
    const mic = await hub.plane.peer('a').publish('mic-a', 'audio', 'stream-a')
    const levels = [{ sequenceNo: 1, timestamp: 960, audioLevel: 30, isVoice: true }]
    for (const id of ['b', 'c', d]) {
      await hub.plane.peer(id).voiceActivity(mic, { ssrc: 77, clockRate: 48_000, audioLevels: levels })
      await hub.plane.peer(id).voiceActivity(mic, { ssrc: 77, clockRate: 48_000, audioLevels: null })
    }
    const frames = hub.plane.peer('b').sentMessages.filter((message) => message.label === INTERNAL_CHANNEL_LABEL).map((message) => parseVoiceActivityFrame(message.data))
    expect(frames).toEqual([
      { ok: true, message: { type: 'vad_started', data: { trackID: 'mic-a', streamID: 'stream-a', ssrc: 77, clockRate: 48_000, audioLevels: levels } } },
      { ok: true, message: { type: 'vad_ended', data: { trackID: 'mic-a', streamID: 'stream-a', ssrc: 77, clockRate: 48_000, audioLevels: null } } },
    ])
    expect(hub.plane.peer('c').sentMessages).toEqual([])
    expect(hub.plane.peer(d).sentMessages).toEqual([])
  })

  it('refuses a room channel named internal (409)', async () => {
    await roomWith(['a'])
    const created = await hub.request('POST', pathFor('createChannel', { roomId: 'r1' }), { name: INTERNAL_CHANNEL_LABEL, ordered_mode: true })
    expect(created.status).toBe(409)
  })
})

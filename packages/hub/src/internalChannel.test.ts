// One client's `internal` data channel (internalChannel.ts): opened with the next offer, frames parsed
// and routed (video_size and simulcast_layers to the plane, stats kept), bad frames logged at most once per interval and
// dropped. A manual clock and a recording peer are injected.
import { INTERNAL_CHANNEL_LABEL, parseVoiceActivityFrame, videoSizeFrame } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import type { Clock } from './clock.js'
import { BAD_FRAME_LOG_INTERVAL_MS, type ClientStats, InternalChannel, MAX_FRAME_LENGTH } from './internalChannel.js'

function setUp() {
  let now = 1_000
  const clock: Clock = { now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined }
  const opened: unknown[][] = []
  const sizes: unknown[][] = []
  const layers: unknown[][] = []
  const logs: { msg: string; fields: unknown }[] = []
  const stats: ClientStats[] = []
  const sent: { label: string; data: string | Uint8Array }[] = []
  const channel = new InternalChannel({
    clock,
    peer: { openDataChannel: (...args) => void opened.push(args), viewerSize: (...args) => void sizes.push(args), sendDataChannelMessage: (label, data) => void sent.push({ label, data }), publisherLayers: (...args) => void layers.push(args) },
    log: (_level, msg, fields) => void logs.push({ msg, fields }),
    statsReceived: (received) => void stats.push(received),
  })
  return { channel, opened, sizes, layers, logs, stats, sent, advance: (ms: number) => void (now += ms) }
}

describe('InternalChannel', () => {
  it('opens the channel to ride on the next hub offer (none of its own)', () => {
    const { opened } = setUp()
    expect(opened).toEqual([[INTERNAL_CHANNEL_LABEL, true, true]])
  })

  it('routes video_size to the plane, 0×0 included', () => {
    const { channel, sizes } = setUp()
    channel.frame(videoSizeFrame('track-a', 160.7, 120))
    channel.frame(videoSizeFrame('track-a', 0, 0))
    expect(sizes).toEqual([
      ['track-a', 160, 120],
      ['track-a', 0, 0],
    ])
  })

  it('routes simulcast_layers (the layers of its own track a publisher sends) to the plane, and keeps no stats of it', () => {
    const { channel, layers, stats } = setUp()
    channel.frame(JSON.stringify({ type: 'simulcast_layers', data: { track_id: 'cam', active: ['high'] } }))
    channel.frame(JSON.stringify({ type: 'simulcast_layers', data: { track_id: 'cam', active: ['high', 'mid', 'low'] } }))
    expect(layers).toEqual([
      ['cam', ['high']],
      ['cam', ['high', 'mid', 'low']],
    ])
    expect(stats).toEqual([])
  })

  it('keeps the latest stats with their time and passes them on', () => {
    const { channel, stats, advance } = setUp()
    channel.frame(JSON.stringify({ type: 'stats', data: { available_outgoing_bitrate: 1_200_000, quality_limitation_reason: 'none' } }))
    advance(3_000)
    channel.frame(JSON.stringify({ type: 'stats', data: { available_outgoing_bitrate: 300_000, quality_limitation_reason: 'bandwidth' } }))
    expect(channel.stats).toEqual({ available_outgoing_bitrate: 300_000, quality_limitation_reason: 'bandwidth', at: 4_000 })
    expect(stats).toHaveLength(2)
  })

  it('drops bad frames (not JSON, binary, wrong shape, too long), logging one per interval with the count left out', () => {
    const { channel, sizes, logs, stats, advance } = setUp()
    channel.frame('not json')
    channel.frame(new Uint8Array([1, 2, 3]))
    channel.frame(JSON.stringify({ type: 'video_size', data: { track_id: 't', width: -1, height: 5 } }))
    channel.frame(JSON.stringify({ type: 'stats', data: { available_outgoing_bitrate: 'fast', quality_limitation_reason: 'none' } }))
    channel.frame(JSON.stringify({ type: 'nonsense' }))
    channel.frame('x'.repeat(MAX_FRAME_LENGTH + 1))
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatchObject({ msg: 'internal channel frame ignored', fields: { error: 'internal frame is not JSON', leftOut: 0 } })
    advance(BAD_FRAME_LOG_INTERVAL_MS)
    channel.frame('{')
    expect(logs).toHaveLength(2)
    expect(logs[1]!.fields).toMatchObject({ leftOut: 5 })
    expect(sizes).toEqual([])
    expect(stats).toEqual([])
    // Still working.
    channel.frame(videoSizeFrame('t', 1, 1))
    expect(sizes).toHaveLength(1)
  })

  it('sends a voice report as vad_started / vad_ended under the track\'s ids, and nothing once closed', () => {
    const { channel, sent } = setUp()
    const track = { trackId: 'mic', streamId: 'stream-a', kind: 'audio' as const, clientId: 'a' }
    const levels = [{ sequenceNo: 9, timestamp: 960, audioLevel: 20, isVoice: false }]
    channel.voiceActivity(track, { ssrc: 42, clockRate: 48_000, audioLevels: levels })
    channel.voiceActivity(track, { ssrc: 42, clockRate: 48_000, audioLevels: null })
    expect(sent.map((message) => message.label)).toEqual([INTERNAL_CHANNEL_LABEL, INTERNAL_CHANNEL_LABEL])
    expect(sent.map((message) => parseVoiceActivityFrame(message.data))).toEqual([
      { ok: true, message: { type: 'vad_started', data: { trackID: 'mic', streamID: 'stream-a', ssrc: 42, clockRate: 48_000, audioLevels: levels } } },
      { ok: true, message: { type: 'vad_ended', data: { trackID: 'mic', streamID: 'stream-a', ssrc: 42, clockRate: 48_000, audioLevels: null } } },
    ])
    channel.close()
    channel.voiceActivity(track, { ssrc: 42, clockRate: 48_000, audioLevels: null })
    expect(sent).toHaveLength(2)
  })

  it('ignores frames once closed', () => {
    const { channel, sizes } = setUp()
    channel.close()
    channel.frame(videoSizeFrame('t', 1, 1))
    expect(sizes).toEqual([])
  })
})

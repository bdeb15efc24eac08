import { describe, expect, it } from 'vitest'
import { parseInternalFrame, parseVoiceActivityFrame } from './internalChannel.js'
import { simulcastLayersFrame, videoSizeFrame, voiceActivityFrame } from './internalFrames.js'

describe('the internal channel', () => {
  it('reads the official SDK\'s video_size frame', () => {
    const frame = '{"type":"video_size","data":{"track_id":"4f1c-video","width":320,"height":180}}'
    expect(parseInternalFrame(frame)).toEqual({ ok: true, message: { type: 'video_size', data: { track_id: '4f1c-video', width: 320, height: 180 } } })
  })

  it('reads the official SDK\'s stats frame', () => {
    const frame = '{"type":"stats","data":{"available_outgoing_bitrate":1250000,"quality_limitation_reason":"bandwidth"}}'
    expect(parseInternalFrame(frame)).toEqual({
      ok: true,
      message: { type: 'stats', data: { available_outgoing_bitrate: 1250000, quality_limitation_reason: 'bandwidth' } },
    })
  })

  it('reads Parley\'s simulcast_layers frame: the rids a publisher sends now, none included', () => {
    const frame = '{"type":"simulcast_layers","data":{"track_id":"cam-1","active":["high"]}}'
    expect(parseInternalFrame(frame)).toEqual({ ok: true, message: { type: 'simulcast_layers', data: { track_id: 'cam-1', active: ['high'] } } })
    expect(parseInternalFrame('{"type":"simulcast_layers","data":{"track_id":"cam-1","active":[]}}')).toMatchObject({ ok: true })
  })

  it('writes a video_size frame it reads back, sizes floored to whole pixels and never negative', () => {
    expect(parseInternalFrame(videoSizeFrame('t1', 319.6, 0))).toEqual({ ok: true, message: { type: 'video_size', data: { track_id: 't1', width: 319, height: 0 } } })
    expect(parseInternalFrame(videoSizeFrame('t1', -3, 120.9))).toEqual({ ok: true, message: { type: 'video_size', data: { track_id: 't1', width: 0, height: 120 } } })
  })

  it('writes a simulcast_layers frame it reads back, a copy of the rids it was given', () => {
    const active = ['high']
    const frame = simulcastLayersFrame('cam-1', active)
    active.push('mid')
    expect(parseInternalFrame(frame)).toEqual({ ok: true, message: { type: 'simulcast_layers', data: { track_id: 'cam-1', active: ['high'] } } })
  })

  it.each([
    [new Uint8Array([1, 2]), 'internal frame is not text'],
    ['{', 'internal frame is not JSON'],
    ['{"type":"vad_started","data":{}}', 'internal frame: '],
    ['{"type":"video_size","data":{"track_id":"","width":1,"height":1}}', 'internal frame: data.track_id:'],
    ['{"type":"video_size","data":{"track_id":"t","width":-1,"height":1}}', 'internal frame: data.width:'],
    ['{"type":"video_size","data":{"track_id":"t","width":1.5,"height":1}}', 'internal frame: data.width:'],
    ['{"type":"stats","data":{"available_outgoing_bitrate":1,"quality_limitation_reason":"sun"}}', 'internal frame: data.quality_limitation_reason:'],
    ['{"type":"simulcast_layers","data":{"track_id":"t","active":"high"}}', 'internal frame: data.active:'],
    ['{"type":"simulcast_layers","data":{"track_id":"t","active":[""]}}', 'internal frame: data.active.0:'],
    [`{"type":"simulcast_layers","data":{"track_id":"t","active":${JSON.stringify(Array(9).fill('r'))}}}`, 'internal frame: data.active:'],
  ])('refuses %j with a reason', (frame, reason) => {
    const result = parseInternalFrame(frame)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.startsWith(reason)).toBe(true)
  })
})

describe('the hub\'s voice-activity frames', () => {
  const levels = [{ sequenceNo: 65535, timestamp: 4294967295, audioLevel: 12, isVoice: true }]

  it('writes vad_started with the levels, in the shape the official SDK reads (data.streamID, data.audioLevels[].audioLevel)', () => {
    const frame = voiceActivityFrame({ trackID: 'mic-1', streamID: 'stream-1', ssrc: 1234, clockRate: 48000, audioLevels: levels })
    expect(JSON.parse(frame)).toEqual({
      type: 'vad_started',
      data: { trackID: 'mic-1', streamID: 'stream-1', ssrc: 1234, clockRate: 48000, audioLevels: [{ sequenceNo: 65535, timestamp: 4294967295, audioLevel: 12, isVoice: true }] },
    })
  })

  it('writes vad_ended with audioLevels null, as the hosted hub does (the SDK then sets the stream\'s level to 0)', () => {
    const frame = voiceActivityFrame({ trackID: 'mic-1', streamID: 'stream-1', ssrc: 1, clockRate: 48000, audioLevels: null })
    expect(JSON.parse(frame)).toEqual({ type: 'vad_ended', data: { trackID: 'mic-1', streamID: 'stream-1', ssrc: 1, clockRate: 48000, audioLevels: null } })
  })

  it('reads back what it writes', () => {
    const data = { trackID: 't', streamID: 's', ssrc: 7, clockRate: 48000, audioLevels: levels }
    expect(parseVoiceActivityFrame(voiceActivityFrame(data))).toEqual({ ok: true, message: { type: 'vad_started', data } })
  })

  it.each([
    ['{"type":"video_size","data":{}}', 'voice activity frame: type:'],
    ['{"type":"vad_started","data":{"trackID":"t","streamID":"s","ssrc":1,"clockRate":48000,"audioLevels":[{"sequenceNo":1,"timestamp":1,"audioLevel":128,"isVoice":true}]}}', 'voice activity frame: data.audioLevels.0.audioLevel:'],
  ])('refuses %j with a reason', (frame, reason) => {
    const result = parseVoiceActivityFrame(frame)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.startsWith(reason)).toBe(true)
  })
})

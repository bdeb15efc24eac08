import { describe, expect, it } from 'vitest'
import type { Participant } from '../api.js'
import { emptyRoster, trackLive, type Roster } from '../roster.js'
import { emptySummary, type StatsSummary } from './analysis.js'
import { activeSpeakerOf, withStats } from './participantStats.js'

const bo: Participant = { clientId: 'bo', name: 'Bo', isHost: false, audioEnabled: true, videoEnabled: true, tracks: [], streamIds: ['s-bo'] }
const roster: Roster = [
  { trackId: 'rx-a', streamId: 's-bo', kind: 'audio' as const },
  { trackId: 'rx-v', streamId: 's-bo', kind: 'video' as const },
].reduce(trackLive, emptyRoster())

const summary = (overrides: Partial<StatsSummary>): StatsSummary => ({ ...emptySummary(), ...overrides })

describe('participants with their stats', () => {
  it("joins the receiver tracks' stats to the participant: level, speaking, the worst quality with the video's frame rate, paused video", () => {
    const [withFigures] = withStats([bo], roster, summary({
      tracks: {
        'rx-a': { kind: 'audio', quality: 'poor', lossPercent: 12, jitterMs: 15, roundTripMs: 100, audioLevel: 0.4, speaking: true },
        'rx-v': { kind: 'video', quality: 'good', lossPercent: 3, framesPerSecond: 12, paused: true },
      },
    }))
    expect(withFigures).toMatchObject({
      audioLevel: 0.4,
      speaking: true,
      videoPaused: true,
      quality: { quality: 'poor', lossPercent: 12, jitterMs: 15, roundTripMs: 100, framesPerSecond: 12 },
    })
  })

  it('someone muted never shows speaking, a camera that is off is never paused, and every track lost is lost', () => {
    const [muted] = withStats([{ ...bo, audioEnabled: false, videoEnabled: false }], roster, summary({
      tracks: { 'rx-a': { kind: 'audio', quality: 'lost', audioLevel: 0.4, speaking: true }, 'rx-v': { kind: 'video', quality: 'lost', paused: true } },
    }))
    expect(muted).toMatchObject({ speaking: false, videoPaused: false, quality: { quality: 'lost' } })
  })

  it("a video the hub paused for our link is not their paused video (the view says it with pausedByHub)", () => {
    const camera = { trackId: 'v', streamId: 's-bo', kind: 'video' as const, source: 'media' as const, live: true }
    const stalled = summary({ tracks: { 'rx-a': { kind: 'audio', quality: 'good' }, 'rx-v': { kind: 'video', quality: 'lost', paused: true } } })
    expect(withStats([{ ...bo, tracks: [camera] }], roster, stalled)[0]?.videoPaused).toBe(true)
    expect(withStats([{ ...bo, tracks: [{ ...camera, pausedByHub: 'bandwidth' }] }], roster, stalled)[0]).toMatchObject({ videoPaused: false, quality: { quality: 'good' } })
  })

  it('a video we asked none of (drawn nowhere, or turned off: `unwatched`) is not their paused video either', () => {
    const camera = { trackId: 'v', streamId: 's-bo', kind: 'video' as const, source: 'media' as const, live: true }
    const stalled = summary({ tracks: { 'rx-a': { kind: 'audio', quality: 'good' }, 'rx-v': { kind: 'video', quality: 'lost', paused: true } } })
    expect(withStats([{ ...bo, tracks: [camera] }], roster, stalled, new Set(['other']))[0]?.videoPaused).toBe(true)
    expect(withStats([{ ...bo, tracks: [camera] }], roster, stalled, new Set(['v']))[0]).toMatchObject({ videoPaused: false, quality: { quality: 'good' } })
  })

  it('before any stats the participant is as the roster says', () => {
    expect(withStats([bo], roster, emptySummary())).toEqual([bo])
  })

  it('names the active speaker by client id, ours for the local microphone', () => {
    expect(activeSpeakerOf([bo], roster, summary({ activeSpeaker: 'rx-a' }), 'me')).toBe('bo')
    expect(activeSpeakerOf([bo], roster, summary({ activeSpeaker: 'local' }), 'me')).toBe('me')
    expect(activeSpeakerOf([bo], roster, summary({ activeSpeaker: null }), 'me')).toBeUndefined()
  })
})

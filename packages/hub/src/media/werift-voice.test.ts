// Voice activity on the werift forwarder (werift-voice.ts): a detector only for audio a subscriber with
// enable_vad receives, fed each packet's RFC 6464 level, its reports to each such subscriber being
// forwarded the track, ended with the last of them. Fake timers drive the injected (system) Clock.
import type { AudioLevelSample } from '@parley/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'
import { AUDIO_LEVEL_URI } from './audio-level.js'
import type { PublishedTrack } from './types.js'
import { VAD_HANGOVER_MS, VAD_INTERVAL_MS } from './vad.js'
import { Forwarder, type Subscription, type SubscriptionOwner } from './werift-forwarder.js'

const LEVEL_ID = 1
const track = (kind: 'audio' | 'video'): PublishedTrack => ({ trackId: `${kind}-1`, streamId: 'stream-a', kind, clientId: 'a' })

function owner(clientId: string, wantsVoice: boolean) {
  const reports: (AudioLevelSample[] | null)[] = []
  const made: SubscriptionOwner = {
    clientId,
    sourceEnded: () => undefined,
    videoPaused: () => undefined,
    ...(wantsVoice ? { voiceActivity: (_subscription: Subscription, levels: AudioLevelSample[] | null) => void reports.push(levels) } : {}),
  }
  return { owner: made, reports }
}

function setUp(kind: 'audio' | 'video' = 'audio', negotiated = true) {
  const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
  const headerExtensions = negotiated ? [{ id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }, { id: LEVEL_ID, uri: AUDIO_LEVEL_URI }] : []
  const { transceiver, deliver } = fakePublisherTransceiver({ dtlsTransport: { state: 'connected', sendRtcp: async () => undefined }, headerExtensions })
  const source = forwarder.addSource({}, track(kind), '0', transceiver)!
  let sequenceNumber = 100
  /** One 20 ms packet at this level (V bit set). */
  const packet = (level: number) => {
    const extensions = [{ id: 4, payload: Buffer.from('0') }, { id: LEVEL_ID, payload: Buffer.from([0x80 | level]) }]
    deliver({ header: { ssrc: 1234, sequenceNumber, timestamp: sequenceNumber * 960, extensions }, payload: Buffer.alloc(60) })
    sequenceNumber++
    vi.advanceTimersByTime(20)
  }
  const subscribe = (who: ReturnType<typeof owner>) => {
    const subscription = forwarder.attach(who.owner, source)
    // As after its first forwarded packet (a subscriber that has the track).
    subscription.forwarding = true
    return subscription
  }
  return { forwarder, source, packet, subscribe }
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }))
afterEach(() => vi.useRealTimers())

describe('voice activity on the werift forwarder', () => {
  it('reports a speaking publisher to the subscriber with enable_vad only, then its end', () => {
    const { source, packet, subscribe } = setUp()
    const withVad = owner('b', true)
    const without = owner('c', false)
    subscribe(withVad)
    subscribe(without)
    expect(source.voice).toBeDefined()
    for (let i = 0; i < 10; i++) packet(25)
    for (let i = 0; i < (VAD_HANGOVER_MS + VAD_INTERVAL_MS) / 20; i++) packet(127)
    expect(withVad.reports.length).toBeGreaterThanOrEqual(2)
    expect(withVad.reports[0]![0]).toEqual({ sequenceNo: 100, timestamp: 96_000, audioLevel: 25, isVoice: true })
    expect(withVad.reports.filter((levels) => levels !== null).flat()).toHaveLength(10)
    expect(withVad.reports.at(-1)).toBeNull()
    expect(without.reports).toEqual([])
  })

  it('no detector for video, for subscribers without enable_vad, and none left after the last such subscriber goes', () => {
    const video = setUp('video')
    video.subscribe(owner('b', true))
    expect(video.source.voice).toBeUndefined()
    const audio = setUp()
    audio.subscribe(owner('c', false))
    expect(audio.source.voice).toBeUndefined()
    const withVad = owner('b', true)
    const subscription = audio.subscribe(withVad)
    audio.packet(25)
    expect(vi.getTimerCount()).toBe(1)
    audio.forwarder.detach(subscription)
    expect(audio.source.voice).toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ends with its track: no timer left, no report', () => {
    const { forwarder, source, packet, subscribe } = setUp()
    const withVad = owner('b', true)
    subscribe(withVad)
    packet(25)
    forwarder.removeSource(source)
    vi.advanceTimersByTime(VAD_HANGOVER_MS * 2)
    expect(vi.getTimerCount()).toBe(0)
    expect(withVad.reports).toEqual([])
  })

  it('without the extension negotiated on the publisher\'s m-line, reports nothing', () => {
    const { packet, subscribe } = setUp('audio', false)
    const withVad = owner('b', true)
    subscribe(withVad)
    for (let i = 0; i < 20; i++) packet(10)
    expect(withVad.reports).toEqual([])
  })

  it('a subscriber not forwarded the track yet hears nothing', () => {
    const { forwarder, source, packet } = setUp()
    const withVad = owner('b', true)
    forwarder.attach(withVad.owner, source)
    for (let i = 0; i < 20; i++) packet(10)
    expect(withVad.reports).toEqual([])
  })
})

// The keyframe rule of the werift forwarder on the injected Clock (fake timers drive the system clock):
// asks of one tick share one PLI (microtask), at most one PLI per track per KEYFRAME_REQUEST_INTERVAL_MS,
// later asks coalesced into one trailing PLI, none for audio, and a PLI wanted before the publisher's DTLS
// is up sent once it is.
import type { RTCRtpTransceiver } from 'werift'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import type { PublishedTrack } from './types.js'
import { Forwarder, KEYFRAME_REQUEST_INTERVAL_MS } from './werift-forwarder.js'

/** The parts of a werift transceiver the forwarder touches for keyframes. */
function publisherTransceiver(dtlsState: 'new' | 'connected') {
  const rtcp: unknown[][] = []
  const dtlsTransport = { state: dtlsState, sendRtcp: async (packets: unknown[]) => void rtcp.push(packets) }
  const transceiver = {
    receiver: { track: { ssrc: 1234, onReceiveRtp: { subscribe: () => ({ unSubscribe: () => undefined }) } } },
    sender: { ssrc: 1 },
    dtlsTransport,
  } as unknown as RTCRtpTransceiver
  return { transceiver, dtlsTransport, rtcp }
}

/** Lets the queued microtasks (the batched keyframe requests) run. */
const tick = () => Promise.resolve()

const track = (kind: 'audio' | 'video'): PublishedTrack => ({ trackId: `${kind}-1`, streamId: 's', kind, clientId: 'a' })

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Forwarder keyframe requests', () => {
  it('sends one PLI for the asks of one tick', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const { transceiver, rtcp } = publisherTransceiver('connected')
    const source = forwarder.addSource({}, track('video'), '0', transceiver)!
    forwarder.requestKeyframe(source)
    forwarder.requestKeyframe(source)
    expect(rtcp).toHaveLength(0)
    await tick()
    expect(rtcp).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('sends at most one PLI per interval per track and coalesces later asks into one trailing PLI', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const { transceiver, rtcp } = publisherTransceiver('connected')
    const source = forwarder.addSource({}, track('video'), '0', transceiver)!
    forwarder.requestKeyframe(source)
    await tick()
    expect(rtcp).toHaveLength(1)
    vi.advanceTimersByTime(100)
    forwarder.requestKeyframe(source)
    await tick()
    forwarder.requestKeyframe(source)
    await tick()
    expect(rtcp).toHaveLength(1)
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS - 100 - 1)
    expect(rtcp).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(rtcp).toHaveLength(2)
    vi.advanceTimersByTime(10 * KEYFRAME_REQUEST_INTERVAL_MS)
    expect(rtcp).toHaveLength(2)
    expect(forwarder.counters.keyframeRequestsSent).toBe(2)
  })

  it('asks nothing of an audio track, and nothing once the track is removed', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const audio = publisherTransceiver('connected')
    forwarder.requestKeyframe(forwarder.addSource({}, track('audio'), '0', audio.transceiver)!)
    const video = publisherTransceiver('connected')
    const source = forwarder.addSource({}, track('video'), '1', video.transceiver)!
    forwarder.requestKeyframe(source)
    await tick()
    forwarder.requestKeyframe(source)
    await tick()
    forwarder.removeSource(source)
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(audio.rtcp).toHaveLength(0)
    expect(video.rtcp).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('keeps a PLI wanted before the publisher connected, and sends it when it does', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const publisher = {}
    const { transceiver, dtlsTransport, rtcp } = publisherTransceiver('new')
    const source = forwarder.addSource(publisher, track('video'), '0', transceiver)!
    forwarder.requestKeyframe(source)
    await tick()
    expect(rtcp).toHaveLength(0)
    dtlsTransport.state = 'connected'
    forwarder.publisherConnected({})
    await tick()
    expect(rtcp).toHaveLength(0)
    forwarder.publisherConnected(publisher)
    await tick()
    expect(rtcp).toHaveLength(1)
  })
})

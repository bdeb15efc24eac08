// The join's keyframe asked for with the hub's offer and held until the subscriber's answer
// (werift-keyframe-hold.ts), through the forwarder: what is held, what goes first, when a PLI goes.
import type { RTCRtpTransceiver } from 'werift'
import { RtpHeader, RtpPacket } from 'werift'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import type { PublishedTrack } from './types.js'
import { Forwarder, KEYFRAME_REQUEST_INTERVAL_MS } from './werift-forwarder.js'
import { HELD_PACKETS_MAX } from './werift-keyframe-hold.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'

const KEYFRAME = [0x10, 0x00]
const DELTA = [0x10, 0x01]
const MORE = [0x00, 0x00]

function setUp(kind: 'audio' | 'video' = 'video') {
  const forwarder = new Forwarder({ clock: systemClock, log: () => undefined, fastSend: false })
  const plis: unknown[] = []
  const { transceiver: publisher, deliver: onRtp } = fakePublisherTransceiver({
    dtlsTransport: { state: 'connected', sendRtcp: async (packets: unknown[]) => void plis.push(packets) },
  })
  const track: PublishedTrack = { trackId: `${kind}-1`, streamId: 's', kind, clientId: 'a' }
  const source = forwarder.addSource({}, track, '0', publisher)!
  let seq = 100
  /** One packet from the publisher; returns its sequence number. */
  const deliver = (payload: number[]) => {
    const sequenceNumber = seq++
    onRtp(new RtpPacket(new RtpHeader({ ssrc: 1234, sequenceNumber, timestamp: sequenceNumber * 10 }), Buffer.from(payload)))
    return sequenceNumber
  }
  /** A subscriber's forwarding: offered (no codec yet) until `answer()` negotiates it. */
  const subscriber = () => {
    const sent: number[] = []
    // As WeriftSubscriptions does: a forwarding whose track ends is detached.
    const subscription = forwarder.attach({ clientId: 'b', sourceEnded: (ended) => forwarder.detach(ended), videoPaused: () => undefined }, source)
    const sender = { codec: undefined as unknown, dtlsTransport: { state: 'connected' }, sendRtp: async (packet: RtpPacket) => void sent.push(packet.header.sequenceNumber) }
    subscription.transceiver = { stopping: false, stopped: false, sender } as unknown as RTCRtpTransceiver
    const answer = () => {
      sender.codec = { payloadType: 96 }
      forwarder.negotiated(subscription)
    }
    return { subscription, sent, answer }
  }
  return { forwarder, source, plis, deliver, subscriber }
}

const tick = () => Promise.resolve()

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the keyframe held from the offer to the answer', () => {
  it('is asked for with the offer, held from its first packet, and sent first, in order, on the answer', async () => {
    const { forwarder, plis, deliver, subscriber } = setUp()
    const { subscription, sent, answer } = subscriber()
    forwarder.holdKeyframe(subscription)
    await tick()
    expect(plis).toHaveLength(1)
    expect(subscription.keyframe).toBe('awaiting')
    deliver(DELTA)
    const keyframe = [deliver(KEYFRAME), deliver(MORE), deliver(MORE)]
    expect(subscription.keyframe).toBe('holding')
    const delta = deliver(DELTA)
    // Negotiated while held: werift would send it, the hold does not.
    deliver(DELTA)
    expect(sent).toEqual([])
    answer()
    expect(sent).toEqual([...keyframe, delta, delta + 1])
    const live = deliver(DELTA)
    expect(sent.at(-1)).toBe(live)
    await tick()
    expect(plis).toHaveLength(1)
    expect(subscription.keyframe).toBe('live')
  })

  it('answered before the keyframe came: no second request, the keyframe goes live', async () => {
    const { forwarder, plis, deliver, subscriber } = setUp()
    const { subscription, sent, answer } = subscriber()
    forwarder.holdKeyframe(subscription)
    await tick()
    answer()
    await tick()
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(plis).toHaveLength(1)
    const keyframe = deliver(KEYFRAME)
    expect(sent).toEqual([keyframe])
  })

  it('answered long after an early request the publisher did not answer: asks again', async () => {
    const { forwarder, plis, subscriber } = setUp()
    const { subscription, answer } = subscriber()
    forwarder.holdKeyframe(subscription)
    await tick()
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    answer()
    await tick()
    expect(plis).toHaveLength(2)
  })

  it('keeps only the latest keyframe, for every forwarding that waits, each sent once', async () => {
    const { forwarder, plis, deliver, subscriber } = setUp()
    const first = subscriber()
    const second = subscriber()
    forwarder.holdKeyframe(first.subscription)
    deliver(KEYFRAME)
    deliver(MORE)
    forwarder.holdKeyframe(second.subscription)
    expect(second.subscription.keyframe).toBe('holding')
    // The keyframe held for the first serves the second: no request for it.
    await tick()
    expect(plis).toHaveLength(1)
    const latest = deliver(KEYFRAME)
    first.answer()
    const next = deliver(DELTA)
    second.answer()
    expect(first.sent).toEqual([latest, next])
    expect(second.sent).toEqual([latest, next])
  })

  it('drops a hold that outgrows its bound: the answer then asks for a keyframe as without it', async () => {
    const { forwarder, plis, deliver, subscriber } = setUp()
    const { subscription, sent, answer } = subscriber()
    forwarder.holdKeyframe(subscription)
    await tick()
    deliver(KEYFRAME)
    for (let i = 0; i < HELD_PACKETS_MAX; i++) deliver(MORE)
    expect(subscription.keyframe).toBe('unanswered')
    answer()
    await tick()
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(plis).toHaveLength(2)
    expect(sent).toEqual([])
  })

  it('holds nothing for audio, nor after the forwarding is detached', async () => {
    const audio = setUp('audio')
    const listener = audio.subscriber()
    audio.forwarder.holdKeyframe(listener.subscription)
    await tick()
    expect(audio.plis).toHaveLength(0)
    expect(listener.subscription.keyframe).toBe('unanswered')

    const { forwarder, source, deliver, subscriber } = setUp()
    const { subscription } = subscriber()
    forwarder.holdKeyframe(subscription)
    deliver(KEYFRAME)
    forwarder.detach(subscription)
    expect(subscription.keyframe).toBe('ended')
    expect(source.hold.active).toBe(false)
  })

  it('unsubscribed while holding: the hold stays for the others, and goes with the last one', async () => {
    const { forwarder, source, deliver, subscriber } = setUp()
    const first = subscriber()
    const second = subscriber()
    forwarder.holdKeyframe(first.subscription)
    forwarder.holdKeyframe(second.subscription)
    const keyframe = deliver(KEYFRAME)
    forwarder.detach(first.subscription)
    expect(first.subscription.keyframe).toBe('ended')
    expect(source.hold.active).toBe(true)
    const more = deliver(MORE)
    second.answer()
    expect(second.sent).toEqual([keyframe, more])
    expect(first.sent).toEqual([])
    // The first one's late answer finds it ended: nothing sent, nothing asked.
    first.answer()
    await tick()
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(first.subscription.keyframe).toBe('ended')
    expect(first.sent).toEqual([])
    expect(forwarder.counters.keyframeRequestsSent).toBe(1)
    expect(source.hold.active).toBe(false)
  })

  it('publisher gone while holding, with a PLI trailing: every forwarding ends, nothing is held or asked', async () => {
    const { forwarder, source, plis, deliver, subscriber } = setUp()
    const first = subscriber()
    forwarder.holdKeyframe(first.subscription)
    await tick()
    deliver(KEYFRAME)
    const second = subscriber()
    // Answered already, then asked again within the interval: a trailing PLI waits on the Clock.
    second.answer()
    await tick()
    expect(source.keyframes.state.is).toBe('trailing')
    forwarder.removeSource(source)
    expect(first.subscription.keyframe).toBe('ended')
    expect(second.subscription.keyframe).toBe('ended')
    expect(source.hold.active).toBe(false)
    expect(source.keyframes.state).toEqual({ is: 'ended' })
    expect(vi.getTimerCount()).toBe(0)
    first.answer()
    await tick()
    vi.advanceTimersByTime(10 * KEYFRAME_REQUEST_INTERVAL_MS)
    expect(plis).toHaveLength(1)
    expect(first.sent).toEqual([])
  })

  it('a live forwarding offered again is not held (a later offer for another track), and keeps receiving', async () => {
    const { forwarder, plis, deliver, subscriber } = setUp()
    const { subscription, sent, answer } = subscriber()
    forwarder.holdKeyframe(subscription)
    await tick()
    const keyframe = deliver(KEYFRAME)
    answer()
    expect(subscription.keyframe).toBe('live')
    forwarder.holdKeyframe(subscription)
    expect(subscription.keyframe).toBe('live')
    const next = deliver(DELTA)
    await tick()
    vi.advanceTimersByTime(KEYFRAME_REQUEST_INTERVAL_MS)
    expect(sent).toEqual([keyframe, next])
    expect(plis).toHaveLength(1)
  })

  it('a dropped hold is unanswered again: the next offer holds it anew', async () => {
    const { forwarder, deliver, subscriber } = setUp()
    const { subscription, sent, answer } = subscriber()
    forwarder.holdKeyframe(subscription)
    deliver(KEYFRAME)
    for (let i = 0; i < HELD_PACKETS_MAX; i++) deliver(MORE)
    expect(subscription.keyframe).toBe('unanswered')
    forwarder.holdKeyframe(subscription)
    expect(subscription.keyframe).toBe('awaiting')
    const keyframe = deliver(KEYFRAME)
    expect(subscription.keyframe).toBe('holding')
    answer()
    expect(sent).toEqual([keyframe])
  })
})

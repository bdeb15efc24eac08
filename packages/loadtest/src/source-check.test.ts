import { describe, expect, it } from 'vitest'
import type { SourceReport, SubscriptionReport } from './hub-protocol.js'
import { checkSources, describeSilentForwardings, type CheckedParticipant } from './source-check.js'

const forwarding = (clientId: string, packetsOut: number, extra: Partial<SubscriptionReport> = {}): SubscriptionReport => ({
  clientId,
  keyframe: 'live',
  transceiver: 'bound',
  direction: 'sendonly',
  codec: true,
  dtls: 'connected',
  pause: undefined,
  pauseForwards: undefined,
  forwarding: packetsOut > 0,
  packetsOut,
  ...extra,
})

const source = (clientId: string, kind: 'audio' | 'video', packetsIn: number, subscriptions: SubscriptionReport[]): SourceReport => ({
  clientId,
  trackId: `${clientId}-${kind}`,
  kind,
  ssrc: 1,
  packetsIn,
  keyframesIn: kind === 'video' ? Math.floor(packetsIn / 84) : 0,
  keyframeRequest: 'idle',
  lastPliAt: -1,
  holding: false,
  subscriptions,
})

const people: CheckedParticipant[] = [
  // Each receives the two others' video (420) and audio (500).
  { name: 'p0', clientId: 'a', videoSent: 420, received: 1840 },
  { name: 'p1', clientId: 'b', videoSent: 420, received: 1840 },
  { name: 'p2', clientId: 'c', videoSent: 420, received: 1840 },
]

/** Three publishers, each to the two others; `cVideoToB`: what c's video sent b over the window. */
function room(before: boolean, cVideoToB: number): SourceReport[] {
  const n = before ? 0 : 1
  const video = (id: string, others: string[], out = 420) => source(id, 'video', 420 * n, others.map((o) => forwarding(o, out * n)))
  const audio = (id: string, others: string[]) => source(id, 'audio', 500 * n, others.map((o) => forwarding(o, 500 * n)))
  return [
    video('a', ['b', 'c']),
    audio('a', ['b', 'c']),
    video('b', ['a', 'c']),
    audio('b', ['a', 'c']),
    source('c', 'video', 420 * n, [forwarding('a', 420 * n), forwarding('b', before ? 0 : cVideoToB, { keyframe: 'holding', transceiver: 'unbound', forwarding: false })]),
    audio('c', ['a', 'b']),
  ]
}

describe('checkSources', () => {
  it('finds nothing when every forwarding sent what arrived and every tap counted it', () => {
    const check = checkSources(room(true, 0), room(false, 420), people)
    expect(check.problems).toEqual([])
    expect(check.summary).toBe('video in 1260 → out 2520, audio in 1500 → out 3000')
  })

  it('names the publisher, the subscriber and the state that held its packets back', () => {
    const check = checkSources(room(true, 0), room(false, 0), [people[0]!, { ...people[1]!, received: 1420 }, people[2]!])
    expect(check.problems).toEqual([
      "p2's video (in 420, keyframe starts 5, PLI state idle, hold off, 2 subscriptions) short to 1: p1: out 0, keyframe holding, transceiver unbound sendonly, codec yes, dtls connected",
    ])
  })

  it('says when the hub sent a subscriber more than its tap counted, and when a publisher’s video did not reach the hub', () => {
    const check = checkSources(room(true, 0), room(false, 420), [{ ...people[0]!, videoSent: 1000 }, people[1]!, { ...people[2]!, received: 1800 }])
    expect(check.problems).toEqual([
      "p0's video (in 420, keyframe starts 5, PLI state idle, hold off, 2 subscriptions): 1000 handed to werift by its camera, 420 arrived at the hub",
      'p2: the hub sent it 1840 packets in the window, its tap counted 1800',
    ])
  })
})

describe('describeSilentForwardings', () => {
  it('lists the video forwardings that never sent, and subscribers without a forwarding', () => {
    const after = room(false, 0).map((s) => (s.clientId === 'a' && s.kind === 'video' ? source('a', 'video', 300, [forwarding('b', 300)]) : s))
    expect(describeSilentForwardings(after, people)).toEqual([
      "p0's video (in 300, keyframe starts 3, PLI state idle, hold off, 1 subscriptions) never sent to 1: no subscription for p2",
      "p2's video (in 420, keyframe starts 5, PLI state idle, hold off, 2 subscriptions) never sent to 1: p1: out 0, keyframe holding, transceiver unbound sendonly, codec yes, dtls connected",
    ])
  })
})

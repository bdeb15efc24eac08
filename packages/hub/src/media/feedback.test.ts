// The publishers' feedback (feedback.ts) on a manual clock: a probe cluster the hub read as held cuts
// the REMB only where the publisher has no transport-cc; with it the publisher measures its probes
// itself, and the hub's other rules still cut.
import { describe, expect, it } from 'vitest'
import type { Clock } from '../clock.js'
import { InboundWindow, TICK_MS } from './bandwidth.js'
import { type EstimatedSource, PublisherFeedback } from './feedback.js'

/** A clock whose time moves only when told; due timers run in order. */
function manualClock() {
  let now = 0
  let next = 0
  const timers = new Map<number, { at: number; callback: () => void }>()
  const clock: Clock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.set(++next, { at: now + ms, callback })
      return next
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
  }
  const advance = (ms: number) => {
    const until = now + ms
    for (;;) {
      const due = [...timers].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) break
      timers.delete(due[0])
      now = due[1].at
      due[1].callback()
    }
    now = until
  }
  return { clock, advance, now: () => now }
}

// Started at the ceiling without transport-cc too, so that the same cluster is below the estimate in both.
const limits = { floorBps: 165_000, startBps: 2_000_000, ceilingBps: 2_000_000 }
/** Measured on the ramp bench's clean link (stop 32): 33 packets at 0.848 × their send rate. */
const spreadCluster = { sendBps: 1_956_441, receiveBps: 1_658_364, packets: 33 }

function setup(transportCc: boolean) {
  const { clock, advance, now } = manualClock()
  const publisher = {}
  const source: EstimatedSource = { publisher, published: { clientId: 'a' }, inbound: new InboundWindow(), limits, subscriptions: [], transportCc: transportCc ? {} : null }
  const rembs: number[] = []
  const logged: Record<string, unknown>[] = []
  const feedback = new PublisherFeedback({ clock, log: (_level, message, fields) => void (message === 'probe' && logged.push(fields ?? {})), sources: () => [source], sendRemb: (_sources, bps) => void rembs.push(bps) })
  feedback.sourceAdded()
  return { feedback, publisher, source, rembs, logged, advance, now }
}

describe('PublisherFeedback probe clusters', () => {
  it('with transport-cc a cluster read as held is logged, not counted: the REMB stays at the ceiling', () => {
    const { feedback, publisher, rembs, logged } = setup(true)
    feedback.rembNow(publisher)
    feedback.probed(publisher, 'a', spreadCluster)
    expect(rembs).toEqual([limits.ceilingBps])
    expect(logged).toEqual([{ clientId: 'a', ...spreadCluster, estimate: limits.ceilingBps, counted: false }])
  })

  it('without transport-cc the same cluster caps the estimate at its arrival rate at once', () => {
    const { feedback, publisher, rembs, logged } = setup(false)
    feedback.rembNow(publisher)
    feedback.probed(publisher, 'a', spreadCluster)
    expect(rembs).toEqual([limits.startBps, spreadCluster.receiveBps])
    expect(logged[0]).toMatchObject({ estimate: spreadCluster.receiveBps, counted: true })
  })

  it('with transport-cc the delay rule still cuts on a growing queue after an ignored cluster', () => {
    const { feedback, publisher, source, rembs, advance, now } = setup(true)
    feedback.rembNow(publisher)
    feedback.probed(publisher, 'a', spreadCluster)
    // 1 Mbit/s of 30 fps frames (4 packets of 1,040 bytes, no abs-send-time: RTP timestamps), each
    // arriving 15 ms later than the one before: a queue building.
    let seq = 0
    for (let frame = 0; frame < 60; frame++) {
      const arrival = now()
      for (let i = 0; i < 4; i++) source.inbound!.onPacket(seq++, frame * 3000, 1_040, arrival + frame * 15)
      advance(33)
    }
    advance(TICK_MS)
    expect(Math.min(...rembs)).toBeLessThan(1_000_000)
  })
})

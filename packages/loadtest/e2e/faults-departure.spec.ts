// Faults suite, departures (issue 11): a participant in a process of its own is killed (SIGKILL, no
// leave) or frozen (SIGSTOP), against the hub as its own process with its default timings. The others
// must see the killed one gone within 5 s; the frozen one marked (`parley_connection`) within 2 s and
// removed within 10 s, or, continued (SIGCONT) before that, back by itself in the same registration.
// Loopback-only namespace required.
import { describe, expect, it } from 'vitest'
import { useFaultHub } from './fault-hub.js'
import { measureFrozenParticipant, measureKilledParticipant } from '../src/faults/departure.js'

describe('faults: participants that die or freeze', () => {
  const hub = useFaultHub()

  it('a participant killed with no leave is gone for the others within 5 s', async () => {
    const figures = await measureKilledParticipant(hub().url)
    console.info('[faults killed]', JSON.stringify(figures))
    expect(figures.goneMs).toBeLessThanOrEqual(5_000)
  })

  it('a frozen participant is marked within 2 s and removed within 10 s', async () => {
    const figures = await measureFrozenParticipant(hub().url, { resume: false })
    console.info('[faults frozen]', JSON.stringify(figures))
    expect(figures.markedMs).toBeLessThanOrEqual(2_000)
    // What a tile shows: the core's view of the others marks it too.
    expect(figures.viewMarkedMs).toBeLessThanOrEqual(2_000)
    expect(figures.goneMs).toBeLessThanOrEqual(10_000)
  })

  it('a frozen participant that continues before its removal is back by itself', async () => {
    const figures = await measureFrozenParticipant(hub().url, { resume: true })
    console.info('[faults frozen, continued]', JSON.stringify(figures))
    expect(figures.markedMs).toBeLessThanOrEqual(2_000)
    expect(figures.viewMarkedMs).toBeLessThanOrEqual(2_000)
    expect(figures.backMs).toBeDefined()
    expect(figures.viewBackMs).toBeDefined()
    expect(figures.stayed).toBe(true)
  })
})

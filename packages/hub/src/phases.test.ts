import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from './clock.js'
import { Phases } from './phases.js'

type Light = { name: 'green' } | { name: 'amber'; blinking: boolean } | { name: 'red' }

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Phases', () => {
  it('runs a deadline only while its phase lasts', () => {
    const phases = new Phases<Light>(systemClock, { name: 'green' })
    const timeouts: string[] = []
    phases.enter({ name: 'amber', blinking: false }, { ms: 1_000, onTimeout: () => timeouts.push('amber') })
    vi.advanceTimersByTime(999)
    phases.enter({ name: 'red' })
    vi.advanceTimersByTime(10_000)
    expect(timeouts).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('amends what a phase carries without touching its deadline', () => {
    const phases = new Phases<Light>(systemClock, { name: 'amber', blinking: false })
    let fired = 0
    phases.deadline({ ms: 500, onTimeout: () => fired++ })
    vi.advanceTimersByTime(400)
    phases.amend({ name: 'amber', blinking: true })
    vi.advanceTimersByTime(100)
    expect(fired).toBe(1)
    expect(phases.current).toEqual({ name: 'amber', blinking: true })
    expect(() => phases.amend({ name: 'red' })).toThrow(/amend red while in amber/)
  })
})

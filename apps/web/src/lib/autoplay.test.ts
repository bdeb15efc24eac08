import { describe, expect, it } from 'vitest'
import { createAutoplayGuard, isAutoplayRefusal } from './autoplay'

class FakeElement {
  plays = 0
  constructor(public refuse: 'NotAllowedError' | 'AbortError' | undefined) {}
  play(): Promise<void> {
    this.plays += 1
    if (!this.refuse) return Promise.resolve()
    return Promise.reject(Object.assign(new Error('refused'), { name: this.refuse }))
  }
}

describe('autoplay guard', () => {
  it('reports blocked audio on NotAllowedError and clears it once every element plays', async () => {
    const changes: boolean[] = []
    const guard = createAutoplayGuard((blocked) => changes.push(blocked))
    const a = new FakeElement('NotAllowedError')
    const b = new FakeElement(undefined)
    guard.register(a)
    guard.register(b)
    await guard.play(a)
    await guard.play(b)
    expect(guard.blocked()).toBe(true)
    expect(changes).toEqual([true])

    a.refuse = undefined // the click on "Enable audio" is a user gesture
    await guard.resumeAll()
    expect(a.plays).toBe(2)
    expect(b.plays).toBe(2)
    expect(guard.blocked()).toBe(false)
    expect(changes).toEqual([true, false])
  })

  it('ignores other play() failures (a newer load aborted this one)', async () => {
    const changes: boolean[] = []
    const guard = createAutoplayGuard((blocked) => changes.push(blocked))
    await guard.play(new FakeElement('AbortError'))
    expect(guard.blocked()).toBe(false)
    expect(changes).toEqual([])
  })

  it('forgets a refused element that leaves the screen', async () => {
    const changes: boolean[] = []
    const guard = createAutoplayGuard((blocked) => changes.push(blocked))
    const element = new FakeElement('NotAllowedError')
    guard.register(element)
    await guard.play(element)
    guard.unregister(element)
    expect(guard.blocked()).toBe(false)
    expect(changes).toEqual([true, false])
  })

  it('recognises the refusal by name', () => {
    expect(isAutoplayRefusal({ name: 'NotAllowedError' })).toBe(true)
    expect(isAutoplayRefusal(new Error('x'))).toBe(false)
    expect(isAutoplayRefusal(undefined)).toBe(false)
  })
})

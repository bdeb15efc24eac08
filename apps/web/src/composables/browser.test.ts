import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { memoryStorage } from '../environment'
import type { StorageLike } from '../environment'
import { afterNextPaint, refAutoReset, useEventListener, useMediaQuery, useStoredRef, useTitle } from './browser'

const refusing: StorageLike = {
  getItem: () => {
    throw new Error('SecurityError')
  },
  setItem: () => {
    throw new Error('QuotaExceededError')
  },
  removeItem: () => {
    throw new Error('SecurityError')
  },
}

afterEach(() => {
  vi.useRealTimers()
})

describe('useStoredRef', () => {
  it('reads the stored value, writes each change at once and never writes the default', () => {
    const storage = memoryStorage({ name: 'Ada' })
    const scope = effectScope()
    const name = scope.run(() => useStoredRef('name', '', storage))!
    expect(name.value).toBe('Ada')
    name.value = 'Grace'
    expect(storage.getItem('name')).toBe('Grace')

    const other = scope.run(() => useStoredRef('other', 'default', storage))!
    expect(other.value).toBe('default')
    expect(storage.getItem('other')).toBeNull()
    scope.stop()
  })

  it('goes through the serializer and removes the key when set to null', () => {
    const storage = memoryStorage({ call: '{"room":"r1"}' })
    const serializer = { read: (raw: string) => JSON.parse(raw) as { room: string }, write: (value: { room: string } | null) => JSON.stringify(value) }
    const scope = effectScope()
    const call = scope.run(() => useStoredRef<{ room: string } | null>('call', null, storage, serializer))!
    expect(call.value).toEqual({ room: 'r1' })
    call.value = { room: 'r2' }
    expect(storage.getItem('call')).toBe('{"room":"r2"}')
    call.value = null
    expect(storage.getItem('call')).toBeNull()
    scope.stop()
  })

  it('keeps the value in memory when the storage refuses', () => {
    const scope = effectScope()
    const name = scope.run(() => useStoredRef('name', 'Guest', refusing))!
    expect(name.value).toBe('Guest')
    name.value = 'Ada'
    expect(name.value).toBe('Ada')
    scope.stop()
  })
})

describe('useEventListener', () => {
  it('listens until its scope ends', () => {
    const target = new EventTarget()
    const heard: string[] = []
    const scope = effectScope()
    scope.run(() => useEventListener(target, 'ping', (event) => heard.push(event.type)))
    target.dispatchEvent(new Event('ping'))
    scope.stop()
    target.dispatchEvent(new Event('ping'))
    expect(heard).toEqual(['ping'])
  })

  it('does nothing without a target', () => {
    expect(() => useEventListener(undefined, 'ping', () => undefined)()).not.toThrow()
  })
})

describe('useTitle and useMediaQuery', () => {
  it('keeps the document title', async () => {
    const title = ref('One')
    const scope = effectScope()
    scope.run(() => useTitle(title))
    expect(document.title).toBe('One')
    title.value = 'Two'
    await nextTick()
    expect(document.title).toBe('Two')
    scope.stop()
  })

  it('follows the window size', () => {
    const setViewport = (width: number) => (window as unknown as { happyDOM: { setViewport(size: { width: number; height: number }): void } }).happyDOM.setViewport({ width, height: 700 })
    const scope = effectScope()
    const narrow = scope.run(() => useMediaQuery('(max-width: 480px)'))!
    setViewport(1024)
    expect(narrow.value).toBe(false)
    setViewport(400)
    expect(narrow.value).toBe(true)
    setViewport(1024)
    scope.stop()
  })
})

describe('refAutoReset', () => {
  it('goes back to its initial value after the delay, counted from the last change', () => {
    vi.useFakeTimers()
    const copied = refAutoReset(false, 1000)
    copied.value = true
    vi.advanceTimersByTime(600)
    copied.value = true
    vi.advanceTimersByTime(600)
    expect(copied.value).toBe(true)
    vi.advanceTimersByTime(400)
    expect(copied.value).toBe(false)
  })

  it('afterNextPaint resolves once the next frame is done, not before its callbacks', async () => {
    const order: string[] = []
    const painted = afterNextPaint().then(() => order.push('after'))
    requestAnimationFrame(() => order.push('frame'))
    await painted
    expect(order).toEqual(['frame', 'after'])
  })
})

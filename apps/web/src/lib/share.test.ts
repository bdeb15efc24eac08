import { describe, expect, it } from 'vitest'
import { shareEqual } from './share'

describe('shareEqual', () => {
  it('hands back the previous value when the next one is deeply equal', () => {
    const previous = { status: 'joining', local: { audioEnabled: true }, participants: [{ id: 'a', tracks: ['v'] }] }
    const next = { status: 'joining', local: { audioEnabled: true }, participants: [{ id: 'a', tracks: ['v'] }] }
    expect(shareEqual(previous, next)).toBe(previous)
  })

  it('keeps the unchanged parts of a changed value and takes the changed ones', () => {
    const previous = { status: 'joining', local: { audioEnabled: true }, participants: [{ id: 'a' }, { id: 'b' }] }
    const next = { status: 'connected', local: { audioEnabled: true }, participants: [{ id: 'a' }, { id: 'c' }] }
    const shared = shareEqual(previous, next)
    expect(shared).toEqual(next)
    expect(shared).not.toBe(previous)
    expect(shared.local).toBe(previous.local)
    expect(shared.participants).not.toBe(previous.participants)
    expect(shared.participants[0]).toBe(previous.participants[0])
    expect(shared.participants[1]).toBe(next.participants[1])
  })

  it('sees added, removed and reordered entries', () => {
    expect(shareEqual({ a: 1 }, { a: 1, b: 2 })).toEqual({ a: 1, b: 2 })
    const previous = { a: 1, b: undefined }
    expect(shareEqual(previous, { a: 1, c: undefined })).not.toBe(previous)
    const list = [1, 2]
    expect(shareEqual(list, [2, 1])).toEqual([2, 1])
    expect(shareEqual(list, [1, 2, 3])).toEqual([1, 2, 3])
    expect(shareEqual(list, [1])).toEqual([1])
  })

  it('compares class instances by identity, never by content', () => {
    class Stream {
      constructor(readonly id: string) {}
    }
    const stream = new Stream('s')
    const previous = { stream }
    expect(shareEqual(previous, { stream })).toBe(previous)
    const other = new Stream('s')
    expect(shareEqual(previous, { stream: other }).stream).toBe(other)
    expect(shareEqual([1], { 0: 1 })).toEqual({ 0: 1 })
  })
})

import type { ChatMessage } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { composed, emptyChatLog, FLOOD_LIMIT, markQueued, markSent, read, received, refusalOf } from './chatLog.js'

const from = (sender: string, id: string, text = 'hi'): ChatMessage => ({ type: 'chat', id, from: sender, name: `Name ${sender}`, time: 1, text })

describe('chat log', () => {
  it('counts unread messages from others until read, and ignores a repeated id', () => {
    let log = received(emptyChatLog(), from('b', '1'), 0)
    log = received(log, from('b', '2'), 10)
    log = received(log, from('b', '2'), 20)
    expect(log.entries.map((e) => e.id)).toEqual(['1', '2'])
    expect(log.unread).toBe(2)
    expect(read(log).unread).toBe(0)
  })

  it('throttles a sender over 10 messages a second: drops the rest, says so once, lets them in again after the window', () => {
    let log = emptyChatLog()
    for (let i = 0; i < FLOOD_LIMIT + 5; i++) log = received(log, from('b', `m${i}`), i)
    expect(log.entries).toHaveLength(FLOOD_LIMIT)
    expect(log.notice).toEqual({ kind: 'throttled', clientId: 'b', name: 'Name b' })
    expect(log.noticeCount).toBe(1)
    log = received(log, from('c', 'x'), 20)
    expect(log.entries).toHaveLength(FLOOD_LIMIT + 1)
    log = received(log, from('b', 'late'), 1500)
    expect(log.entries.at(-1)?.id).toBe('late')
  })

  it('refuses our empty, blank, oversized and non-text messages with a reason', () => {
    expect(refusalOf('')).toBe('must not be empty')
    expect(refusalOf('   ')).toBe('must not be empty')
    expect(refusalOf('x'.repeat(2001))).toBe('must be at most 2000 characters')
    expect(refusalOf(42)).toBe('must be text')
    expect(refusalOf('<script>alert(1)</script>')).toBeUndefined()
    const result = composed(emptyChatLog(), from('me', '1', ''), 0, 'sent')
    expect(result).toMatchObject({ accepted: false, log: { notice: { kind: 'refused', reason: 'must not be empty' }, entries: [] } })
  })

  it('refuses our own flood with a notice instead of sending it', () => {
    let log = emptyChatLog()
    for (let i = 0; i < FLOOD_LIMIT; i++) log = composed(log, from('me', `${i}`), i, 'sent').log
    const flood = composed(log, from('me', 'extra'), 50, 'sent')
    expect(flood.accepted).toBe(false)
    expect(flood.log.notice).toEqual({ kind: 'too-fast' })
  })

  it('moves our messages between queued and sent', () => {
    let log = composed(emptyChatLog(), from('me', '1'), 0, 'queued').log
    log = markSent(log, ['1'], 'me')
    expect(log.entries[0]?.status).toBe('sent')
    expect(markQueued(log, '1', 'me').entries[0]?.status).toBe('queued')
  })
})

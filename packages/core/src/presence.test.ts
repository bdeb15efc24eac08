import { describe, expect, it } from 'vitest'
import { handMetaKey, reactionMetaKey } from '@parley/protocol'
import { emptyPresence, ownReaction, presenceChanged, withPresence } from './presence.js'

describe('presence: hands and reactions from room metadata', () => {
  it("raises and lowers the others' hands; our own key and other keys change nothing", () => {
    let presence = presenceChanged(emptyPresence(), { key: handMetaKey('bo'), value: { raised: true } }, 'me')
    expect(presence.hands).toEqual(['bo'])
    expect(presenceChanged(presence, { key: handMetaKey('me'), value: { raised: true } }, 'me')).toBe(presence)
    expect(presenceChanged(presence, { key: 'parley.media.bo', value: { audio: true, video: true } }, 'me')).toBe(presence)
    presence = presenceChanged(presence, { key: handMetaKey('bo'), value: { raised: false } }, 'me')
    expect(presence.hands).toEqual([])
    // A deleted or malformed key lowers it too.
    presence = presenceChanged(presenceChanged(presence, { key: handMetaKey('bo'), value: { raised: true } }, 'me'), { key: handMetaKey('bo'), value: null }, 'me')
    expect(presence.hands).toEqual([])
  })

  it('keeps the latest reaction of each; markup, unknown emoji and long ids are ignored', () => {
    let presence = presenceChanged(emptyPresence(), { key: reactionMetaKey('bo'), value: { emoji: '🎉', id: 'bo-1' } }, 'me')
    expect(presence.reactions.bo).toEqual({ emoji: '🎉', id: 'bo-1' })
    for (const value of [{ emoji: '<img src=x onerror=alert(1)>', id: 'bo-2' }, { emoji: '👍', id: 'x'.repeat(65) }, 'boom', null]) {
      expect(presenceChanged(presence, { key: reactionMetaKey('bo'), value }, 'me')).toBe(presence)
    }
    presence = ownReaction(ownReaction(presence, '👍', 'me'), '👍', 'me')
    expect(presence.ownReaction).toEqual({ emoji: '👍', id: 'me-2' })
  })

  it('joins hands and reactions to participants', () => {
    const presence = presenceChanged(presenceChanged(emptyPresence(), { key: handMetaKey('bo'), value: { raised: true } }, 'me'), { key: reactionMetaKey('cy'), value: { emoji: '👏', id: 'cy-1' } }, 'me')
    expect(withPresence([{ clientId: 'bo' }, { clientId: 'cy' }], presence)).toEqual([
      { clientId: 'bo', handRaised: true },
      { clientId: 'cy', reaction: { emoji: '👏', id: 'cy-1' } },
    ])
  })
})

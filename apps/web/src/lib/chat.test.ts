import { describe, expect, it } from 'vitest'
import { chatButtonLabel, chatNoticeText } from './chat'

describe('chat wording', () => {
  it('words every notice, naming a throttled sender as text', () => {
    expect(chatNoticeText({ kind: 'refused', reason: 'must not be empty' })).toBe('Write something before sending.')
    expect(chatNoticeText({ kind: 'refused', reason: 'must be at most 2000 characters' })).toBe('That message was not sent: it must be at most 2000 characters.')
    expect(chatNoticeText({ kind: 'too-fast' })).toMatch(/too fast/)
    expect(chatNoticeText({ kind: 'throttled', clientId: 'c', name: '<b>Bo</b>' })).toBe('<b>Bo</b> is sending too many messages; some were not shown.')
    expect(chatNoticeText(undefined)).toBeUndefined()
  })

  it('says how many are unread on the button', () => {
    expect(chatButtonLabel(0)).toBe('Chat')
    expect(chatButtonLabel(3)).toBe('Chat, 3 unread')
  })
})

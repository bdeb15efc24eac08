import { describe, expect, it } from 'vitest'
import { chatButtonLabel, chatE2eeNotes, chatNoticeText } from './chat'

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

  it("words an encrypted chat's losses: what did not decrypt or came in the clear together, ours not sent apart; nothing without encryption", () => {
    expect(chatE2eeNotes(undefined)).toBeUndefined()
    expect(chatE2eeNotes({ undecryptable: 0, unencrypted: 0, unsent: 0 })).toEqual({})
    expect(chatE2eeNotes({ undecryptable: 1, unencrypted: 0, unsent: 0 })).toEqual({ dropped: '1 message could not be decrypted.' })
    expect(chatE2eeNotes({ undecryptable: 0, unencrypted: 1, unsent: 1 })).toEqual({ dropped: '1 message could not be decrypted.', unsent: '1 message of yours could not be sent.' })
    expect(chatE2eeNotes({ undecryptable: 2, unencrypted: 1, unsent: 2 })).toEqual({ dropped: '3 messages could not be decrypted.', unsent: '2 messages of yours could not be sent.' })
  })
})

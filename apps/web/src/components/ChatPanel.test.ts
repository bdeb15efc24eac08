import { flushPromises } from '@vue/test-utils'
import { nextTick } from 'vue'
import { describe, expect, it } from 'vitest'
import type { ChatView } from '../conference/types'
import { createTestApp } from '../testing/testApp'
import ChatPanel from './ChatPanel.vue'
import ControlBar from './ControlBar.vue'
import { useChatStore } from '../stores/chat'

const message = (id: string, text: string, status: 'received' | 'sent' | 'queued' = 'received', name = 'Bo') => ({ id, from: status === 'received' ? 'c2' : 'me', name, time: 0, text, status })

function started(chat: Partial<ChatView> = {}) {
  const app = createTestApp()
  app.start()
  app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, chat: { channel: 'open', messages: [], unread: 0, noticeCount: 0, ...chat } })
  app.fake.calls.length = 0
  return app
}

describe('ChatPanel', () => {
  it('shows names and texts as text, never HTML, and says messages start when you joined', () => {
    const app = started({ messages: [message('1', '<img src=x onerror=alert(1)>hi', 'received', '<b>Bo</b>'), message('me-1', 'mine', 'queued')] })
    const panel = app.mount(ChatPanel)
    const texts = panel.findAll('[data-testid="chat-text"]').map((node) => node.text())
    expect(texts).toEqual(['<img src=x onerror=alert(1)>hi', 'mine'])
    expect(panel.find('[data-testid="chat-messages"] img').exists()).toBe(false)
    expect(panel.findAll('[data-testid="chat-name"]').map((node) => node.text())).toEqual(['<b>Bo</b>', 'You'])
    expect(panel.find('[data-testid="chat-queued"]').exists()).toBe(true)
    expect(panel.get('[data-testid="chat-since"]').text()).toMatch(/since you joined/)
  })

  it("says an encrypted call's chat is end-to-end encrypted, and how many messages it could not decrypt or send", async () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=r1#e2ee=Zm9vYmFyYmF6cXV4cXV1eA', canEncryptMedia: true })
    app.start()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    const panel = app.mount(ChatPanel)
    expect(panel.get('[data-testid="chat-since"]').text()).toContain('End-to-end encrypted.')
    expect(panel.find('[data-testid="chat-e2ee-dropped"]').exists()).toBe(false)
    app.fake.e2ee!.setStatus({ chat: { undecryptable: 1, unencrypted: 0, unsent: 0 } })
    await nextTick()
    expect(panel.get('[data-testid="chat-e2ee-dropped"]').text()).toBe('1 message could not be decrypted.')
    app.fake.e2ee!.setStatus({ chat: { undecryptable: 2, unencrypted: 1, unsent: 2 } })
    await nextTick()
    expect(panel.get('[data-testid="chat-e2ee-dropped"]').text()).toBe('3 messages could not be decrypted.')
    expect(panel.get('[data-testid="chat-e2ee-unsent"]').text()).toBe('2 messages of yours could not be sent.')
  })

  it('says nothing of encryption in a call without a key', () => {
    const panel = started().mount(ChatPanel)
    expect(panel.get('[data-testid="chat-since"]').text()).not.toContain('encrypted')
  })

  it('sends the draft with the button and with Enter, and clears it; an empty draft stays', async () => {
    const app = started()
    const panel = app.mount(ChatPanel)
    await panel.get('[data-testid="chat-input"]').setValue('hello')
    await panel.get('form').trigger('submit')
    await panel.get('[data-testid="chat-input"]').setValue('second')
    await panel.get('[data-testid="chat-input"]').trigger('keydown', { key: 'Enter' })
    await panel.get('[data-testid="chat-input"]').setValue('   ')
    await panel.get('form').trigger('submit')
    expect(app.fake.calls).toEqual([
      { method: 'sendChat', args: ['hello'] },
      { method: 'sendChat', args: ['second'] },
      { method: 'sendChat', args: ['   '] },
    ])
    expect((panel.get('[data-testid="chat-input"]').element as HTMLTextAreaElement).value).toBe('   ')
    expect(panel.get('[data-testid="chat-input"]').attributes('maxlength')).toBe('2000')
  })

  it('words the core’s notice and says when the chat is still connecting', async () => {
    const app = started({ channel: 'connecting', notice: { kind: 'throttled', clientId: 'c2', name: 'Bo' }, noticeCount: 1 })
    const panel = app.mount(ChatPanel)
    await nextTick()
    expect(panel.get('[data-testid="chat-notice"]').text()).toBe('Bo is sending too many messages; some were not shown.')
    expect(panel.find('[data-testid="chat-connecting"]').exists()).toBe(true)
  })
})

describe('chat button', () => {
  it('shows the unread count, opens the panel, and marks what it shows as read', async () => {
    const app = started({ messages: [message('1', 'a'), message('2', 'b')], unread: 2 })
    const bar = app.mount(ControlBar)
    expect(bar.get('[data-testid="chat-unread"]').text()).toBe('2')
    expect(bar.get('[data-testid="chat-button"]').attributes('aria-label')).toBe('Chat, 2 unread')
    await bar.get('[data-testid="chat-button"]').trigger('click')
    await flushPromises()
    expect(useChatStore().open).toBe(true)
    expect(app.fake.calls).toContainEqual({ method: 'readChat', args: [] })
    app.fake.setView({ status: 'connected', chat: { channel: 'open', messages: [], unread: 0, noticeCount: 0 } })
    await nextTick()
    expect(bar.find('[data-testid="chat-unread"]').exists()).toBe(false)
  })
})

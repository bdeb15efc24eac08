// The lobby of a locked room in the app: the host sees who waits and answers (the call's notice, the People
// panel's "Waiting to join"), hears it; the newcomer sees that it is asking, can cancel, and is told a refusal.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { MADE_HOST_NOTICE_MS } from '../composables/lobbyAnnouncements'
import type { ConferenceView } from '../conference/types'
import { useAnnouncerStore } from '../stores/announcer'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import App from '../App.vue'
import CallView from './CallView.vue'

const host = { isHost: true, canModerate: true, mutedCount: 0, roomLocked: true, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0, hostClientId: 'me', hostName: 'Ada' }
const bo = { knockId: 'k1', name: 'Bo', since: 1 }
const cy = { knockId: 'k2', name: 'Cy', since: 2 }

async function mountCall(view: Partial<ConferenceView>) {
  const app = createTestApp()
  app.start()
  const show = (more: Partial<ConferenceView>) => app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, clientId: 'me', displayName: 'Ada', ...view, ...more })
  show({})
  app.fake.calls.length = 0
  const wrapper = app.mount(CallView, { attachTo: document.body })
  await nextTick()
  return { app, wrapper, show }
}

describe('the host and the people waiting to join', () => {
  it('shows one person waiting with Admit and Deny, and says so', async () => {
    const { app, wrapper, show } = await mountCall({ host })
    expect(wrapper.find('[data-testid="lobby-notice"]').exists()).toBe(false)
    show({ host: { ...host, waiting: [bo] } })
    await nextTick()
    expect(wrapper.get('[data-testid="lobby-notice-text"]').text()).toBe('Bo wants to join.')
    expect(useAnnouncerStore().announcement).toBe('Bo is asking to join.')
    await wrapper.get('[data-testid="lobby-notice-admit"]').trigger('click')
    await wrapper.get('[data-testid="lobby-notice-deny"]').trigger('click')
    expect(app.fake.calls).toEqual([
      { method: 'answerKnock', args: ['k1', true] },
      { method: 'answerKnock', args: ['k1', false] },
    ])
    show({ host: { ...host, answeredCount: 1, lastAnswered: { knockId: 'k1', name: 'Bo', admitted: true, by: { clientId: 'me', name: 'Ada' } } } })
    await nextTick()
    expect(wrapper.find('[data-testid="lobby-notice"]').exists()).toBe(false)
    expect(useAnnouncerStore().announcement).toBe('You let Bo in.')
    wrapper.unmount()
  })

  it('counts several and opens the People panel, whose list answers each or everyone (the notice then hides)', async () => {
    const { app, wrapper } = await mountCall({ host: { ...host, waiting: [bo, cy] } })
    expect(wrapper.get('[data-testid="lobby-notice-text"]').text()).toBe('2 people want to join.')
    await wrapper.get('[data-testid="lobby-notice-view"]').trigger('click')
    expect(wrapper.find('[data-testid="lobby-notice"]').exists()).toBe(false)
    const rows = wrapper.findAll('[data-testid="waiting-row"]')
    expect(rows.map((row) => row.get('[data-testid="waiting-name"]').text())).toEqual(['Bo', 'Cy'])
    expect(wrapper.get('#waiting-title').text()).toContain('Waiting to join (2)')
    expect(rows[1]!.get('[data-testid="waiting-admit"]').attributes('aria-label')).toBe('Admit Cy')
    await rows[1]!.get('[data-testid="waiting-deny"]').trigger('click')
    await wrapper.get('[data-testid="waiting-admit-all"]').trigger('click')
    expect(app.fake.calls).toEqual([
      { method: 'answerKnock', args: ['k2', false] },
      { method: 'admitEveryone', args: [] },
    ])
    wrapper.unmount()
  })

  it('shows nothing of the lobby to someone who cannot answer', async () => {
    const guest = { ...host, isHost: false, canModerate: false, hostClientId: 'c2', waiting: [bo] }
    const { wrapper } = await mountCall({ host: guest })
    expect(wrapper.find('[data-testid="lobby-notice"]').exists()).toBe(false)
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    expect(wrapper.find('[data-testid="waiting-list"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('the newcomer a locked room refused', () => {
  it('sees that it is asking to join, and Cancel leaves', async () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=r1&roomName=Team' })
    app.start()
    app.fake.setView({ status: 'joining', knocking: 'waiting', busy: true })
    const wrapper = app.mount(App, { attachTo: document.body })
    const banner = await vi.waitFor(() => wrapper.get('[data-testid="status-banner"]'))
    expect(banner.attributes('data-kind')).toBe('knocking')
    expect(wrapper.get('[data-testid="knocking-text"]').text()).toContain('This room is locked. Asking to join…')
    await wrapper.get('[data-testid="knock-cancel"]').trigger('click')
    expect(app.fake.calls.at(-1)).toEqual({ method: 'leave', args: [] })
    wrapper.unmount()
  })

  it('is told a refusal on the ended screen, with Ask again', async () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=r1&roomName=Team' })
    app.start()
    app.fake.setView({ status: 'failed', error: { kind: 'knock-declined', message: 'the host did not let us in' } })
    const wrapper = app.mount(App, { attachTo: document.body })
    await vi.waitFor(() => wrapper.get('[data-testid="ended-title"]'))
    expect(wrapper.get('[data-testid="ended-title"]').text()).toBe('You were not let in')
    expect(wrapper.get('[data-testid="retry-button"]').text()).toBe('Ask again')
    await wrapper.get('[data-testid="retry-button"]').trigger('click')
    expect(app.fake.calls.at(-1)).toEqual({ method: 'retry', args: [] })
    wrapper.unmount()
  })
})

describe('co-hosts', () => {
  it('a host makes a participant a host from the People panel; nobody already host gets the button', async () => {
    const { app, wrapper } = await mountCall({ host, participants: [makeParticipant(1, { name: 'Bo' }), makeParticipant(2, { name: 'Cy', isHost: true })] })
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    const buttons = wrapper.findAll('[data-testid="participant-make-host"]')
    expect(buttons.map((button) => button.attributes('aria-label'))).toEqual(['Make Bo a host'])
    await buttons[0]!.trigger('click')
    expect(app.fake.calls).toEqual([{ method: 'grantHost', args: ['client-1'] }])
    wrapper.unmount()
  })

  it('the participant made a host hears it, and gets the host’s controls', async () => {
    const guest = { ...host, isHost: false, canModerate: false, roomLocked: false, hostClientId: 'c2' }
    const { wrapper, show } = await mountCall({ host: guest, participants: [makeParticipant(1, { name: 'Bo' })] })
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    expect(wrapper.find('[data-testid="participants-lock"]').exists()).toBe(false)
    show({ host: { ...guest, isHost: true, canModerate: true, madeHostBy: { clientId: 'c2', name: 'Di' }, madeHostCount: 1 }, participants: [makeParticipant(1, { name: 'Bo' })] })
    await nextTick()
    expect(useAnnouncerStore().announcement).toBe('Di made you a host. You can let people in, mute and remove.')
    expect(wrapper.find('[data-testid="participants-lock"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('the one the hub makes host when the last host left hears why, and gets the host’s controls', async () => {
    const guest = { ...host, isHost: false, canModerate: false, roomLocked: true, hostClientId: 'c2' }
    const { wrapper, show } = await mountCall({ host: guest, participants: [makeParticipant(1, { name: 'Bo' })] })
    await wrapper.get('[data-testid="toggle-participants"]').trigger('click')
    expect(wrapper.find('[data-testid="participants-lock"]').exists()).toBe(false)
    show({ host: { ...guest, isHost: true, canModerate: true, madeHostBy: { clientId: 'c2', name: 'Di' }, madeHostReason: 'host_left', madeHostCount: 1 }, participants: [makeParticipant(1, { name: 'Bo' })] })
    await nextTick()
    expect(useAnnouncerStore().announcement).toBe("You're the host now: Di left. You can let people in, mute and remove.")
    expect(wrapper.get('[data-testid="participants-lock"]').text()).toContain('Unlock room')
    wrapper.unmount()
  })

  describe('the notice on screen', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it('shows the one made a host, by a grant and by the hand-over, why for a few seconds; then it goes by itself', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const guest = { ...host, isHost: false, canModerate: false, roomLocked: false, hostClientId: 'c2' }
      const { wrapper, show } = await mountCall({ host: guest })
      const notice = () => wrapper.find('[data-testid="made-host-notice"]')
      const focused = document.activeElement
      expect(notice().exists()).toBe(false)
      show({ host: { ...guest, isHost: true, canModerate: true, madeHostBy: { clientId: 'c2', name: 'Di' }, madeHostCount: 1 } })
      await nextTick()
      expect(notice().get('[data-testid="made-host-notice-text"]').text()).toBe('Di made you a host. You can let people in, mute and remove.')
      // Shown, not focused: whatever had the focus keeps it (the live region says the sentence).
      expect(document.activeElement).toBe(focused)
      await vi.advanceTimersByTimeAsync(MADE_HOST_NOTICE_MS - 1)
      expect(notice().exists()).toBe(true)
      await vi.advanceTimersByTimeAsync(1)
      expect(notice().exists()).toBe(false)

      show({ host: { ...guest, isHost: true, canModerate: true, madeHostBy: { clientId: 'c3', name: 'Cy' }, madeHostReason: 'host_left', madeHostCount: 2 } })
      await nextTick()
      expect(notice().get('[data-testid="made-host-notice-text"]').text()).toBe("You're the host now: Cy left. You can let people in, mute and remove.")
      expect(document.activeElement).toBe(focused)
      await vi.advanceTimersByTimeAsync(MADE_HOST_NOTICE_MS)
      expect(notice().exists()).toBe(false)
      wrapper.unmount()
    })

    it('goes on Dismiss, stacks above who waits to join, and leaves no timer behind the call screen', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const guest = { ...host, isHost: false, canModerate: false, hostClientId: 'c2', waiting: [bo] }
      const { wrapper, show } = await mountCall({ host: guest })
      show({ host: { ...guest, isHost: true, canModerate: true, madeHostBy: { clientId: 'c2', name: 'Di' }, madeHostReason: 'host_left', madeHostCount: 1 } })
      await nextTick()
      const foot = wrapper.findAll('.call__foot-notices > p').map((notice) => notice.attributes('data-testid'))
      expect(foot).toEqual(['made-host-notice', 'lobby-notice'])
      await wrapper.get('[data-testid="made-host-notice-dismiss"]').trigger('click')
      expect(wrapper.find('[data-testid="made-host-notice"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="lobby-notice"]').exists()).toBe(true)

      show({ host: { ...guest, isHost: true, canModerate: true, madeHostBy: { clientId: 'c2', name: 'Di' }, madeHostCount: 2 } })
      await nextTick()
      expect(wrapper.find('[data-testid="made-host-notice"]').exists()).toBe(true)
      const before = vi.getTimerCount()
      wrapper.unmount()
      // The notice's own timer went with the call screen.
      expect(vi.getTimerCount()).toBe(before - 1)
    })
  })
})

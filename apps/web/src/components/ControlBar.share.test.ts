// The control bar's screen-share button: present only where the browser can share, toggles the share
// through the session (the core decides), and says a refused picker without ending anything.
import { nextTick } from 'vue'
import { describe, expect, it } from 'vitest'
import { createFakeConference } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import ControlBar from './ControlBar.vue'

function mountBar(canShare = true) {
  const fake = createFakeConference()
  ;(fake.handle as { capabilities: { screenShare: boolean } }).capabilities.screenShare = canShare
  const app = createTestApp({ fake })
  app.start()
  fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
  fake.calls.length = 0
  return { fake, bar: app.mount(ControlBar, { attachTo: document.body }) }
}

describe('ControlBar screen share', () => {
  it('starts a share, then offers to stop it', async () => {
    const { fake, bar } = mountBar()
    const button = bar.get('[data-testid="toggle-screen-share"]')
    expect(button.text()).toBe('Share screen')
    expect(button.attributes('aria-pressed')).toBe('false')
    await button.trigger('click')
    expect(fake.calls).toEqual([{ method: 'startScreenShare', args: [] }])
    fake.setView({ status: 'connected', screenShare: { state: 'sharing', streamId: 's' } })
    await nextTick()
    expect(button.text()).toBe('Stop sharing')
    expect(button.attributes('aria-pressed')).toBe('true')
    await button.trigger('click')
    expect(fake.calls.at(-1)).toEqual({ method: 'stopScreenShare', args: [] })
    bar.unmount()
  })

  it('says a cancelled or refused picker, and the call controls stay as they were', async () => {
    const { fake, bar } = mountBar()
    fake.setView({ status: 'connected', screenShare: { state: 'idle', error: { kind: 'denied', message: 'NotAllowedError' } } })
    await nextTick()
    expect(bar.get('[data-testid="screen-share-notice"]').text()).toBe('Screen sharing was cancelled or not allowed.')
    expect(bar.get('[data-testid="toggle-screen-share"]').text()).toBe('Share screen')
    expect(bar.find('[data-testid="leave-button"]').exists()).toBe(true)
    bar.unmount()
  })

  it('is absent where the browser has no getDisplayMedia', () => {
    const { bar } = mountBar(false)
    expect(bar.find('[data-testid="toggle-screen-share"]').exists()).toBe(false)
    bar.unmount()
  })
})

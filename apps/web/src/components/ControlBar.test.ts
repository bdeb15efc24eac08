import { flushPromises } from '@vue/test-utils'
import { nextTick } from 'vue'
import { describe, expect, it } from 'vitest'
import type { FakeConference } from '../testing/fakeConference'
import type { LocalMediaState } from '../conference/types'
import type { ClipboardLike } from '../environment'
import { useDevtoolsStore } from '../stores/devtools'
import { createTestApp } from '../testing/testApp'
import ControlBar from './ControlBar.vue'

let fake: FakeConference

const allOn: LocalMediaState = { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'l' }

const HOST = { isHost: true, canModerate: true, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0 }

function mountBar(local: LocalMediaState = allOn, clipboard?: ClipboardLike, host = HOST) {
  const app = createTestApp(clipboard ? { clipboard } : {})
  fake = app.fake
  app.start()
  fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, local, host })
  fake.calls.length = 0 // only what the controls do
  return app.mount(ControlBar, { attachTo: document.body })
}

describe('ControlBar', () => {
  it('offers End room only to the host (the room’s creator)', () => {
    expect(mountBar().find('[data-testid="end-room-button"]').exists()).toBe(true)
    const guest = mountBar(allOn, undefined, { isHost: false, canModerate: false, mutedCount: 0, roomLocked: false, lockPending: false, waiting: [], answeredCount: 0, madeHostCount: 0 })
    expect(guest.find('[data-testid="end-room-button"]').exists()).toBe(false)
    expect(guest.find('[data-testid="leave-button"]').exists()).toBe(true)
  })

  it('turns the microphone and camera off, with aria-pressed showing they are on', async () => {
    const bar = mountBar()
    const mic = bar.get('[data-testid="toggle-mic"]')
    const camera = bar.get('[data-testid="toggle-camera"]')
    expect(mic.attributes('aria-pressed')).toBe('true')
    expect(camera.attributes('aria-pressed')).toBe('true')
    await mic.trigger('click')
    await camera.trigger('click')
    expect(fake.calls).toEqual([
      { method: 'setMicrophone', args: [false] },
      { method: 'setCamera', args: [false] },
    ])
  })

  it('turns them back on when they are off', async () => {
    const bar = mountBar({ ...allOn, audioEnabled: false, videoEnabled: false })
    expect(bar.get('[data-testid="toggle-mic"]').attributes('aria-pressed')).toBe('false')
    await bar.get('[data-testid="toggle-mic"]').trigger('click')
    await bar.get('[data-testid="toggle-camera"]').trigger('click')
    expect(fake.calls).toEqual([
      { method: 'setMicrophone', args: [true] },
      { method: 'setCamera', args: [true] },
    ])
  })

  it('disables a toggle for a device that is not available, and says why', () => {
    const bar = mountBar({ ...allOn, videoAvailable: false, videoEnabled: false })
    const camera = bar.get('[data-testid="toggle-camera"]')
    expect(camera.attributes('disabled')).toBeDefined()
    expect(camera.attributes('title')).toBe('No camera available')
  })

  it('leaves at once', async () => {
    const bar = mountBar()
    await bar.get('[data-testid="leave-button"]').trigger('click')
    expect(fake.calls).toEqual([{ method: 'leave', args: [] }])
  })

  it('ends the room only after confirmation', async () => {
    const bar = mountBar()
    await bar.get('[data-testid="end-room-button"]').trigger('click')
    const dialog = bar.get('[data-testid="end-room-dialog"]')
    expect(dialog.attributes('role')).toBe('alertdialog')
    expect(document.activeElement).toBe(bar.get('[data-testid="end-room-cancel"]').element)
    await bar.get('[data-testid="end-room-cancel"]').trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(bar.get('[data-testid="end-room-confirm"]').element) // focus stays in the dialog
    await bar.get('[data-testid="end-room-cancel"]').trigger('click')
    expect(bar.find('[data-testid="end-room-dialog"]').exists()).toBe(false)
    expect(fake.calls).toEqual([])

    await bar.get('[data-testid="end-room-button"]').trigger('click')
    await bar.get('[data-testid="end-room-confirm"]').trigger('click')
    expect(fake.calls).toEqual([{ method: 'endRoom', args: [] }])
    bar.unmount()
  })

  it('keeps Tab and Shift+Tab inside the end-room dialog', async () => {
    const bar = mountBar()
    await bar.get('[data-testid="end-room-button"]').trigger('click')
    await nextTick()
    const cancel = bar.get('[data-testid="end-room-cancel"]')
    const confirm = bar.get('[data-testid="end-room-confirm"]')
    expect(document.activeElement).toBe(cancel.element)
    await cancel.trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(confirm.element)
    await confirm.trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(cancel.element) // wraps around, never leaves the dialog
    await cancel.trigger('keydown', { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(confirm.element)
    await confirm.trigger('keydown', { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(cancel.element)
    // A click on the dialog's text keeps focus in the dialog: Tab goes on to its first button.
    ;(bar.get('[data-testid="end-room-dialog"]').element as HTMLElement).focus()
    await bar.get('[data-testid="end-room-dialog"]').trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(cancel.element)
    bar.unmount()
  })

  it('closes the end-room dialog on Escape and gives focus back to the End room button', async () => {
    const bar = mountBar()
    const opener = bar.get('[data-testid="end-room-button"]')
    ;(opener.element as HTMLElement).focus()
    await opener.trigger('click')
    await nextTick()
    await bar.get('[data-testid="end-room-confirm"]').trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(bar.find('[data-testid="end-room-dialog"]').exists()).toBe(false)
    expect(document.activeElement).toBe(opener.element)
    expect(fake.calls).toEqual([])
    bar.unmount()
  })

  it('gives focus back to the End room button after Cancel and after a click outside the dialog', async () => {
    const bar = mountBar()
    const opener = bar.get('[data-testid="end-room-button"]')
    await opener.trigger('click')
    await bar.get('[data-testid="end-room-cancel"]').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(opener.element)

    await opener.trigger('click')
    await nextTick()
    expect(document.activeElement).toBe(bar.get('[data-testid="end-room-cancel"]').element)
    await bar.get('.scrim').trigger('click')
    await flushPromises()
    expect(bar.find('[data-testid="end-room-dialog"]').exists()).toBe(false)
    expect(document.activeElement).toBe(opener.element)
    expect(fake.calls).toEqual([])
    bar.unmount()
  })

  it('moves along the toolbar with the arrow keys, Home and End', async () => {
    const bar = mountBar()
    const mic = bar.get('[data-testid="toggle-mic"]')
    await mic.trigger('keydown', { key: 'ArrowRight' })
    expect(document.activeElement).toBe(bar.get('[data-testid="toggle-camera"]').element)
    await mic.trigger('keydown', { key: 'ArrowLeft' })
    expect(document.activeElement).toBe(bar.get('[data-testid="leave-button"]').element)
    await mic.trigger('keydown', { key: 'End' })
    expect(document.activeElement).toBe(bar.get('[data-testid="leave-button"]').element)
    await bar.get('[data-testid="leave-button"]').trigger('keydown', { key: 'Home' })
    expect(document.activeElement).toBe(mic.element)
    expect(fake.calls).toEqual([]) // moving focus presses nothing
    bar.unmount()
  })

  it('copies the invite link and confirms it visibly', async () => {
    const copied: string[] = []
    const bar = mountBar(allOn, { writeText: async (text) => void copied.push(text) })
    await bar.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    expect(copied).toEqual(['http://localhost/?roomId=r1&roomName=Team'])
    expect(bar.get('[data-testid="invite-copied"]').text()).toBe('Invite link copied')
    expect(bar.get('[data-testid="copy-invite"]').text()).toBe('Copied')
    bar.unmount()
  })

  it('opens the State panel from the More menu, which closes and gives focus back', async () => {
    const bar = mountBar()
    const more = bar.get('[data-testid="more-button"]')
    expect(more.attributes('aria-haspopup')).toBe('menu')
    await more.trigger('click')
    await nextTick()
    const item = bar.get('[data-testid="menu-state-panel"]')
    expect(document.activeElement).toBe(item.element)
    expect(item.attributes('role')).toBe('menuitemcheckbox')
    expect(item.attributes('aria-checked')).toBe('false')
    expect(item.attributes('aria-keyshortcuts')).toBe('Shift+D')
    await item.trigger('click')
    expect(useDevtoolsStore().panelOpen).toBe(true)
    expect(bar.find('[data-testid="call-menu"]').exists()).toBe(false)
    expect(document.activeElement).toBe(more.element)

    await more.trigger('click')
    await nextTick()
    expect(bar.get('[data-testid="menu-state-panel"]').attributes('aria-checked')).toBe('true')
    await bar.get('[data-testid="menu-state-panel"]').trigger('keydown', { key: 'Escape' })
    expect(bar.find('[data-testid="call-menu"]').exists()).toBe(false)
    expect(document.activeElement).toBe(more.element)
    expect(fake.calls).toEqual([])
    bar.unmount()
  })

  it('labels every button', () => {
    const bar = mountBar()
    const buttons = bar.findAll('button')
    // An empty bar would pass the loop below without checking anything.
    expect(buttons.length).toBeGreaterThan(0)
    for (const button of buttons) {
      expect(button.text().trim() || button.attributes('aria-label')).toBeTruthy()
    }
  })
})

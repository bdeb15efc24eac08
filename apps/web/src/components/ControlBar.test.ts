import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createFakeConference } from '../testing/fakeConference'
import type { FakeConference } from '../testing/fakeConference'
import type { LocalMediaState } from '../conference/types'
import { useConferenceStore } from '../stores/conference'
import type { ClipboardLike } from '../stores/conference'
import ControlBar from './ControlBar.vue'

let fake: FakeConference

beforeEach(() => {
  setActivePinia(createPinia())
  fake = createFakeConference()
})

const allOn: LocalMediaState = { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'l' }

function mountBar(local: LocalMediaState = allOn, clipboard?: ClipboardLike) {
  const store = useConferenceStore()
  store.start({ factory: fake.factory, ...(clipboard ? { clipboard } : {}) })
  fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, local })
  fake.calls.length = 0 // only what the controls do
  return mount(ControlBar, { attachTo: document.body })
}

describe('ControlBar', () => {
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

  it('copies the invite link and confirms it visibly', async () => {
    const copied: string[] = []
    const bar = mountBar(allOn, { writeText: async (text) => void copied.push(text) })
    await bar.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    expect(copied).toEqual(['http://localhost/?roomId=r1&roomName=Team'])
    expect(bar.get('[data-testid="invite-copied"]').text()).toBe('Invite link copied')
  })

  it('shows the link in a text field when the clipboard is refused', async () => {
    const bar = mountBar(allOn, { writeText: () => Promise.reject(new Error('denied')) })
    await bar.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    const field = bar.get('[data-testid="invite-url"]').element as HTMLInputElement
    expect(field.value).toBe('http://localhost/?roomId=r1&roomName=Team')
    expect(field.readOnly).toBe(true)
  })

  it('labels every button', () => {
    const bar = mountBar()
    for (const button of bar.findAll('button')) {
      expect(button.text().trim() || button.attributes('aria-label')).toBeTruthy()
    }
  })
})

import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { DevicesView } from '../conference/types'
import { createTestApp } from '../testing/testApp'
import CallMenu from './CallMenu.vue'
import DeviceSelects from './DeviceSelects.vue'
import { BLUR_KEY, useBlurStore } from '../stores/blur'
import { useDevicesStore } from '../stores/devices'
import PreJoin from './PreJoin.vue'

const LISTED: DevicesView = {
  audioinput: [
    { deviceId: 'default', label: 'Default - Built-in microphone' },
    { deviceId: 'mic2', label: 'USB headset' },
  ],
  videoinput: [{ deviceId: 'cam1', label: 'Built-in camera' }],
  audiooutput: [{ deviceId: 'default', label: 'Default - Speakers' }],
  selected: { audioinput: 'mic2' },
}

function mounted(devices: DevicesView, options: { canChooseSpeaker?: boolean } = {}) {
  const app = createTestApp(options)
  app.start()
  app.fake.setView({ status: 'previewing', devices })
  app.fake.calls.length = 0
  return { app, wrapper: app.mount(DeviceSelects, { props: { idPrefix: 't' }, attachTo: document.body }) }
}

describe('DeviceSelects', () => {
  it('labels a select per device kind, showing the chosen one, and a change switches the device', async () => {
    const { app, wrapper } = mounted(LISTED)
    const microphone = wrapper.get<HTMLSelectElement>('[data-testid="select-microphone"]')
    expect(wrapper.get('label[for="t-audioinput"]').text()).toContain('Microphone')
    expect(microphone.element.value).toBe('mic2')
    expect(microphone.findAll('option').map((option) => option.text())).toEqual(['Default - Built-in microphone', 'USB headset'])
    expect(wrapper.get<HTMLSelectElement>('[data-testid="select-camera"]').element.value).toBe('cam1')
    await microphone.setValue('default')
    expect(app.fake.calls).toEqual([{ method: 'selectDevice', args: ['audioinput', 'default'] }])
    expect(wrapper.find('[data-testid="devices-hint"]').exists()).toBe(false)
  })

  it('has no speaker select where the browser cannot route audio, and one where it can', () => {
    expect(mounted(LISTED).wrapper.find('[data-testid="select-speaker"]').exists()).toBe(false)
    const { wrapper } = mounted(LISTED, { canChooseSpeaker: true })
    expect(wrapper.get('[data-testid="select-speaker"]').findAll('option').map((option) => option.text())).toEqual(['Default - Speakers'])
  })

  it('shows the default speaker as chosen until one is picked (no blank select), and picking the default again routes nothing', async () => {
    const chromium = { ...LISTED, audiooutput: [{ deviceId: 'default', label: 'Default - Speakers' }, { deviceId: 'spk2', label: 'Headphones' }] }
    const speaker = mounted(chromium, { canChooseSpeaker: true }).wrapper.get<HTMLSelectElement>('[data-testid="select-speaker"]')
    expect(speaker.element.selectedOptions[0]?.text).toBe('Default - Speakers')
    await speaker.setValue('spk2')
    expect(speaker.element.selectedOptions[0]?.text).toBe('Headphones')
    await speaker.setValue('')
    expect(useDevicesStore().speaker).toBe('')
    expect(speaker.element.selectedOptions[0]?.text).toBe('Default - Speakers')

    // A browser that lists no `default` entry of its own gets one, first.
    const other = mounted({ ...LISTED, audiooutput: [{ deviceId: 'a1', label: 'Speakers' }, { deviceId: 'a2', label: 'Headphones' }] }, { canChooseSpeaker: true })
    const select = other.wrapper.get<HTMLSelectElement>('[data-testid="select-speaker"]')
    expect(select.findAll('option').map((option) => option.text())).toEqual(['System default', 'Speakers', 'Headphones'])
    expect(select.element.selectedOptions[0]?.text).toBe('System default')
  })

  it('before permission: numbered names and a hint', () => {
    const { wrapper } = mounted({ audioinput: [{ deviceId: 'a', label: '' }], videoinput: [], audiooutput: [], selected: {} })
    expect(wrapper.get('[data-testid="devices-hint"]').text()).toContain('Allow the camera and microphone')
    expect(wrapper.get('[data-testid="select-microphone"]').text()).toBe('Microphone 1')
    expect(wrapper.find('[data-testid="select-camera"]').exists()).toBe(false)
  })

  it('a new device appears in its select when the core lists it (no reload)', async () => {
    const { app, wrapper } = mounted(LISTED)
    app.fake.setView({ status: 'previewing', devices: { ...LISTED, videoinput: [...LISTED.videoinput, { deviceId: 'cam2', label: 'Document camera' }] } })
    await flushPromises()
    expect(wrapper.get('[data-testid="select-camera"]').findAll('option').map((option) => option.text())).toEqual(['Built-in camera', 'Document camera'])
  })

  it('the Blur background box turns blur on and off as it shows, each time reopening the camera through the core', async () => {
    const { app, wrapper } = mounted(LISTED)
    const box = wrapper.get<HTMLInputElement>('[data-testid="blur-background"]')
    expect(box.element.checked).toBe(false)
    await box.setValue(true)
    expect(useBlurStore().wanted).toBe(true)
    expect(app.localStorage.data.get(BLUR_KEY)).toBe('on')
    expect(app.fake.calls).toEqual([{ method: 'reopenDevice', args: ['videoinput'] }])
    expect(box.element.checked).toBe(true)
    await box.setValue(false)
    expect(useBlurStore().wanted).toBe(false)
    expect(app.localStorage.data.get(BLUR_KEY)).toBe('off')
    expect(app.fake.calls).toHaveLength(2)
  })

  it('is part of the pre-join form', () => {
    const app = createTestApp()
    app.start()
    app.fake.setView({ status: 'previewing', devices: LISTED })
    const wrapper = app.mount(PreJoin)
    expect(wrapper.find('[data-testid="select-microphone"]').exists()).toBe(true)
  })
})

describe('Devices dialog (More → Devices…)', () => {
  it('opens from the call menu on its first select; Escape closes it and focus goes back to More', async () => {
    const app = createTestApp()
    app.start()
    app.fake.setView({ status: 'connected', devices: LISTED })
    const menu = app.mount(CallMenu, { attachTo: document.body })
    await menu.get('[data-testid="more-button"]').trigger('click')
    await flushPromises()
    await menu.get('[data-testid="menu-devices"]').trigger('click')
    await flushPromises()
    const dialog = menu.get('[data-testid="devices-dialog"]')
    expect(dialog.attributes('role')).toBe('dialog')
    expect(document.activeElement).toBe(dialog.get('[data-testid="select-camera"]').element)
    await dialog.trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(menu.find('[data-testid="devices-dialog"]').exists()).toBe(false)
    expect(document.activeElement).toBe(menu.get('[data-testid="more-button"]').element)
    menu.unmount()
  })
})

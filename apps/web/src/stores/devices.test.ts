import { describe, expect, it } from 'vitest'
import type { DevicesView } from '../conference/types'
import { createTestApp } from '../testing/testApp'
import { DEVICES_KEY, useDevicesStore } from './devices'

const LISTED: DevicesView = {
  audioinput: [
    { deviceId: 'default', label: 'Default - Built-in microphone' },
    { deviceId: 'mic2', label: 'USB headset' },
  ],
  videoinput: [{ deviceId: 'cam1', label: 'Built-in camera' }],
  audiooutput: [
    { deviceId: 'default', label: 'Default - Speakers' },
    { deviceId: 'spk2', label: 'Headphones' },
  ],
  selected: {},
}

describe('devices store', () => {
  it('hands a new conference the remembered camera and microphone before its preview', () => {
    const app = createTestApp({ localStorage: { [DEVICES_KEY]: JSON.stringify({ audioinput: 'mic2', videoinput: 'cam1', audiooutput: 'spk2' }) } })
    app.start()
    expect(app.fake.calls).toEqual([
      { method: 'selectDevice', args: ['videoinput', 'cam1'] },
      { method: 'selectDevice', args: ['audioinput', 'mic2'] },
      { method: 'preview', args: [{ audio: true, video: true }] },
    ])
  })

  it('a choice goes to the core and is remembered for the next visit', () => {
    const app = createTestApp()
    app.start()
    app.fake.setView({ devices: LISTED })
    const devices = useDevicesStore()
    app.fake.calls.length = 0
    devices.selectMicrophone('mic2')
    devices.selectCamera('cam1')
    expect(app.fake.calls).toEqual([
      { method: 'selectDevice', args: ['audioinput', 'mic2'] },
      { method: 'selectDevice', args: ['videoinput', 'cam1'] },
    ])
    expect(JSON.parse(app.localStorage.data.get(DEVICES_KEY)!)).toEqual({ audioinput: 'mic2', videoinput: 'cam1' })
  })

  it('shows what the core selected, and the default when a remembered device no longer exists', () => {
    const app = createTestApp({ localStorage: { [DEVICES_KEY]: JSON.stringify({ audioinput: 'gone-mic' }) } })
    app.start()
    app.fake.setView({ devices: { ...LISTED, selected: { audioinput: 'gone-mic' } } })
    const devices = useDevicesStore()
    expect(devices.microphone).toBe('default')
    expect(devices.camera).toBe('cam1')
    app.fake.setView({ devices: { ...LISTED, selected: { audioinput: 'mic2' } } })
    expect(devices.microphone).toBe('mic2')
  })

  it('names unnamed devices until permission is granted, and says so', () => {
    const app = createTestApp()
    app.start()
    app.fake.setView({ devices: { audioinput: [{ deviceId: 'a', label: '' }], videoinput: [{ deviceId: 'b', label: '' }], audiooutput: [], selected: {} } })
    const devices = useDevicesStore()
    expect(devices.named).toBe(false)
    expect(devices.microphones).toEqual([{ value: 'a', label: 'Microphone 1' }])
    expect(devices.cameras).toEqual([{ value: 'b', label: 'Camera 1' }])
  })

  it('offers speakers only where the browser can route audio, remembering the choice (gone: the default)', () => {
    const without = createTestApp()
    without.start()
    without.fake.setView({ devices: LISTED })
    expect(useDevicesStore().speakers).toEqual([])
    without.dispose()

    const app = createTestApp({ canChooseSpeaker: true, localStorage: { [DEVICES_KEY]: JSON.stringify({ audiooutput: 'unplugged' }) } })
    app.start()
    app.fake.setView({ devices: LISTED })
    const devices = useDevicesStore()
    expect(devices.speakers.map((choice) => choice.label)).toEqual(['Default - Speakers', 'Headphones'])
    expect(devices.speaker).toBe('')
    devices.selectSpeaker('spk2')
    expect(devices.speaker).toBe('spk2')
    expect(JSON.parse(app.localStorage.data.get(DEVICES_KEY)!)).toEqual({ audiooutput: 'spk2' })
    // The speaker is the page's, not the core's: nothing is sent.
    expect(app.fake.calls.filter((call) => call.method === 'selectDevice')).toEqual([])
  })

  it('words what the core reports (an unplugged device, one that failed) until dismissed', () => {
    const app = createTestApp()
    app.start()
    const devices = useDevicesStore()
    app.fake.setView({ status: 'connected', devices: { ...LISTED, notice: { kind: 'fallback', device: 'audioinput', label: 'USB headset' } } })
    expect(devices.notice).toBe('Your microphone was disconnected. Now using USB headset.')
    devices.dismissNotice()
    expect(devices.notice).toBe('')
    app.fake.setView({ status: 'connected', devices: { ...LISTED, notice: { kind: 'failed', device: 'videoinput', error: { kind: 'media-in-use', message: 'x' } } } })
    expect(devices.notice).toBe('Your camera is busy. The camera in use stays on.')
  })

  it('a storage that refuses keeps the choice for this visit', () => {
    const app = createTestApp()
    app.environment.localStorage.setItem = () => {
      throw new Error('QuotaExceededError')
    }
    app.start()
    app.fake.setView({ devices: LISTED })
    const devices = useDevicesStore()
    devices.selectMicrophone('mic2')
    expect(app.fake.calls.at(-1)).toEqual({ method: 'selectDevice', args: ['audioinput', 'mic2'] })
  })
})

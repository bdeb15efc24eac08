import { describe, expect, it } from 'vitest'
import { chosenValue, deviceChoices, deviceNoticeText, devicesNamed, parseRemembered } from './devices'

describe('device choice (words)', () => {
  it('names a device the browser names nobody yet by its kind and place ("Camera 2")', () => {
    expect(deviceChoices('videoinput', [{ deviceId: 'a', label: '' }, { deviceId: 'b', label: '  ' }])).toEqual([
      { value: 'a', label: 'Camera 1' },
      { value: 'b', label: 'Camera 2' },
    ])
    expect(deviceChoices('audioinput', [{ deviceId: 'm', label: 'USB headset' }])).toEqual([{ value: 'm', label: 'USB headset' }])
    expect(deviceChoices('audiooutput', [{ deviceId: 's', label: '' }])).toEqual([{ value: 's', label: 'Speaker 1' }])
  })

  it('knows the devices are named once one has a label (permission granted)', () => {
    expect(devicesNamed({ audioinput: [{ deviceId: 'm', label: '' }], videoinput: [] })).toBe(false)
    expect(devicesNamed({ audioinput: [{ deviceId: 'm', label: 'Mic' }], videoinput: [] })).toBe(true)
  })

  it('shows the chosen device while it is listed, and the default (the first) when it is gone', () => {
    const choices = [
      { value: 'default', label: 'Default' },
      { value: 'm2', label: 'Headset' },
    ]
    expect(chosenValue(choices, 'm2')).toBe('m2')
    expect(chosenValue(choices, 'unplugged-last-week')).toBe('default')
    expect(chosenValue(choices, undefined)).toBe('default')
    expect(chosenValue([], 'm2')).toBe('')
  })

  it('reads only device ids from what was remembered, and nothing from a broken entry', () => {
    expect(parseRemembered(JSON.stringify({ audioinput: 'm2', videoinput: 'c1', audiooutput: 's1' }))).toEqual({ audioinput: 'm2', videoinput: 'c1', audiooutput: 's1' })
    expect(parseRemembered(JSON.stringify({ audioinput: 3, videoinput: '', extra: 'x' }))).toEqual({})
    expect(parseRemembered('{not json')).toEqual({})
    expect(parseRemembered('null')).toEqual({})
    expect(parseRemembered(null)).toEqual({})
  })

  it('says what a switch did: a fallback names the new device, a failure uses the device-error words', () => {
    expect(deviceNoticeText({ kind: 'fallback', device: 'audioinput', label: 'Built-in microphone' })).toBe(
      'Your microphone was disconnected. Now using Built-in microphone.',
    )
    expect(deviceNoticeText({ kind: 'fallback', device: 'videoinput', label: '' })).toBe('Your camera was disconnected. Now using another camera.')
    expect(deviceNoticeText({ kind: 'lost', device: 'videoinput', error: { kind: 'media-not-found', message: 'x' } })).toBe(
      'Your camera was disconnected and no other camera works. The call goes on without it.',
    )
    expect(deviceNoticeText({ kind: 'failed', device: 'audioinput', error: { kind: 'media-in-use', message: 'x' } })).toBe(
      'Your microphone is busy. The microphone in use stays on.',
    )
  })
})

// Acquiring local media (media.ts) on the fake media-devices port.
import { describe, expect, it } from 'vitest'
import { acquireMedia } from './media.js'
import { FakeMediaDevices } from './test-support/index.js'

describe('acquireMedia', () => {
  it('a camera that fails beside a working microphone: the microphone alone, and the camera asked once more only as a probe', async () => {
    const devices = new FakeMediaDevices()
    devices.failures = { video: 'NotReadableError' }
    const acquired = await acquireMedia(devices, { audio: true, video: true })
    expect(acquired).toMatchObject({ audio: true, video: false, error: { kind: 'media-in-use', message: expect.stringContaining('camera') } })
    expect(devices.requests).toEqual([
      { audio: true, video: true },
      { audio: true, video: false },
      { audio: false, video: true },
    ])
    // The probe is marked so (a wrapper that processes the camera leaves it alone); the opens kept are not.
    expect(devices.probes).toEqual([{ audio: false, video: true }])
  })
})

import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/testApp'
import { DISPLAY_NAME_KEY, usePreJoinStore } from './preJoin'

describe('pre-join store', () => {
  it('previews the devices to join with when the app starts', () => {
    const app = createTestApp()
    app.start()
    expect(app.fake.calls).toEqual([{ method: 'preview', args: [{ audio: true, video: true }] }])
  })

  it('joins with the form values, creating a room when the address names none, and remembers the name', () => {
    const app = createTestApp()
    app.start()
    const form = usePreJoinStore()
    form.displayName = '  Ada  '
    form.roomName = 'Weekly sync'
    form.setJoinWithCamera(false)
    expect(form.join()).toBe(true)
    expect(app.fake.calls.at(-1)).toEqual({
      method: 'join',
      args: [{ roomName: 'Weekly sync', displayName: 'Ada', media: { audio: true, video: false } }],
    })
    expect(app.localStorage.data.get(DISPLAY_NAME_KEY)).toBe('Ada')
  })

  it('joins the invited room from ?roomId=…&roomName=… under the name remembered from an earlier visit', () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=abc&roomName=Standup', localStorage: { [DISPLAY_NAME_KEY]: 'Grace' } })
    app.start()
    const form = usePreJoinStore()
    expect(form.displayName).toBe('Grace')
    expect(form.roomName).toBe('Standup')
    form.join()
    expect(app.fake.calls.at(-1)).toEqual({
      method: 'join',
      args: [{ roomId: 'abc', roomName: 'Standup', displayName: 'Grace', media: { audio: true, video: true } }],
    })
  })

  it('does not remember a name that was only typed, not joined with', () => {
    const app = createTestApp()
    app.start()
    usePreJoinStore().displayName = 'Typo'
    expect(app.localStorage.data.has(DISPLAY_NAME_KEY)).toBe(false)
  })

  it('refuses to join without a name and says so', () => {
    const app = createTestApp()
    app.start()
    const form = usePreJoinStore()
    expect(form.join()).toBe(false)
    expect(form.nameMissing).toBe(true)
    expect(app.fake.calls.map((call) => call.method)).toEqual(['preview'])
  })

  it('knows when the preview is starting and when joining is possible', () => {
    const app = createTestApp()
    const form = usePreJoinStore()
    // The web app draws the pre-join before the core has arrived (main.ts): no conference, no Join.
    expect(form.canJoin).toBe(false)
    app.start()
    app.fake.setView({ status: 'previewing', busy: true })
    expect([form.previewStarting, form.canJoin]).toEqual([true, true])
    app.fake.setView({ status: 'previewing', busy: false })
    expect(form.previewStarting).toBe(false)
    app.fake.setView({ status: 'joining', busy: true })
    expect([form.previewStarting, form.canJoin]).toEqual([false, false])
  })

  it('previews with a toggle that reflects what will be sent', () => {
    const app = createTestApp()
    app.start()
    const form = usePreJoinStore()
    app.fake.setView({
      status: 'previewing',
      error: { kind: 'media-denied', message: '' },
      local: { audioEnabled: true, videoEnabled: false, audioAvailable: true, videoAvailable: false },
    })
    expect(form.joinWith).toMatchObject({ audio: true, video: false })
    app.fake.calls.length = 0
    form.toggleJoinCamera() // off because it failed: pressing it asks for the camera again
    form.toggleJoinMicrophone()
    expect(app.fake.calls).toEqual([
      { method: 'preview', args: [{ audio: true, video: true }] },
      { method: 'preview', args: [{ audio: false, video: true }] },
    ])
  })
})

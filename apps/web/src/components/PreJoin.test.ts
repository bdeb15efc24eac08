import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { fakeMediaStream } from '../testing/fakeConference'
import type { FakeConference } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import PreJoin from './PreJoin.vue'
import { useSessionStore } from '../stores/session'

let fake: FakeConference

function mountPreJoin(href = 'http://localhost/') {
  const app = createTestApp({ href })
  fake = app.fake
  app.start()
  return { wrapper: app.mount(PreJoin, { attachTo: document.body }) }
}

describe('PreJoin', () => {
  it('creates a room: asks for a name and a room name, and joins on Enter', async () => {
    const { wrapper } = mountPreJoin()
    expect(wrapper.get('[data-testid="prejoin-heading"]').text()).toBe('Start a new room')
    await wrapper.get('[data-testid="display-name"]').setValue('Ada')
    await wrapper.get('[data-testid="room-name"]').setValue('Weekly sync')
    await wrapper.get('form').trigger('submit') // what Enter in a field does
    expect(fake.calls.at(-1)).toEqual({
      method: 'join',
      args: [{ roomName: 'Weekly sync', displayName: 'Ada', media: { audio: true, video: true } }],
    })
    wrapper.unmount()
  })

  it('joins an invited room without asking for a room name', async () => {
    const { wrapper } = mountPreJoin('http://localhost/?roomId=abc&roomName=Standup')
    expect(wrapper.get('[data-testid="prejoin-heading"]').text()).toBe('Joining room Standup')
    expect(wrapper.find('[data-testid="room-name"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="joining-room"]').text()).toContain('Standup')
    await wrapper.get('[data-testid="display-name"]').setValue('Grace')
    await wrapper.get('[data-testid="join-button"]').trigger('click')
    expect(fake.calls.at(-1)).toMatchObject({ method: 'join', args: [{ roomId: 'abc', displayName: 'Grace' }] })
    wrapper.unmount()
  })

  it('says the call is open in another tab of this browser, and joins here instead', async () => {
    const { wrapper } = mountPreJoin('http://localhost/?roomId=abc&roomName=Standup')
    expect(fake.watched).toContain('abc')
    expect(wrapper.find('[data-testid="open-elsewhere"]').exists()).toBe(false)
    fake.setView({ status: 'previewing', elsewhere: { roomId: 'abc' } })
    await nextTick()
    expect(wrapper.get('[data-testid="open-elsewhere"]').text()).toContain("You're already in this call in another tab")
    // The normal Join is replaced: joining here is what moves the call.
    expect(wrapper.find('[data-testid="join-button"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="join-here"]').text()).toBe('Join here instead')
    await wrapper.get('[data-testid="display-name"]').setValue('Ada')
    await wrapper.get('[data-testid="join-here"]').trigger('click')
    expect(fake.calls.at(-1)).toMatchObject({ method: 'join', args: [{ roomId: 'abc', displayName: 'Ada' }] })
    fake.setView({ status: 'previewing' })
    await nextTick()
    expect(wrapper.find('[data-testid="open-elsewhere"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="join-button"]').text()).toBe('Join room')
    wrapper.unmount()
  })

  it('flags a missing name instead of joining', async () => {
    const { wrapper } = mountPreJoin()
    await wrapper.get('form').trigger('submit')
    expect(wrapper.get('[data-testid="display-name"]').attributes('aria-invalid')).toBe('true')
    expect(wrapper.get('[data-testid="name-hint"]').text()).toMatch(/Enter your name/)
    expect(fake.calls.map((call) => call.method)).toEqual(['preview'])
    wrapper.unmount()
  })

  it('shows the camera preview mirrored and muted', async () => {
    const { wrapper } = mountPreJoin()
    fake.streams.set(fakeMediaStream('local-1'))
    fake.setView({ status: 'previewing', local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'local-1' } })
    await nextTick()
    await nextTick()
    const video = wrapper.get('[data-testid="tile-video"]')
    expect((video.element as HTMLVideoElement).srcObject).toBe(fake.streams.registry.get('local-1'))
    expect((video.element as HTMLVideoElement).muted).toBe(true)
    expect(video.classes()).toContain('tile__video--mirrored')
    wrapper.unmount()
  })

  it('explains a blocked camera and lets you continue without it', async () => {
    const { wrapper } = mountPreJoin()
    fake.setView({
      status: 'failed',
      error: { kind: 'media-denied', message: 'Permission denied' },
      local: { audioEnabled: true, videoEnabled: false, audioAvailable: true, videoAvailable: false },
    })
    await nextTick()
    const problem = wrapper.get('[data-testid="device-problem"]')
    expect(problem.attributes('role')).toBe('alert')
    expect(problem.text()).toContain('Camera is blocked')
    expect(problem.text()).toMatch(/address bar/)
    // Only the camera is named: the microphone works.
    expect(problem.text()).toMatch(/"Allow" for the camera, then try again, or join without it\./)
    expect(problem.text()).not.toMatch(/microphone|them/)
    // What will happen is shown before any click: a blocked camera is not "on".
    expect(wrapper.get('[data-testid="join-media-summary"]').text()).toBe('You will join with your microphone; camera off.')
    expect(wrapper.get('[data-testid="prejoin-toggle-camera"]').attributes('aria-pressed')).toBe('false')
    expect(wrapper.get('[data-testid="prejoin-toggle-mic"]').attributes('aria-pressed')).toBe('true')
    expect(wrapper.find('[data-testid="join-without-mic"]').exists()).toBe(false)
    await wrapper.get('[data-testid="join-without-camera"]').trigger('click')
    expect(fake.calls.at(-1)).toEqual({ method: 'preview', args: [{ audio: true, video: false }] })
    expect(wrapper.get('[data-testid="join-media-summary"]').text()).toMatch(/microphone; camera off/)
    expect(wrapper.get('[data-testid="prejoin-toggle-camera"]').attributes('aria-pressed')).toBe('false')
    expect(wrapper.find('[data-testid="device-problem"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('explains a blocked microphone only, and shows the microphone off', async () => {
    const { wrapper } = mountPreJoin()
    fake.setView({
      status: 'previewing',
      error: { kind: 'media-denied', message: '' },
      local: { audioEnabled: false, videoEnabled: true, audioAvailable: false, videoAvailable: true },
    })
    await nextTick()
    const problem = wrapper.get('[data-testid="device-problem"]')
    expect(problem.text()).toContain('Microphone is blocked')
    expect(problem.text()).toMatch(/"Allow" for the microphone/)
    expect(wrapper.find('[data-testid="join-without-camera"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="join-without-mic"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="join-media-summary"]').text()).toBe('You will join with your camera; microphone off.')
    expect(wrapper.get('[data-testid="prejoin-toggle-mic"]').attributes('aria-pressed')).toBe('false')
    expect(wrapper.get('[data-testid="prejoin-toggle-camera"]').attributes('aria-pressed')).toBe('true')
    wrapper.unmount()
  })

  it('asks for a failed device again when its toggle is pressed', async () => {
    const { wrapper } = mountPreJoin()
    fake.setView({
      status: 'previewing',
      error: { kind: 'media-in-use', message: '' },
      local: { audioEnabled: true, videoEnabled: false, audioAvailable: true, videoAvailable: false },
    })
    await nextTick()
    const camera = wrapper.get('[data-testid="prejoin-toggle-camera"]')
    expect(camera.attributes('aria-pressed')).toBe('false')
    expect(camera.attributes('title')).toMatch(/not working/)
    fake.calls.length = 0
    await camera.trigger('click')
    expect(fake.calls).toEqual([{ method: 'preview', args: [{ audio: true, video: true }] }])
    wrapper.unmount()
  })

  it.each([
    ['media-not-found', 'No camera or microphone found'],
    ['media-in-use', 'Your camera and microphone are busy'],
    ['media-failed', 'The camera and microphone could not start'],
  ] as const)('explains %s', async (kind, title) => {
    const { wrapper } = mountPreJoin()
    fake.setView({ status: 'failed', error: { kind, message: '' }, local: { audioEnabled: false, videoEnabled: false, audioAvailable: false, videoAvailable: false } })
    await nextTick()
    expect(wrapper.get('[data-testid="device-problem"]').text()).toContain(title)
    expect(wrapper.find('[data-testid="join-without-camera"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="join-without-mic"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="join-media-summary"]').text()).toBe('You will join without camera and microphone.')
    expect(wrapper.get('[data-testid="prejoin-toggle-camera"]').attributes('aria-pressed')).toBe('false')
    expect(wrapper.get('[data-testid="prejoin-toggle-mic"]').attributes('aria-pressed')).toBe('false')
    wrapper.unmount()
  })

  it('toggles the devices to join with (aria-pressed)', async () => {
    const { wrapper } = mountPreJoin()
    const mic = wrapper.get('[data-testid="prejoin-toggle-mic"]')
    expect(mic.attributes('aria-pressed')).toBe('true')
    await mic.trigger('click')
    expect(mic.attributes('aria-pressed')).toBe('false')
    expect(fake.calls.at(-1)).toEqual({ method: 'preview', args: [{ audio: false, video: true }] })
    wrapper.unmount()
  })
})

describe('PreJoin, page served from the offline copy', () => {
  it('says at once that the hub does not answer, naming it, and offers to try again', async () => {
    const app = createTestApp({ href: 'http://127.0.0.1:8080/?roomId=abc&roomName=Standup', shellOffline: true })
    app.start()
    const wrapper = app.mount(PreJoin, { attachTo: document.body })
    const notice = wrapper.get('[data-testid="hub-offline"]')
    expect(notice.attributes('role')).toBe('alert')
    expect(notice.text()).toContain("Parley can't reach the server at 127.0.0.1:8080")
    expect(notice.text()).not.toMatch(/internet/)
    await wrapper.get('[data-testid="reload-page"]').trigger('click')
    expect(app.page.reloads).toBe(1)
    wrapper.unmount()
  })

  it('shows no such notice when the page came from the hub', () => {
    const app = createTestApp()
    app.start()
    const wrapper = app.mount(PreJoin)
    expect(wrapper.find('[data-testid="hub-offline"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('PreJoin, the core did not download', () => {
  it('says the app did not finish loading, instead of a Join that never enables, and offers a reload', async () => {
    const app = createTestApp()
    const wrapper = app.mount(PreJoin, { attachTo: document.body })
    // Before the core arrives Join waits; a failed fetch (main.ts) says so.
    expect(wrapper.get('[data-testid="join-button"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="core-missing"]').exists()).toBe(false)
    useSessionStore(app.pinia).coreFailedToLoad()
    await nextTick()
    const notice = wrapper.get('[data-testid="core-missing"]')
    expect(notice.attributes('role')).toBe('alert')
    expect(notice.text()).toContain("Parley didn't finish loading")
    await wrapper.get('[data-testid="reload-page"]').trigger('click')
    expect(app.page.reloads).toBe(1)
    wrapper.unmount()
  })
})

describe('PreJoin, end-to-end encryption', () => {
  it('offers it for a new room where the browser can encrypt: checked, the address gets a key and Join creates the room with it', async () => {
    const app = createTestApp({ canEncryptMedia: true })
    app.start()
    const wrapper = app.mount(PreJoin, { attachTo: document.body })
    const toggle = wrapper.get<HTMLInputElement>('[data-testid="e2ee-toggle"]')
    expect(toggle.element.checked).toBe(false)
    await toggle.setValue(true)
    expect(app.fake.options?.e2ee?.passphrase).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(app.page.href()).toContain('#e2ee=')
    expect(wrapper.get<HTMLInputElement>('[data-testid="e2ee-toggle"]').element.checked).toBe(true)
    await wrapper.get('[data-testid="display-name"]').setValue('Ada')
    await wrapper.get('form').trigger('submit')
    expect(app.fake.calls.at(-1)?.method).toBe('join')
    // Unticked: the key leaves the address and a conference without encryption replaces it.
    await wrapper.get('[data-testid="e2ee-toggle"]').setValue(false)
    expect(app.page.href()).not.toContain('#e2ee=')
    expect(app.fake.created).toBe(3)
    expect(app.fake.options?.e2ee).toBeUndefined()
    expect(wrapper.get<HTMLInputElement>('[data-testid="e2ee-toggle"]').element.checked).toBe(false)
    wrapper.unmount()
  })

  it('does not offer it where the browser cannot encrypt frames', () => {
    const app = createTestApp()
    app.start()
    const wrapper = app.mount(PreJoin)
    expect(wrapper.find('[data-testid="e2ee-toggle"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says an invited call is encrypted; a browser that cannot encrypt is told so and cannot join it', async () => {
    const href = 'http://localhost/?roomId=r1&roomName=Board#e2ee=Zm9vYmFyYmF6cXV4cXV1eA'
    const able = createTestApp({ href, canEncryptMedia: true })
    able.start()
    const joined = able.mount(PreJoin)
    expect(joined.get('[data-testid="prejoin-e2ee"]').text()).toContain('end-to-end encrypted')
    expect(joined.find('[data-testid="e2ee-toggle"]').exists()).toBe(false)
    expect(joined.find('[data-testid="e2ee-unsupported"]').exists()).toBe(false)
    expect(joined.get('[data-testid="join-button"]').attributes('disabled')).toBeUndefined()
    joined.unmount()

    const unable = createTestApp({ href })
    unable.start()
    const refused = unable.mount(PreJoin)
    expect(refused.get('[data-testid="e2ee-unsupported"]').text()).toContain("This browser can't join an encrypted call")
    expect(refused.get('[data-testid="join-button"]').attributes('disabled')).toBeDefined()
    refused.unmount()
  })
})

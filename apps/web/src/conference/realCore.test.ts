// The store and the pre-join screen on the REAL core statechart (createConference), with only the
// device port faked: checks that what the app reads from ConferenceView matches what the core writes.
import { createConference } from '@parley/core'
import type { Ports } from '@parley/core'
import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PreJoin from '../components/PreJoin.vue'
import { useDevtoolsStore } from '../stores/devtools'
import { useScreenStore } from '../stores/screen'
import { useSessionStore } from '../stores/session'
import { fakeMediaStream, fakeTrack } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import type { ConferenceFactory } from './types'

const unused = (name: string) => () => {
  throw new Error(`${name} is not used before joining`)
}

function devices(answer: (constraints: { audio: unknown; video: unknown }) => Promise<unknown>): Ports {
  return {
    fetch: unused('fetch'),
    eventSource: unused('eventSource'),
    peerConnection: unused('peerConnection'),
    clock: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id as number), now: () => Date.now() },
    media: {
      getUserMedia: (constraints) => answer(constraints) as ReturnType<Ports['media']['getUserMedia']>,
      enumerateDevices: async () => [],
    },
  }
}

const refusal = (name: string) => Promise.reject(Object.assign(new Error(name), { name }))

/** The app on the real core: only the factory differs from main.ts. */
function appOn(factory: ConferenceFactory) {
  const app = createTestApp({ factory })
  app.start()
  return { app, session: useSessionStore() }
}

describe('store on the real core', () => {
  it('previews the camera: the local stream reaches the registry and the mirrored preview', async () => {
    const ports = devices(async () => fakeMediaStream('cam-1', [fakeTrack('audio'), fakeTrack('video')]))
    const { app, session } = appOn((options) => createConference({ ...options, ports }))
    const wrapper = app.mount(PreJoin)
    await flushPromises()
    expect(session.view.status).toBe('previewing')
    expect(session.view.local).toMatchObject({ audioAvailable: true, videoAvailable: true, streamId: 'cam-1' })
    const video = wrapper.get('[data-testid="tile-video"]').element as HTMLVideoElement
    expect(video.srcObject).toBe(session.streams?.get('cam-1'))
    expect(wrapper.find('[data-testid="device-problem"]').exists()).toBe(false)
    expect(useDevtoolsStore().actors[0]?.id).toBe('conference')
    wrapper.unmount()
    app.dispose()
  })

  it('explains a camera another app holds, keeps the microphone, and offers to go on without the camera', async () => {
    const ports = devices(async (constraints) => (constraints.video ? refusal('NotReadableError') : fakeMediaStream('mic-1', [fakeTrack('audio')])))
    const { app, session } = appOn((options) => createConference({ ...options, ports }))
    const wrapper = app.mount(PreJoin)
    await flushPromises()
    expect(session.view.local).toMatchObject({ audioAvailable: true, videoAvailable: false })
    const problem = wrapper.get('[data-testid="device-problem"]')
    expect(problem.attributes('data-kind')).toBe('media-in-use')
    expect(problem.text()).toContain('Your camera is busy')
    expect(wrapper.find('[data-testid="join-without-camera"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="join-without-mic"]').exists()).toBe(false)

    await wrapper.get('[data-testid="join-without-camera"]').trigger('click')
    await flushPromises()
    expect(session.view.error).toBeUndefined()
    expect(wrapper.find('[data-testid="device-problem"]').exists()).toBe(false)
    wrapper.unmount()
    app.dispose()
  })

  it('explains blocked devices when the browser refuses both', async () => {
    const ports = devices(() => refusal('NotAllowedError'))
    const { app } = appOn((options) => createConference({ ...options, ports }))
    const wrapper = app.mount(PreJoin)
    await flushPromises()
    expect(useScreenStore().screen).toBe('prejoin')
    expect(wrapper.get('[data-testid="device-problem"]').text()).toContain('Camera and microphone are blocked')
    wrapper.unmount()
    app.dispose()
  })
})

import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createTestApp } from '../testing/testApp'
import { BLUR_KEY, useBlurStore } from './blur'

const camera = { kind: 'video', id: 'camera' } as unknown as MediaStreamTrack

/** A processor the test answers: each camera handed to it waits for `resolve` or `reject`. */
function fakeProcessor() {
  const pending: { camera: MediaStreamTrack; abandoned: AbortSignal; resolve(track: MediaStreamTrack): void; reject(error: Error): void }[] = []
  const blurCamera = (given: MediaStreamTrack, abandoned: AbortSignal) => new Promise<MediaStreamTrack>((resolve, reject) => pending.push({ camera: given, abandoned, resolve, reject }))
  return { pending, blurCamera }
}

/** The port's watch of the camera during blur's start (lib/cameraEffect.ts): `abandon` is the camera's end. */
const cameraWatch = () => {
  const controller = new AbortController()
  return { abandoned: controller.signal, abandon: () => controller.abort(new Error('the camera ended')) }
}

describe('blur store', () => {
  it('every conference is made with the blur effect, which is not wanted until the person turns blur on', () => {
    const app = createTestApp()
    app.start()
    const blur = useBlurStore()
    expect(app.fake.options?.cameraEffect).toBe(blur.effect)
    expect(blur.effect.wanted()).toBe(false)
    expect(blur.status).toBe('off')
  })

  it('turning blur on remembers it and reopens the camera through the core; the camera it opens goes through the processor', async () => {
    const processor = fakeProcessor()
    const app = createTestApp({ blurCamera: processor.blurCamera })
    app.start()
    const blur = useBlurStore()
    blur.setBlur(true)
    await nextTick()
    expect(app.localStorage.data.get(BLUR_KEY)).toBe('on')
    expect(app.fake.calls.at(-1)).toEqual({ method: 'reopenDevice', args: ['videoinput'] })
    expect(blur.effect.wanted()).toBe(true)
    const blurred = { kind: 'video', id: 'blurred' } as unknown as MediaStreamTrack
    const applied = blur.effect.apply(camera, cameraWatch().abandoned)
    expect(blur.status).toBe('loading')
    expect(processor.pending.map((call) => call.camera)).toEqual([camera])
    processor.pending[0]!.resolve(blurred)
    await expect(applied).resolves.toBe(blurred)
    expect(blur.status).toBe('on')
  })

  it('turning it off forgets it, says off and reopens the plain camera', async () => {
    const app = createTestApp({ localStorage: { [BLUR_KEY]: 'on' } })
    app.start()
    const blur = useBlurStore()
    expect(blur.wanted).toBe(true)
    blur.setBlur(false)
    await nextTick()
    expect(app.localStorage.data.get(BLUR_KEY)).toBe('off')
    expect(blur.effect.wanted()).toBe(false)
    expect(blur.status).toBe('off')
    expect(app.fake.calls.at(-1)).toEqual({ method: 'reopenDevice', args: ['videoinput'] })
  })

  it('a processor that fails says blur is unavailable, turns the choice off and lets the plain camera through', async () => {
    const processor = fakeProcessor()
    const app = createTestApp({ blurCamera: processor.blurCamera, localStorage: { [BLUR_KEY]: 'on' } })
    app.start()
    const blur = useBlurStore()
    const applied = blur.effect.apply(camera, cameraWatch().abandoned)
    processor.pending[0]!.reject(new Error('WebGL2 is not available'))
    await expect(applied).rejects.toThrow('WebGL2')
    await nextTick()
    expect(blur.status).toBe('failed')
    expect(blur.wanted).toBe(false)
    expect(app.localStorage.data.get(BLUR_KEY)).toBe('off')
    // Asked again, it tries again.
    blur.setBlur(true)
    expect(blur.status).toBe('off')
    expect(blur.effect.wanted()).toBe(true)
  })

  it('a camera that ends while blur starts: blur is not unavailable, stays wanted for the next camera, and what the start still gives changes nothing', async () => {
    const processor = fakeProcessor()
    const app = createTestApp({ blurCamera: processor.blurCamera, localStorage: { [BLUR_KEY]: 'on' } })
    app.start()
    const blur = useBlurStore()
    const watch = cameraWatch()
    const applied = blur.effect.apply(camera, watch.abandoned)
    expect(blur.status).toBe('loading')
    expect(processor.pending[0]!.abandoned).toBe(watch.abandoned)
    watch.abandon()
    // At once, not when the start gives up: the box is usable again.
    expect(blur.status).toBe('off')
    processor.pending[0]!.reject(new Error('video.play() failed'))
    await expect(applied).rejects.toThrow('video.play() failed')
    expect(blur.status).toBe('off')
    expect(blur.wanted).toBe(true)
    expect(app.localStorage.data.get(BLUR_KEY)).toBe('on')

    // A start that still succeeds after its camera ended does not say blur is on.
    const next = cameraWatch()
    const late = blur.effect.apply(camera, next.abandoned)
    next.abandon()
    processor.pending[1]!.resolve({ kind: 'video', id: 'blurred' } as unknown as MediaStreamTrack)
    await late
    expect(blur.status).toBe('off')
    expect(blur.effect.wanted()).toBe(true)
  })
})

import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createTestApp } from '../testing/testApp'
import { BLUR_KEY, useBlurStore } from './blur'

const camera = { kind: 'video', id: 'camera' } as unknown as MediaStreamTrack

/** A processor the test answers: each camera handed to it waits for `resolve` or `reject`. */
function fakeProcessor() {
  const pending: { camera: MediaStreamTrack; resolve(track: MediaStreamTrack): void; reject(error: Error): void }[] = []
  const blurCamera = (given: MediaStreamTrack) => new Promise<MediaStreamTrack>((resolve, reject) => pending.push({ camera: given, resolve, reject }))
  return { pending, blurCamera }
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
    const applied = blur.effect.apply(camera)
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
    const applied = blur.effect.apply(camera)
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
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import { assertWebGL2, INITIALIZE_TIMEOUT_MS, locateFile, within } from './selfieSegmenter'

describe('assertWebGL2', () => {
  it('throws where the canvas gives no WebGL2 context (MediaPipe would never finish starting there)', () => {
    const asked: string[] = []
    const canvas = { getContext: (id: string) => (asked.push(id), null) }
    expect(() => assertWebGL2(canvas)).toThrow(/no WebGL2/)
    expect(asked).toEqual(['webgl2'])
  })

  it('passes where there is one, and gives the probe context back', () => {
    const lost: string[] = []
    const context = { getExtension: (name: string) => (name === 'WEBGL_lose_context' ? { loseContext: () => lost.push(name) } : null) }
    expect(() => assertWebGL2({ getContext: () => context })).not.toThrow()
    expect(lost).toEqual(['WEBGL_lose_context'])
  })
})

describe('locateFile', () => {
  it('names only the files of our own build', () => {
    expect(locateFile('selfie_segmentation_landscape.tflite')).toMatch(/selfie_segmentation_landscape/)
    expect(() => locateFile('elsewhere.wasm')).toThrow(/no file elsewhere\.wasm/)
  })
})

describe('within', () => {
  afterEach(() => vi.useRealTimers())

  it('fails a start that never answers once its time is up', async () => {
    vi.useFakeTimers()
    const started = within(new Promise<void>(() => undefined), INITIALIZE_TIMEOUT_MS, 'starting the segmenter')
    const outcome = started.then(
      () => 'started',
      (error: Error) => error.message,
    )
    await vi.advanceTimersByTimeAsync(INITIALIZE_TIMEOUT_MS - 1)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(await outcome).toBe('background blur: starting the segmenter took over 30 s')
  })

  it('passes a start that answers through, and leaves no timer', async () => {
    vi.useFakeTimers()
    await expect(within(Promise.resolve('ready'), INITIALIZE_TIMEOUT_MS, 'starting')).resolves.toBe('ready')
    await expect(within(Promise.reject(new Error('no wasm')), INITIALIZE_TIMEOUT_MS, 'starting')).rejects.toThrow('no wasm')
    expect(vi.getTimerCount()).toBe(0)
  })
})

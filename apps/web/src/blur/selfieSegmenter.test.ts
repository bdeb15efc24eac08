import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Results } from '@mediapipe/selfie_segmentation'
import { assertWebGL2, INITIALIZE_TIMEOUT_MS, locateFile, sharedSegmenters, type SolutionLike, within } from './selfieSegmenter'

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

/** A MediaPipe solution double: counts what is asked of it; each `send` answers with the frame it was given. */
function fakeSolution(options: { failInit?: boolean } = {}) {
  const seen = { started: 0, initialized: 0, closed: 0, sent: 0, sending: 0, mostAtOnce: 0 }
  const start = async (): Promise<SolutionLike> => {
    seen.started++
    let listener: ((results: Results) => void) | undefined
    return {
      setOptions: () => undefined,
      onResults: (next) => (listener = next),
      initialize: async () => {
        seen.initialized++
        if (options.failInit) throw new Error('no wasm')
      },
      async send({ image }) {
        seen.sent++
        seen.sending++
        seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.sending)
        await new Promise((resolve) => setTimeout(resolve, 1))
        listener!({ segmentationMask: image } as unknown as Results)
        seen.sending--
      },
      close: async () => {
        seen.closed++
      },
    }
  }
  return { seen, start }
}

describe('sharedSegmenters', () => {
  const frame = (name: string) => ({ name }) as unknown as HTMLVideoElement

  it('starts one solution for the page, whatever the cameras, and never closes it with a segmenter', async () => {
    const { seen, start } = fakeSolution()
    const create = sharedSegmenters(start)
    const [first, second] = await Promise.all([create(), create()])
    await first!.close()
    const third = await create()
    expect(await third.segment(frame('c'))).toEqual({ mask: frame('c') })
    expect(seen).toMatchObject({ started: 1, initialized: 1, closed: 0 })
    await expect(first!.segment(frame('a'))).rejects.toThrow(/closed/)
    expect(await second!.segment(frame('b'))).toEqual({ mask: frame('b') })
  })

  it('keeps a closed segmenter closed: closed again it still refuses, and none of its frames reach the solution', async () => {
    const { seen, start } = fakeSolution()
    const create = sharedSegmenters(start)
    const [closing, open] = await Promise.all([create(), create()])
    expect(await closing!.segment(frame('before'))).toEqual({ mask: frame('before') })
    await closing!.close()
    await closing!.close()
    await expect(closing!.segment(frame('after'))).rejects.toThrow('background blur: the segmenter is closed')
    expect(seen.sent).toBe(1)
    expect(await open!.segment(frame('other'))).toEqual({ mask: frame('other') })
    expect(seen.sent).toBe(2)
  })

  it('segments one frame at a time, each caller getting its own frame back', async () => {
    const { seen, start } = fakeSolution()
    const create = sharedSegmenters(start)
    const [a, b] = await Promise.all([create(), create()])
    const masks = await Promise.all([a!.segment(frame('1')), b!.segment(frame('2')), a!.segment(frame('3'))])
    expect(masks).toEqual([{ mask: frame('1') }, { mask: frame('2') }, { mask: frame('3') }])
    expect(seen.mostAtOnce).toBe(1)
  })

  it('closes a solution that failed to start, and starts afresh at the next ask', async () => {
    const failing = fakeSolution({ failInit: true })
    const create = sharedSegmenters(failing.start)
    await expect(create()).rejects.toThrow('no wasm')
    await expect(create()).rejects.toThrow('no wasm')
    expect(failing.seen).toMatchObject({ started: 2, closed: 2 })
  })
})

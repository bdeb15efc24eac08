import { describe, expect, it } from 'vitest'
import { assertWebGL2, locateFile } from './selfieSegmenter'

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

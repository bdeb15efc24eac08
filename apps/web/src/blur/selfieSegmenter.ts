// MediaPipe's selfie segmentation (@mediapipe/selfie_segmentation, Apache-2.0) as a Segmenter. Its script,
// wasm, model and graph ship in the npm package and are served from our own build (Vite copies each file
// named here into dist/assets, never inlined: vite.config.ts); `locateFile` points it there, so nothing is
// fetched from anywhere else. The script is a closure-compiled classic script that sets
// `window.SelfieSegmentation`, so it is loaded by a <script> element, once, when blur is first turned on.
import loaderUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.js?url'
import graphUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.binarypb?url'
import modelUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite?url'
import simdDataUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.data?url'
import simdScriptUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.js?url'
import simdWasmUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.wasm?url'
import scriptUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_wasm_bin.js?url'
import wasmUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_wasm_bin.wasm?url'
import type { Results, SelfieSegmentation } from '@mediapipe/selfie_segmentation'
import type { Segmentation, Segmenter } from './backgroundBlur'

/** Every file the solution asks for, by the name it asks with. The landscape model (256×144) is the lighter one. */
const FILES: Record<string, string> = {
  'selfie_segmentation.binarypb': graphUrl,
  'selfie_segmentation_landscape.tflite': modelUrl,
  'selfie_segmentation_solution_simd_wasm_bin.data': simdDataUrl,
  'selfie_segmentation_solution_simd_wasm_bin.js': simdScriptUrl,
  'selfie_segmentation_solution_simd_wasm_bin.wasm': simdWasmUrl,
  'selfie_segmentation_solution_wasm_bin.js': scriptUrl,
  'selfie_segmentation_solution_wasm_bin.wasm': wasmUrl,
}

/** Where each file is, in this build; a name we do not ship fails here rather than anywhere on the network. */
export function locateFile(name: string): string {
  const url = FILES[name]
  if (!url) throw new Error(`background blur: no file ${name} in this build`)
  return url
}

let loader: Promise<typeof SelfieSegmentation> | undefined

function loadSolution(): Promise<typeof SelfieSegmentation> {
  const global = globalThis as { SelfieSegmentation?: typeof SelfieSegmentation }
  loader ??= new Promise<typeof SelfieSegmentation>((resolve, reject) => {
    const script = document.createElement('script')
    script.src = loaderUrl
    script.onload = () => (global.SelfieSegmentation ? resolve(global.SelfieSegmentation) : reject(new Error('background blur: the segmenter did not load')))
    script.onerror = () => reject(new Error('background blur: the segmenter could not be fetched'))
    document.head.append(script)
  }).catch((error: unknown) => {
    loader = undefined
    throw error
  })
  return loader
}

/** What the WebGL2 check needs of a canvas. */
export interface CanvasLike {
  getContext(contextId: 'webgl2'): unknown
}

/**
 * MediaPipe draws its mask with WebGL2, and where a canvas has none (WebGL disabled or blocklisted, or
 * headless Firefox on Linux, which has no GL at all) its `initialize()` neither resolves nor rejects: blur
 * would stay "starting" for good. So it is asked first, before its 7 MB are fetched.
 */
export function assertWebGL2(canvas: CanvasLike = document.createElement('canvas')): void {
  const context = canvas.getContext('webgl2') as { getExtension?(name: string): { loseContext?(): void } | null } | null
  if (!context) throw new Error('background blur: this browser gives no WebGL2 context')
  // Only a probe: its context is given back at once (browsers cap how many are live).
  context.getExtension?.('WEBGL_lose_context')?.loseContext?.()
}

/** MediaPipe's start (wasm, model, a WebGL2 graph): seconds on a software GPU, never half a minute. */
export const INITIALIZE_TIMEOUT_MS = 30_000

/**
 * `work`, or an error once `ms` passed: a GL path that answers neither way (as the missing context above
 * did) must end in "Blur unavailable", not leave the box "starting" for good.
 */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`background blur: ${what} took over ${ms / 1000} s`)), ms)
  })
  return Promise.race([work, expired]).finally(() => clearTimeout(timer))
}

/** What the segmenter needs of MediaPipe's solution class (a double in a test). */
export interface SolutionLike {
  setOptions(options: { modelSelection: number; selfieMode: boolean }): void
  onResults(listener: (results: Results) => void): void
  initialize(): Promise<void>
  send(input: { image: HTMLVideoElement }): Promise<void>
  close(): Promise<void>
}

/** The page's one solution, started: frames go through it one at a time. */
interface SharedSolution {
  segment(frame: HTMLVideoElement): Promise<Segmentation>
}

/** A segmenter's life: open, it reaches the shared solution; closed, it has let go of it and segments nothing. */
type HandlePhase = { phase: 'open'; solution: SharedSolution } | { phase: 'closed' }

/**
 * Segmenters that share one MediaPipe solution per page. A second solution started while or after the first
 * closes aborts inside its wasm ("Module.arguments has been replaced …", seen when the call reopened a
 * blurred camera: 1 run in 3–4 of the browser spec), so it is made once, on first use, and kept for the page's
 * life; a segmenter's `close` lets go of it only. One frame at a time: its results arrive within `send`.
 */
export function sharedSegmenters(start: () => Promise<SolutionLike>): () => Promise<Segmenter> {
  let shared: Promise<SharedSolution> | undefined
  const open = async (): Promise<SharedSolution> => {
    const solution = await start()
    solution.setOptions({ modelSelection: 1, selfieMode: false })
    // The results of the frame last sent (they arrive within its `send`).
    const received: { latest?: Results } = {}
    solution.onResults((results) => {
      received.latest = results
    })
    try {
      await within(solution.initialize(), INITIALIZE_TIMEOUT_MS, 'starting the segmenter')
    } catch (error) {
      await solution.close().catch(() => undefined)
      throw error
    }
    let turn: Promise<unknown> = Promise.resolve()
    return {
      segment(frame: HTMLVideoElement): Promise<Segmentation> {
        const result = turn.then(async () => {
          received.latest = undefined
          await solution.send({ image: frame })
          const results = received.latest as Results | undefined
          if (!results) throw new Error('background blur: no segmentation for the frame')
          return { mask: results.segmentationMask }
        })
        turn = result.catch(() => undefined)
        return result
      },
    }
  }
  return async () => {
    // A start that failed is tried again at the next ask (blur ticked again).
    shared ??= open().catch((error: unknown) => {
      shared = undefined
      throw error
    })
    let handle: HandlePhase = { phase: 'open', solution: await shared }
    return {
      segment: (frame) => (handle.phase === 'open' ? handle.solution.segment(frame) : Promise.reject(new Error('background blur: the segmenter is closed'))),
      close: () => {
        handle = { phase: 'closed' }
      },
    }
  }
}

/** The page's segmenters: MediaPipe's solution, loaded from our own build, after the WebGL2 check. */
export const createSelfieSegmenter = sharedSegmenters(async () => {
  assertWebGL2()
  const Solution = await loadSolution()
  return new Solution({ locateFile }) as unknown as SolutionLike
})

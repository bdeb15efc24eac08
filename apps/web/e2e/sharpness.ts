// How sharp a <video>'s picture is, for the background-blur specs (Chromium and Firefox): the mean absolute
// Laplacian of a grey copy of its current frame drawn into a canvas, sampled over new frames only.
import { pollUntil } from '@parley/testkit'

export interface Sharpness {
  /** Mean |Laplacian| of the frame's grey values (at 320×180, or of the band asked for). */
  edges: number
  /** The element's frames so far (decoded; in Firefox, painted). */
  frames: number
  /** The page's clock (ms) when read. */
  at: number
}

export interface SharpnessFigures {
  /** The median of the samples' `edges`. */
  edges: number
  /** The last sample's frame count. */
  frames: number
  /** Frames a second the element showed from the first sample to the last. */
  fps: number
}

/** Reads one sample in the page (`page.evaluate(readSharpness, selector)` in either browser). */
export type SharpnessReader = () => Promise<Sharpness | null>

/**
 * In the page: the sharpness of the frame `selector`'s video shows now, and its frames so far. The whole
 * frame at 320×180; or, given `topBand` (a fraction of its height), only that band along its top, at the
 * video's own resolution (Firefox's fake camera: all its edges are in a thin strip there).
 */
export function readSharpness(selector: string, topBand?: number): Sharpness | null {
  const video = document.querySelector<HTMLVideoElement>(selector)
  if (!video || video.readyState < 2 || video.videoWidth === 0) return null
  const width = topBand ? video.videoWidth : 320
  const height = topBand ? Math.max(3, Math.round(video.videoHeight * topBand)) : 180
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const context = canvas.getContext('2d', { willReadFrequently: true })!
  context.drawImage(video, 0, 0, video.videoWidth, topBand ? height : video.videoHeight, 0, 0, width, height)
  const { data } = context.getImageData(0, 0, width, height)
  const grey = new Float32Array(width * height)
  for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!
  let sum = 0
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x
      sum += Math.abs(4 * grey[i]! - grey[i - 1]! - grey[i + 1]! - grey[i - width]! - grey[i + width]!)
    }
  }
  // Firefox counts no playback-quality frames for a MediaStream; it counts the frames it painted.
  const frames = video.getVideoPlaybackQuality().totalVideoFrames || ((video as { mozPaintedFrames?: number }).mozPaintedFrames ?? 0)
  return { edges: sum / ((width - 2) * (height - 2)), frames, at: performance.now() }
}

/** The median sharpness of `count` frames, each a new one (the count of decoded frames moved). */
export async function medianSharpness(read: SharpnessReader, what: string, count = 5): Promise<SharpnessFigures> {
  const samples: Sharpness[] = []
  await pollUntil(
    async () => {
      const sample = await read()
      if (sample && sample.frames > (samples.at(-1)?.frames ?? -1)) samples.push(sample)
      return samples.length >= count ? true : undefined
    },
    { timeoutMs: 15_000, description: `${count} new frames of ${what}`, seen: () => samples },
  )
  const first = samples[0]!
  const last = samples.at(-1)!
  const sorted = samples.map((sample) => sample.edges).sort((a, b) => a - b)
  return { edges: sorted[Math.floor(sorted.length / 2)]!, frames: last.frames, fps: ((last.frames - first.frames) * 1000) / (last.at - first.at) }
}

/** Polls until the median sharpness of new frames passes `test`: its last reading. */
export async function sharpnessUntil(read: SharpnessReader, what: string, test: (edges: number) => boolean, description: string): Promise<SharpnessFigures> {
  let seen: SharpnessFigures | undefined
  return pollUntil(
    async () => {
      seen = await medianSharpness(read, what, 3)
      return test(seen.edges) ? seen : undefined
    },
    { timeoutMs: 25_000, description, seen: () => seen },
  )
}

// "The remote video is really decoding": videoWidth > 0 and a frame counter that grows.
// Counter: the `framesDecoded` of the inbound-rtp stats of the RTCRtpReceiver whose track plays in the
// element, found through `window.__pcs` (an array of the page's RTCPeerConnections that our test clients
// expose). Pages without `__pcs` (the web app) fall back to `video.getVideoPlaybackQuality().totalVideoFrames`.
// The figures say which counter was used.
import type { ElementHandle, Page } from 'playwright-core'

export type FrameCounter = 'inbound-rtp.framesDecoded' | 'video.totalVideoFrames'

export interface VideoSample {
  videoWidth: number
  videoHeight: number
  trackId: string | null
  trackState: string | null
  frames: number | null
  counter: FrameCounter | null
}

export interface DecodedVideoFigures {
  videoWidth: number
  videoHeight: number
  counter: FrameCounter
  framesAtStart: number
  framesAtEnd: number
  framesGrowth: number
  /** From the first call until videoWidth > 0 and a counter was readable. */
  msToFirstFrame: number
  /** From then until the counter grew by `minFramesGrowth`. */
  msToGrowth: number
}

export interface WaitForDecodedVideoOptions {
  /** How many more frames must be counted after the first sample. Default 10 (half a second at 20 fps). */
  minFramesGrowth?: number
  /** Deadline for the whole wait. Default 20 s. */
  timeoutMs?: number
  /** Polling pace. Default 100 ms. */
  intervalMs?: number
}

/**
 * Runs in the page before its own scripts (an init script): every RTCPeerConnection the page creates is
 * also kept in `window.__pcs`, so decoded frames can be read from its receivers' stats.
 */
export function recordPeerConnections(): void {
  // No DOM types in this package: the constructor as far as this needs it.
  type PeerConnectionClass = new (...args: unknown[]) => object
  const scope = globalThis as { RTCPeerConnection?: PeerConnectionClass; __pcs?: object[] }
  const Original = scope.RTCPeerConnection
  if (!Original || scope.__pcs) return
  const pcs: object[] = (scope.__pcs = [])
  // A Proxy, not a subclass: statics, prototype and instanceof stay exactly the browser's.
  scope.RTCPeerConnection = new Proxy(Original, {
    construct(target, args, newTarget) {
      const pc = Reflect.construct(target, args, newTarget) as object
      pcs.push(pc)
      return pc
    },
  })
}

/** Runs in the page: reads the element and the stats of the receiver playing its video track. */
export async function sampleVideoElement(element: unknown): Promise<VideoSample> {
  interface TrackShape { id: string; readyState: string }
  interface VideoShape {
    videoWidth: number
    videoHeight: number
    srcObject: { getVideoTracks(): TrackShape[] } | null
    getVideoPlaybackQuality?: () => { totalVideoFrames: number }
  }
  interface StatsShape { forEach(callback: (report: { type: string; kind?: string; framesDecoded?: number }) => void): void }
  interface PeerShape { getReceivers(): { track: TrackShape | null; getStats(): Promise<StatsShape> }[] }

  const video = element as VideoShape
  const track = video.srcObject?.getVideoTracks()[0] ?? null
  const sample: VideoSample = {
    videoWidth: video.videoWidth,
    videoHeight: video.videoHeight,
    trackId: track?.id ?? null,
    trackState: track?.readyState ?? null,
    frames: null,
    counter: null,
  }
  const pcs = (globalThis as { __pcs?: PeerShape[] }).__pcs
  if (track && Array.isArray(pcs)) {
    for (const pc of pcs) {
      for (const receiver of pc.getReceivers()) {
        if (receiver.track?.id !== track.id) continue
        const stats = await receiver.getStats()
        stats.forEach((report) => {
          if (report.type === 'inbound-rtp' && report.kind === 'video' && typeof report.framesDecoded === 'number') {
            sample.frames = Math.max(sample.frames ?? 0, report.framesDecoded)
            sample.counter = 'inbound-rtp.framesDecoded'
          }
        })
      }
    }
  }
  if (sample.counter === null && typeof video.getVideoPlaybackQuality === 'function') {
    sample.frames = video.getVideoPlaybackQuality().totalVideoFrames
    sample.counter = 'video.totalVideoFrames'
  }
  return sample
}

/** Reads one sample now (no waiting). `target` is a CSS selector (first match) or an element handle. */
export async function sampleVideo(page: Page, target: string | ElementHandle): Promise<VideoSample | null> {
  const handle = typeof target === 'string' ? await page.$(target) : target
  if (!handle) return null
  return handle.evaluate(sampleVideoElement)
}

/**
 * Polls until the video in `target` has `videoWidth > 0` and its frame counter grew by `minFramesGrowth`
 * since the first such sample. Throws with the last sample on timeout. Returns the measured figures.
 */
export async function waitForDecodedVideo(
  page: Page,
  target: string | ElementHandle,
  options: WaitForDecodedVideoOptions = {},
): Promise<DecodedVideoFigures> {
  const where = typeof target === 'string' ? target : 'the given element'
  return waitForDecodedSamples(() => sampleVideo(page, target), where, options)
}

/** The polling behind `waitForDecodedVideo`, for any way of reading a sample (e.g. a Firefox page). */
export async function waitForDecodedSamples(
  read: () => Promise<VideoSample | null>,
  where: string,
  options: WaitForDecodedVideoOptions = {},
): Promise<DecodedVideoFigures> {
  const minFramesGrowth = options.minFramesGrowth ?? 10
  const timeoutMs = options.timeoutMs ?? 20_000
  const intervalMs = options.intervalMs ?? 100
  const started = Date.now()
  const deadline = started + timeoutMs
  let first: { sample: VideoSample & { frames: number; counter: FrameCounter }; at: number } | undefined
  let last: VideoSample | null = null
  let lastError: unknown

  for (;;) {
    try {
      last = await read()
    } catch (error) {
      // The element can be replaced between query and evaluate; retry until the deadline.
      lastError = error
      last = null
    }
    if (last && last.videoWidth > 0 && last.frames !== null && last.counter !== null) {
      const now = Date.now()
      // A new element/track or a different counter restarts the count.
      if (!first || first.sample.counter !== last.counter || first.sample.trackId !== last.trackId || last.frames < first.sample.frames) {
        first = { sample: { ...last, frames: last.frames, counter: last.counter }, at: now }
      } else if (last.frames - first.sample.frames >= minFramesGrowth) {
        return {
          videoWidth: last.videoWidth,
          videoHeight: last.videoHeight,
          counter: last.counter,
          framesAtStart: first.sample.frames,
          framesAtEnd: last.frames,
          framesGrowth: last.frames - first.sample.frames,
          msToFirstFrame: first.at - started,
          msToGrowth: now - first.at,
        }
      }
    }
    if (Date.now() >= deadline) {
      const error = lastError instanceof Error ? `; last error: ${lastError.message}` : ''
      throw new Error(
        `No decoded video in ${where} within ${timeoutMs} ms (wanted videoWidth > 0 and ${minFramesGrowth} more frames): ` +
          `first=${JSON.stringify(first?.sample ?? null)} last=${JSON.stringify(last)}${error}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

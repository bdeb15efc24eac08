import { afterEach, describe, expect, it, vi } from 'vitest'
import { blurBackground, type BlurPage, type Segmentation, type Segmenter } from './backgroundBlur'

/** A track: the camera, or what the canvas captures. */
class FakeTrack extends EventTarget {
  enabled = true
  readyState: 'live' | 'ended' = 'live'
  constructor(readonly id: string) {
    super()
  }
  getSettings() {
    return { width: 64, height: 48, frameRate: 24 }
  }
  stop() {
    this.readyState = 'ended'
  }
}

class FakeStream {
  constructor(readonly tracks: FakeTrack[]) {}
}

class FakeVideo {
  muted = false
  playsInline = false
  srcObject: FakeStream | null = null
  videoWidth = 64
  videoHeight = 48
  readyState = 4
  constructor(private readonly playing: Promise<void>) {}
  play() {
    return this.playing
  }
}

/** What a 2D context was asked to draw, by what (the camera's frame, the person, the mask). */
class FakeContext {
  globalCompositeOperation = 'source-over'
  filter = 'none'
  readonly drawn: { source: unknown; operation: string }[] = []
  drawImage(source: unknown) {
    this.drawn.push({ source, operation: this.globalCompositeOperation })
  }
}

class FakeCanvas {
  readonly context = new FakeContext()
  readonly captured: FakeTrack[] = []
  constructor(readonly width: number, readonly height: number, private readonly has2d: boolean, private readonly gives: boolean) {}
  getContext(kind: string) {
    return kind === '2d' && this.has2d ? this.context : null
  }
  captureStream() {
    const track = new FakeTrack('canvas')
    if (this.gives) this.captured.push(track)
    return { getVideoTracks: () => [...this.captured] }
  }
}

/**
 * The page's parts as doubles. `canvases`: which of the canvases (made in order: the sent one, the person, the
 * mask) have a 2D context; `capture`: whether the sent canvas gives a track.
 */
function fakePage(options: { play?: Promise<void>; canvases?: boolean[]; capture?: boolean } = {}) {
  const videos: FakeVideo[] = []
  const canvases: FakeCanvas[] = []
  const page: BlurPage = {
    video: () => {
      const video = new FakeVideo(options.play ?? Promise.resolve())
      videos.push(video)
      return video as unknown as HTMLVideoElement
    },
    canvas: (width, height) => {
      const canvas = new FakeCanvas(width, height, options.canvases?.[canvases.length] ?? true, options.capture ?? true)
      canvases.push(canvas)
      return canvas as unknown as HTMLCanvasElement
    },
    stream: (tracks) => new FakeStream(tracks as unknown as FakeTrack[]) as unknown as MediaStream,
  }
  return { page, videos, canvases }
}

/** A segmenter whose answers the test gives, one per frame asked for. */
function fakeSegmenter() {
  const asked: ((segmentation: Segmentation) => void)[] = []
  const segmenter = {
    closed: 0,
    segment: () => new Promise<Segmentation>((resolve) => asked.push(resolve)),
    close() {
      segmenter.closed++
    },
  } satisfies Segmenter & { closed: number }
  return { segmenter, asked }
}

const camera = () => new FakeTrack('camera')
const asTrack = (track: FakeTrack) => track as unknown as MediaStreamTrack

afterEach(() => {
  vi.useRealTimers()
})

describe('blurBackground: a failed start', () => {
  it('with no 2D canvas after the camera played, throws and leaves the hidden video holding nothing, the camera live for the caller', async () => {
    const { page, videos, canvases } = fakePage({ canvases: [true, true, false] })
    const track = camera()
    await expect(blurBackground(asTrack(track), fakeSegmenter().segmenter, { page })).rejects.toThrow('no 2D canvas')
    expect(videos).toHaveLength(1)
    expect(videos[0]!.srcObject).toBeNull()
    // Nothing was captured (the capture comes after every canvas), so no track of ours is left running.
    expect(canvases.flatMap((canvas) => canvas.captured)).toEqual([])
    expect(track.readyState).toBe('live')
  })

  it('with a canvas that gives no track, throws and leaves the hidden video holding nothing', async () => {
    const { page, videos } = fakePage({ capture: false })
    const track = camera()
    await expect(blurBackground(asTrack(track), fakeSegmenter().segmenter, { page })).rejects.toThrow('the canvas gives no track')
    expect(videos[0]!.srcObject).toBeNull()
    expect(track.readyState).toBe('live')
  })

  it('when the camera does not play, throws and leaves the hidden video holding nothing', async () => {
    const { page, videos } = fakePage({ play: Promise.reject(new Error('autoplay refused')) })
    await expect(blurBackground(asTrack(camera()), fakeSegmenter().segmenter, { page })).rejects.toThrow('autoplay refused')
    expect(videos[0]!.srcObject).toBeNull()
  })
})

describe('blurBackground: the loop', () => {
  it('sends all of the frame blurred until the first mask, then the person sharp over it; stopped, releases everything and draws no late mask', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const { page, videos, canvases } = fakePage()
    const { segmenter, asked } = fakeSegmenter()
    const track = camera()
    const output = await blurBackground(asTrack(track), segmenter, { page })
    const [sent, person, mask] = canvases as [FakeCanvas, FakeCanvas, FakeCanvas]
    expect(output).toBe(sent.captured[0])
    const video = videos[0]!
    expect(video.srcObject?.tracks).toEqual([track])
    // Unmasked: the frame is drawn blurred, and nothing over it.
    expect(sent.context.drawn.map((draw) => draw.source)).toEqual([video])
    expect(person.context.drawn).toEqual([])

    asked.shift()!({ mask: 'mask of frame 1' as unknown as CanvasImageSource })
    await vi.advanceTimersByTimeAsync(1000 / 24)
    expect(mask.context.drawn.map((draw) => draw.source)).toEqual(['mask of frame 1'])
    // Masked: the person (the mask filled with the sharp frame) drawn over the blurred frame.
    expect(person.context.drawn.map((draw) => draw.source)).toEqual([mask, video])
    expect(sent.context.drawn.slice(-2)).toEqual([
      { source: video, operation: 'copy' },
      { source: person, operation: 'source-over' },
    ])

    // A segmentation under way when the track stops is dropped.
    await vi.advanceTimersByTimeAsync(1000 / 24)
    expect(asked.length).toBeGreaterThan(0)
    output.stop()
    expect(track.readyState).toBe('ended')
    expect(video.srcObject).toBeNull()
    expect(segmenter.closed).toBe(1)
    asked.forEach((answer) => answer({ mask: 'late mask' as unknown as CanvasImageSource }))
    const drawnAtStop = sent.context.drawn.length
    await vi.advanceTimersByTimeAsync(1000)
    expect(mask.context.drawn.map((draw) => draw.source)).not.toContain('late mask')
    expect(sent.context.drawn).toHaveLength(drawnAtStop)
    expect(vi.getTimerCount()).toBe(0)
    output.stop()
    expect(segmenter.closed).toBe(1)
  })

  it('the camera ending on its own ends the track, with an ended event, and releases everything', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const { page, videos } = fakePage()
    const { segmenter } = fakeSegmenter()
    const track = camera()
    const output = await blurBackground(asTrack(track), segmenter, { page })
    const ended = vi.fn()
    output.addEventListener('ended', ended)
    track.stop()
    track.dispatchEvent(new Event('ended'))
    expect(ended).toHaveBeenCalledTimes(1)
    expect(output.readyState).toBe('ended')
    expect(videos[0]!.srcObject).toBeNull()
    expect(segmenter.closed).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})

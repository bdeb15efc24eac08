// Background blur: the camera's frames through a segmenter (which pixels are the person), drawn as the
// person sharp over a blurred copy of the whole frame on a canvas, sent as the canvas's captured track.
// Its own chunk with the segmenter (blur/index.ts): fetched only when blur is on.
//
// The track it returns owns everything: its stop() stops the loop, the camera and the segmenter; the
// camera ending on its own (unplugged) ends it too, with an `ended` event as a camera's would fire.

/** Which pixels are the person: a mask of the frame it looked at (alpha: the person). */
export interface Segmentation {
  mask: CanvasImageSource
}

export interface Segmenter {
  segment(frame: HTMLVideoElement): Promise<Segmentation>
  close(): Promise<void> | void
}

/** What the loop makes of the page: the browser's by default, doubles in a test. */
export interface BlurPage {
  /** The hidden element that plays the camera, for the canvas to draw and the segmenter to read. */
  video(): HTMLVideoElement
  canvas(width: number, height: number): HTMLCanvasElement
  stream(tracks: MediaStreamTrack[]): MediaStream
}

export interface BlurOptions {
  /** Frames a second drawn and captured (the camera's own rate, at most this). */
  fps?: number
  /** The background's blur radius, in pixels of the camera's frame. */
  radius?: number
  page?: BlurPage
}

/**
 * Where the loop is, one value: `starting` until the camera plays and the canvases are made; `unmasked`
 * drawing with no mask yet (all of the frame blurred); `masked` once the segmenter gave its first mask;
 * `stopped` with everything released (the track stopped or the camera ended; never left).
 */
export type BlurPhase = 'starting' | 'unmasked' | 'masked' | 'stopped'

const DEFAULT_FPS = 24
const DEFAULT_RADIUS = 14
/** HTMLMediaElement.HAVE_CURRENT_DATA: a frame to draw (a constant, so nothing global is read). */
const HAVE_CURRENT_DATA = 2

const BROWSER_PAGE: BlurPage = {
  video: () => document.createElement('video'),
  canvas: canvasOf,
  stream: (tracks) => new MediaStream(tracks),
}

export async function blurBackground(camera: MediaStreamTrack, segmenter: Segmenter, options: BlurOptions = {}): Promise<MediaStreamTrack> {
  const page = options.page ?? BROWSER_PAGE
  const fps = Math.min(options.fps ?? DEFAULT_FPS, camera.getSettings().frameRate ?? DEFAULT_FPS)
  const radius = options.radius ?? DEFAULT_RADIUS
  let phase: BlurPhase = 'starting'
  const video = page.video()
  video.muted = true
  video.playsInline = true
  video.srcObject = page.stream([camera])
  let surfaces: Surfaces
  try {
    await video.play()
    surfaces = surfacesFor(video, camera, fps, page)
  } catch (error) {
    // Nothing of a failed start goes on playing; the camera is the caller's still (it goes on with it plain).
    phase = 'stopped'
    video.srcObject = null
    throw error
  }
  const { width, height, context, person, personContext, mask, maskContext, output } = surfaces
  phase = 'unmasked'

  let drawTimer: ReturnType<typeof setTimeout> | undefined
  let segmentTimer: ReturnType<typeof setTimeout> | undefined
  const stopOutput = output.stop.bind(output)
  const release = () => {
    if (phase === 'stopped') return
    phase = 'stopped'
    clearTimeout(drawTimer)
    clearTimeout(segmentTimer)
    camera.removeEventListener('ended', cameraEnded)
    camera.stop()
    video.srcObject = null
    void Promise.resolve(segmenter.close()).catch(() => undefined)
  }
  function cameraEnded() {
    release()
    stopOutput()
    output.dispatchEvent(new Event('ended'))
  }
  camera.addEventListener('ended', cameraEnded)
  // The core stops the track it was given: that is the end of all of it.
  output.stop = () => {
    release()
    stopOutput()
  }

  const draw = () => {
    // The background: the whole frame blurred, drawn a blur radius larger on every side so the edges stay opaque.
    context.globalCompositeOperation = 'copy'
    context.filter = `blur(${radius}px)`
    context.drawImage(video, -2 * radius, -2 * radius, width + 4 * radius, height + 4 * radius)
    context.filter = 'none'
    // Until the first mask, all of it stays blurred: nothing of the room is sent sharp.
    if (phase !== 'masked') return
    // The person: the latest mask, filled with the sharp frame.
    personContext.globalCompositeOperation = 'copy'
    personContext.drawImage(mask, 0, 0)
    personContext.globalCompositeOperation = 'source-in'
    personContext.drawImage(video, 0, 0, width, height)
    context.globalCompositeOperation = 'source-over'
    context.drawImage(person, 0, 0)
  }

  const frameTime = 1000 / fps
  const ready = () => output.enabled && video.readyState >= HAVE_CURRENT_DATA
  // Two loops on timers, not requestAnimationFrame (it stops in a hidden tab, and the call goes on being sent
  // from there). Every camera frame is drawn with the latest mask; the segmenter runs as often as it can keep
  // up (a slow one, e.g. software WebGL, makes the mask lag the person, never the video). A camera turned off
  // (the track disabled) sends black frames on its own: then neither works.
  const drawStep = () => {
    const started = performance.now()
    if (ready()) draw()
    if (phase !== 'stopped') drawTimer = setTimeout(drawStep, Math.max(0, frameTime - (performance.now() - started)))
  }
  const segmentStep = async () => {
    const started = performance.now()
    if (ready()) {
      try {
        const segmentation = await segmenter.segment(video)
        if (phase === 'stopped') return
        // Its edge softened a little.
        maskContext.globalCompositeOperation = 'copy'
        maskContext.filter = 'blur(2px)'
        maskContext.drawImage(segmentation.mask, 0, 0, width, height)
        maskContext.filter = 'none'
        phase = 'masked'
      } catch (error) {
        if (phase === 'stopped') return
        // One frame that fails is skipped; the next may not.
        console.warn('[parley] background blur skipped a frame:', error)
      }
    }
    if (phase !== 'stopped') segmentTimer = setTimeout(() => void segmentStep(), Math.max(0, frameTime - (performance.now() - started)))
  }
  drawStep()
  void segmentStep()
  return output
}

/** The canvases the loop draws on and the track it sends. */
interface Surfaces {
  width: number
  height: number
  context: CanvasRenderingContext2D
  /** The person: the mask filled with the sharp frame. */
  person: HTMLCanvasElement
  personContext: CanvasRenderingContext2D
  /** The person's mask, as the segmenter last saw them, copied (its own buffer is reused by the next frame). */
  mask: HTMLCanvasElement
  maskContext: CanvasRenderingContext2D
  output: MediaStreamTrack
}

/** Every canvas before the capture: a throw here leaves no track to stop. */
function surfacesFor(video: HTMLVideoElement, camera: MediaStreamTrack, fps: number, page: BlurPage): Surfaces {
  const width = video.videoWidth || (camera.getSettings().width ?? 640)
  const height = video.videoHeight || (camera.getSettings().height ?? 480)
  const [canvas, person, mask] = [page.canvas(width, height), page.canvas(width, height), page.canvas(width, height)]
  const [context, personContext, maskContext] = [canvas.getContext('2d'), person.getContext('2d'), mask.getContext('2d')]
  if (!context || !personContext || !maskContext) throw new Error('no 2D canvas')
  const output = canvas.captureStream(fps).getVideoTracks()[0]
  if (!output) throw new Error('the canvas gives no track')
  return { width, height, context, person, personContext, mask, maskContext, output }
}

function canvasOf(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  return canvas
}

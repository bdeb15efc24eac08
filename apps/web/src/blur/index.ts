// The blur chunk's entry: a camera track in, its background-blurred track out, with a segmenter of its
// own (closed when the track stops) on the page's one MediaPipe solution (selfieSegmenter.ts). Imported only
// when blur is on (stores/blur.ts).
import { blurBackground } from './backgroundBlur'
import { createSelfieSegmenter } from './selfieSegmenter'

export async function blurCamera(camera: MediaStreamTrack, abandoned?: AbortSignal): Promise<MediaStreamTrack> {
  const segmenter = await createSelfieSegmenter()
  try {
    // The camera ended during the segmenter's start (seconds): nothing is drawn of it.
    abandoned?.throwIfAborted()
    return await blurBackground(camera, segmenter)
  } catch (error) {
    await segmenter.close()
    throw error
  }
}

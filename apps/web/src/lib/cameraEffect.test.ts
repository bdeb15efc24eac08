import { describe, expect, it } from 'vitest'
import { acquireMedia, classifyMediaError, type MediaConstraintsLike, type MediaStreamTrackLike } from '@parley/core'
import { CameraEndedError, withCameraEffect, type CameraEffect } from './cameraEffect'

class FakeTrack {
  enabled = true
  readyState: 'live' | 'ended' = 'live'
  readonly endedListeners = new Set<() => void>()
  constructor(readonly kind: 'audio' | 'video', readonly id: string) {}
  stop() {
    this.readyState = 'ended'
  }
  /** The device went away (unplugged): as a browser does, `ended` fires (stop() fires none). */
  end() {
    this.readyState = 'ended'
    for (const listener of [...this.endedListeners]) listener()
  }
  addEventListener(type: string, listener: () => void) {
    if (type === 'ended') this.endedListeners.add(listener)
  }
  removeEventListener(type: string, listener: () => void) {
    if (type === 'ended') this.endedListeners.delete(listener)
  }
}

class FakeStream {
  readonly id = 'stream'
  constructor(private tracks: FakeTrack[]) {}
  getTracks() {
    return [...this.tracks]
  }
  addTrack(track: FakeTrack) {
    this.tracks.push(track)
  }
  removeTrack(track: FakeTrack) {
    this.tracks = this.tracks.filter((candidate) => candidate !== track)
  }
}

/** `together`: false when the camera and the microphone open alone but not together (NotReadableError). */
function fakeMedia({ together = true } = {}) {
  const asked: MediaConstraintsLike[] = []
  const opened: FakeTrack[] = []
  return {
    asked,
    opened,
    getUserMedia: async (constraints: MediaConstraintsLike) => {
      asked.push(constraints)
      if (!together && constraints.audio && constraints.video) throw Object.assign(new Error('Could not start video source'), { name: 'NotReadableError' })
      const tracks = [...(constraints.audio ? [new FakeTrack('audio', 'mic')] : []), ...(constraints.video ? [new FakeTrack('video', 'camera')] : [])]
      opened.push(...tracks)
      return new FakeStream(tracks) as never
    },
    enumerateDevices: async () => [],
  }
}

/** A processor that tells which camera it was handed and gives a track of its own. */
function fakeEffect(wanted: boolean, fails = false) {
  const applied: MediaStreamTrackLike[] = []
  const effect: CameraEffect = {
    wanted: () => wanted,
    apply: async (camera) => {
      applied.push(camera)
      if (fails) throw new Error('no WebGL here')
      return new FakeTrack('video', `blurred-${camera.id}`) as never
    },
  }
  return { effect, applied }
}

/** An effect whose start the test ends: each camera handed to it waits for `finish`. */
function slowEffect() {
  const starts: { camera: FakeTrack; abandoned: AbortSignal; finish(): FakeTrack }[] = []
  const effect: CameraEffect = {
    wanted: () => true,
    apply: (camera, abandoned) =>
      new Promise((resolve) => {
        starts.push({
          camera: camera as unknown as FakeTrack,
          abandoned,
          finish: () => {
            const processed = new FakeTrack('video', `blurred-${camera.id}`)
            resolve(processed as never)
            return processed
          },
        })
      }),
  }
  return { effect, starts }
}

/** Lets the pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

const ids = (stream: { getTracks(): MediaStreamTrackLike[] }) => stream.getTracks().map((track) => track.id)

describe('withCameraEffect', () => {
  it('while the effect is wanted, the camera is handed to it and its track takes the camera’s place in the same stream', async () => {
    const media = fakeMedia()
    const { effect, applied } = fakeEffect(true)
    const stream = await withCameraEffect(media, effect).getUserMedia({ audio: true, video: { deviceId: { exact: 'cam' } } })
    expect(media.asked).toEqual([{ audio: true, video: { deviceId: { exact: 'cam' } } }])
    expect(applied.map((track) => track.id)).toEqual(['camera'])
    expect(ids(stream)).toEqual(['mic', 'blurred-camera'])
  })

  it('not wanted, the camera comes as the browser gave it', async () => {
    const { effect, applied } = fakeEffect(false)
    const stream = await withCameraEffect(fakeMedia(), effect).getUserMedia({ audio: true, video: true })
    expect(applied).toEqual([])
    expect(ids(stream)).toEqual(['mic', 'camera'])
  })

  it('a microphone alone (a microphone switch) never reaches the effect', async () => {
    const { effect, applied } = fakeEffect(true)
    const stream = await withCameraEffect(fakeMedia(), effect).getUserMedia({ audio: { deviceId: { exact: 'mic2' } }, video: false })
    expect(applied).toEqual([])
    expect(ids(stream)).toEqual(['mic'])
  })

  it('a probe (the core learning whether the camera opens) never reaches the effect', async () => {
    const { effect, applied } = fakeEffect(true)
    const stream = await withCameraEffect(fakeMedia(), effect).getUserMedia({ audio: false, video: true }, { probe: true })
    expect(applied).toEqual([])
    expect(ids(stream)).toEqual(['camera'])
  })

  it('the core’s acquisition, camera and microphone failing together: its camera probe is neither blurred nor left open', async () => {
    const media = fakeMedia({ together: false })
    const { effect, applied } = fakeEffect(true)
    const acquired = await acquireMedia(withCameraEffect(media, effect), { audio: true, video: true })
    expect(acquired).toMatchObject({ audio: true, video: false, error: { kind: 'media-in-use' } })
    expect(media.asked).toEqual([
      { audio: true, video: true },
      { audio: true, video: false },
      { audio: false, video: true },
    ])
    expect(applied).toEqual([])
    expect(media.opened.map((track) => [track.id, track.readyState])).toEqual([
      ['mic', 'live'],
      ['camera', 'ended'],
    ])
  })

  it('an effect that fails leaves the plain camera, live', async () => {
    const { effect, applied } = fakeEffect(true, true)
    const stream = await withCameraEffect(fakeMedia(), effect).getUserMedia({ audio: false, video: true })
    expect(applied).toHaveLength(1)
    expect(ids(stream)).toEqual(['camera'])
    expect(stream.getTracks()[0]!.readyState).toBe('live')
  })

  it('a camera that ends while the effect starts: the start is abandoned and the open fails as the camera’s, nothing of it left running', async () => {
    const media = fakeMedia()
    const { effect, starts } = slowEffect()
    const opening = withCameraEffect(media, effect).getUserMedia({ audio: true, video: true })
    await settle()
    const [start] = starts
    expect(start!.abandoned.aborted).toBe(false)
    start!.camera.end()
    expect(start!.abandoned.aborted).toBe(true)
    const error = await opening.catch((reason: unknown) => reason)
    expect(error).toBeInstanceOf(CameraEndedError)
    // The core words a failure by its name: one it does not know is a camera that could not start.
    expect(classifyMediaError(error, 'camera').kind).toBe('media-failed')
    expect(media.opened.map((track) => [track.id, track.readyState])).toEqual([
      ['mic', 'ended'],
      ['camera', 'ended'],
    ])
    // What the effect still makes afterwards is stopped, never handed over; the camera is no longer watched.
    const late = start!.finish()
    await settle()
    expect(late.readyState).toBe('ended')
    expect(start!.camera.endedListeners.size).toBe(0)
  })

  it('a camera already ended when it came is not handed to the effect', async () => {
    const media = {
      ...fakeMedia(),
      getUserMedia: async () => {
        const camera = new FakeTrack('video', 'camera')
        camera.end()
        return new FakeStream([camera]) as never
      },
    }
    const { effect, starts } = slowEffect()
    await expect(withCameraEffect(media, effect).getUserMedia({ audio: false, video: true })).rejects.toThrow(CameraEndedError)
    expect(starts).toEqual([])
  })

  it('a camera that ends after the effect’s track came is the effect’s to report (its track ends), the open stands', async () => {
    const { effect, starts } = slowEffect()
    const opening = withCameraEffect(fakeMedia(), effect).getUserMedia({ audio: false, video: true })
    await settle()
    starts[0]!.finish()
    const stream = await opening
    expect(ids(stream)).toEqual(['blurred-camera'])
    expect(starts[0]!.camera.endedListeners.size).toBe(0)
    starts[0]!.camera.end()
    expect(starts[0]!.abandoned.aborted).toBe(false)
  })

  it('keeps the other methods of the port', async () => {
    const media = fakeMedia()
    const wrapped = withCameraEffect(media, fakeEffect(true).effect)
    expect(wrapped.enumerateDevices).toBe(media.enumerateDevices)
  })
})

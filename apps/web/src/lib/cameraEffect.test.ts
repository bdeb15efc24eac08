import { describe, expect, it } from 'vitest'
import type { MediaConstraintsLike, MediaStreamTrackLike } from '@parley/core'
import { withCameraEffect, type CameraEffect } from './cameraEffect'

class FakeTrack {
  enabled = true
  readyState: 'live' | 'ended' = 'live'
  constructor(readonly kind: 'audio' | 'video', readonly id: string) {}
  stop() {
    this.readyState = 'ended'
  }
  addEventListener() {}
  removeEventListener() {}
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

function fakeMedia() {
  const asked: MediaConstraintsLike[] = []
  return {
    asked,
    getUserMedia: async (constraints: MediaConstraintsLike) => {
      asked.push(constraints)
      const tracks = [...(constraints.audio ? [new FakeTrack('audio', 'mic')] : []), ...(constraints.video ? [new FakeTrack('video', 'camera')] : [])]
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

  it('an effect that fails leaves the plain camera, live', async () => {
    const { effect, applied } = fakeEffect(true, true)
    const stream = await withCameraEffect(fakeMedia(), effect).getUserMedia({ audio: false, video: true })
    expect(applied).toHaveLength(1)
    expect(ids(stream)).toEqual(['camera'])
    expect(stream.getTracks()[0]!.readyState).toBe('live')
  })

  it('keeps the other methods of the port', async () => {
    const media = fakeMedia()
    const wrapped = withCameraEffect(media, fakeEffect(true).effect)
    expect(wrapped.enumerateDevices).toBe(media.enumerateDevices)
  })
})

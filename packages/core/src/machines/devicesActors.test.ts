// The devices machine's watch of the local tracks (devicesActors.ts `watchTracks`), run alone in a parent that
// records what it reports, over the fake media-devices port and a real LocalMedia.
import { describe, expect, it } from 'vitest'
import { createActor, setup, type AnyEventObject } from 'xstate'
import { LocalMedia } from '../localMedia.js'
import { FakeMediaDevices, flush, type FakeMediaStreamTrack } from '../test-support/index.js'
import { devicesActors } from './devicesActors.js'

async function watching() {
  const devices = new FakeMediaDevices()
  devices.devices = [
    { deviceId: 'mic', kind: 'audioinput', label: 'Built-in microphone' },
    { deviceId: 'cam', kind: 'videoinput', label: 'Built-in camera' },
  ]
  const local = new LocalMedia()
  const heard: AnyEventObject[] = []
  const parent = setup({ actors: { watch: devicesActors({ devices, local }).watchTracks } }).createMachine({
    invoke: { src: 'watch' },
    on: { 'devices.trackEnded': { actions: ({ event }) => void heard.push(event) } },
  })
  const open = async () => (await devices.getUserMedia({ audio: true, video: true })) as unknown as OpenStream
  return { devices, local, open, ended: () => heard.map((event) => event.kind), start: () => createActor(parent).start() }
}

interface OpenStream {
  getTracks(): FakeMediaStreamTrack[]
}
const trackOf = (stream: OpenStream, kind: 'audio' | 'video') => stream.getTracks().find((track) => track.kind === kind)!

describe('the watch of the local tracks', () => {
  it('a track that ended before the watch began is reported once, as if its `ended` fired', async () => {
    const run = await watching()
    const stream = await run.open()
    run.local.set(stream as never)
    trackOf(stream, 'video').end()
    const actor = run.start()
    await flush()
    expect(run.ended()).toEqual(['videoinput'])
    // The stream changes (a microphone switch): the camera is watched again, not reported again.
    const mic = (await run.devices.getUserMedia({ audio: true, video: false })).getTracks()[0]!
    run.local.replaceTrack(mic)
    await flush()
    expect(run.ended()).toEqual(['videoinput'])
    actor.stop()
  })

  it('a stream handed over with a track already ended (unplugged while it opened) is reported once', async () => {
    const run = await watching()
    const actor = run.start()
    const stream = await run.open()
    trackOf(stream, 'audio').end()
    run.local.set(stream as never)
    await flush()
    expect(run.ended()).toEqual(['audioinput'])
    actor.stop()
  })

  it('a track that ends while watched is reported once, even when its `ended` fires again', async () => {
    const run = await watching()
    const actor = run.start()
    const stream = await run.open()
    run.local.set(stream as never)
    const camera = trackOf(stream, 'video')
    camera.end()
    camera.end()
    await flush()
    expect(run.ended()).toEqual(['videoinput'])
    actor.stop()
  })
})

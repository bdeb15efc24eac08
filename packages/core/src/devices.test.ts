// Device choice through the conference handle (devicesMachine.ts): lists with labels, switching a
// microphone or camera in the pre-join preview and mid-call (replaceTrack, no new offer), an unplugged
// device falling back, a device that fails to open, and a new device appearing in the list.
import { describe, expect, it } from 'vitest'
import { waitFor } from 'xstate'
import { createConference, type ConferenceSnapshot } from './conference.js'
import { DeviceError, FAKE_HUB_URL, createFakeWorld, flush, type FakeMediaStreamTrack, type FakePeerConnection } from './test-support/index.js'
import { RECEIVE_SLOTS } from './peerSession.js'

const SECOND_MIC = { deviceId: 'mic2', kind: 'audioinput', label: 'USB headset' }

function started(configure?: (world: ReturnType<typeof createFakeWorld>) => void) {
  const world = createFakeWorld()
  world.devices.devices = [
    { deviceId: 'mic', kind: 'audioinput', label: 'Fake microphone' },
    { deviceId: 'cam', kind: 'videoinput', label: 'Fake camera' },
    SECOND_MIC,
  ]
  configure?.(world)
  const conference = createConference({ hub: { baseUrl: FAKE_HUB_URL }, ports: world.ports })
  conference.actor.start()
  const view = () => conference.selectView(conference.actor.getSnapshot())
  const until = (predicate: (snapshot: ConferenceSnapshot) => boolean) => waitFor(conference.actor, predicate, { timeout: 1000 })
  const localTrack = (kind: 'audio' | 'video') => conference.streams.get(view().local.streamId ?? '')?.getTracks().find((t) => t.kind === kind) as FakeMediaStreamTrack | undefined
  return { world, conference, view, until, localTrack }
}

async function joined(configure?: (world: ReturnType<typeof createFakeWorld>) => void) {
  const run = started(configure)
  run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
  await run.until((s) => s.matches('inRoom'))
  await flush()
  run.world.eventSources.latest().open()
  ;(run.world.peers.latest() as FakePeerConnection).setIceConnectionState('connected')
  await flush()
  return run
}

/** In the preview, a microphone switch to mic2 under way: its open waits for the test. */
async function switchingMicrophone(configure?: (world: ReturnType<typeof createFakeWorld>) => void) {
  const run = started(configure)
  run.conference.preview({ audio: true, video: true })
  await run.until((s) => s.matches({ previewing: 'ready' }))
  const opensBefore = run.world.devices.requests.length
  run.world.devices.calls.gate('getUserMedia')
  run.conference.selectDevice('audioinput', 'mic2')
  await flush()
  const open = run.world.devices.calls.find('getUserMedia')!
  // What opens after this switch (a fallback) is not held.
  run.world.devices.calls.ungate('getUserMedia')
  return { ...run, open, opensSince: () => run.world.devices.requests.slice(opensBefore) }
}

const DOCUMENT_CAMERA = { deviceId: 'cam2', kind: 'videoinput', label: 'Document camera' }

const sentTrack = (pc: FakePeerConnection, kind: string) => pc.getTransceivers().find((t) => t.sender.track?.kind === kind)?.sender.track

describe('device choice (conference)', () => {
  it('lists cameras and microphones with their labels, and a device plugged in appears without a reload', async () => {
    const run = started()
    await flush()
    expect(run.view().devices).toEqual({
      audioinput: [
        { deviceId: 'mic', label: 'Fake microphone' },
        { deviceId: 'mic2', label: 'USB headset' },
      ],
      videoinput: [{ deviceId: 'cam', label: 'Fake camera' }],
      audiooutput: [],
      selected: {},
    })
    run.world.devices.plug({ deviceId: 'cam2', kind: 'videoinput', label: 'Document camera' })
    await flush()
    expect(run.view().devices.videoinput.map((d) => d.deviceId)).toEqual(['cam', 'cam2'])
    run.conference.leave()
  })

  it('a choice made before the preview is remembered, and the preview opens that device', async () => {
    const run = started()
    run.conference.selectDevice('audioinput', 'mic2')
    await flush()
    expect(run.view().devices.selected).toEqual({ audioinput: 'mic2' })
    run.conference.preview({ audio: true, video: true })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    expect(run.world.devices.requests.at(-1)).toEqual({ audio: { deviceId: { ideal: 'mic2' } }, video: true })
    expect(run.localTrack('audio')?.deviceId).toBe('mic2')
    run.conference.leave()
  })

  it('a remembered device that no longer exists gives way to the default without a word', async () => {
    const run = started()
    run.conference.selectDevice('videoinput', 'gone-camera')
    await flush()
    run.conference.preview({ audio: true, video: true })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    expect(run.localTrack('video')?.deviceId).toBe('cam')
    expect(run.view().error).toBeUndefined()
    expect(run.view().devices.notice).toBeUndefined()
    run.conference.leave()
  })

  it('switching the microphone mid-call replaces the sent track in place: no new offer, same stream, old track stopped', async () => {
    const run = await joined()
    const pc = run.world.peers.latest() as FakePeerConnection
    const offersBefore = run.world.hub.requests('negotiate').length
    const streamId = run.view().local.streamId
    const oldMic = run.localTrack('audio')!
    run.conference.selectDevice('audioinput', 'mic2')
    expect(run.view().devices.switching).toBe('audioinput')
    await flush()
    const view = run.view()
    expect(view.devices.switching).toBeUndefined()
    expect(view.devices.selected).toEqual({ audioinput: 'mic2' })
    expect(view.devices.notice).toBeUndefined()
    const newMic = run.localTrack('audio')!
    expect(newMic.deviceId).toBe('mic2')
    expect(sentTrack(pc, 'audio')).toBe(newMic)
    expect(oldMic.readyState).toBe('ended')
    expect(view.local.streamId).toBe(streamId)
    expect(run.world.hub.requests('negotiate')).toHaveLength(offersBefore)
    // The microphone, the camera and the receive slots: nothing added.
    expect(pc.getTransceivers()).toHaveLength(2 + 2 * RECEIVE_SLOTS)
    // The conference remembers the choice for the next acquisition (a Retry, a new preview).
    expect(run.conference.actor.getSnapshot().context.deviceIds).toEqual({ audioinput: 'mic2' })
    run.conference.leave()
  })

  it('reopening the camera mid-call puts a fresh track from the port on the sender: same stream, no new offer, the choice unchanged', async () => {
    const run = await joined()
    const pc = run.world.peers.latest() as FakePeerConnection
    const offersBefore = run.world.hub.requests('negotiate').length
    const streamId = run.view().local.streamId
    const oldCamera = run.localTrack('video')!
    run.conference.reopenDevice('videoinput')
    expect(run.view().devices.switching).toBe('videoinput')
    await flush()
    const camera = run.localTrack('video')!
    expect(camera).not.toBe(oldCamera)
    expect(run.world.devices.requests.at(-1)).toEqual({ audio: false, video: true })
    expect(sentTrack(pc, 'video')).toBe(camera)
    expect(oldCamera.readyState).toBe('ended')
    expect(run.view().local.streamId).toBe(streamId)
    expect(run.view().devices.selected).toEqual({})
    expect(run.world.hub.requests('negotiate')).toHaveLength(offersBefore)
    // A chosen camera is opened again by its id.
    run.world.devices.plug({ deviceId: 'cam2', kind: 'videoinput', label: 'Document camera' })
    run.conference.selectDevice('videoinput', 'cam2')
    await flush()
    run.conference.reopenDevice('videoinput')
    await flush()
    expect(run.world.devices.requests.at(-1)).toEqual({ audio: false, video: { deviceId: { exact: 'cam2' } } })
    expect(run.view().devices.selected).toEqual({ videoinput: 'cam2' })
    expect(sentTrack(pc, 'video')).toBe(run.localTrack('video'))
    run.conference.leave()
  })

  it('a muted microphone stays muted on the new device', async () => {
    const run = await joined()
    run.conference.setMicrophone(false)
    await flush()
    run.conference.selectDevice('audioinput', 'mic2')
    await flush()
    expect(run.localTrack('audio')?.deviceId).toBe('mic2')
    expect(run.localTrack('audio')?.enabled).toBe(false)
    run.conference.leave()
  })

  it('a device that fails to open is reported in the device-error words; the call goes on with the old one', async () => {
    const run = await joined((world) => {
      world.devices.failingDevices = { mic2: 'NotReadableError' }
    })
    const pc = run.world.peers.latest() as FakePeerConnection
    const oldMic = run.localTrack('audio')!
    run.conference.selectDevice('audioinput', 'mic2')
    await flush()
    const view = run.view()
    expect(view.devices.notice).toEqual({ kind: 'failed', device: 'audioinput', error: { kind: 'media-in-use', message: expect.stringContaining('microphone') } })
    expect(view.devices.selected).toEqual({})
    expect(view.status).toBe('connected')
    expect(oldMic.readyState).toBe('live')
    expect(sentTrack(pc, 'audio')).toBe(oldMic)
    run.conference.leave()
  })

  it('the microphone in use unplugged mid-call: another one takes over and the view says so', async () => {
    const run = await joined()
    const pc = run.world.peers.latest() as FakePeerConnection
    const offersBefore = run.world.hub.requests('negotiate').length
    expect(run.localTrack('audio')?.deviceId).toBe('mic')
    run.world.devices.unplug('mic')
    await flush()
    const view = run.view()
    expect(view.devices.notice).toEqual({ kind: 'fallback', device: 'audioinput', label: 'USB headset' })
    expect(view.devices.selected).toEqual({ audioinput: 'mic2' })
    expect(view.devices.audioinput).toEqual([{ deviceId: 'mic2', label: 'USB headset' }])
    expect(run.localTrack('audio')?.deviceId).toBe('mic2')
    expect(sentTrack(pc, 'audio')).toBe(run.localTrack('audio'))
    expect(run.world.hub.requests('negotiate')).toHaveLength(offersBefore)
    expect(view.status).toBe('connected')
    run.conference.leave()
  })

  it('the only camera unplugged: the call goes on without it and says so', async () => {
    const run = await joined()
    run.world.devices.unplug('cam')
    await flush()
    const view = run.view()
    expect(view.devices.notice).toMatchObject({ kind: 'lost', device: 'videoinput', error: { kind: 'media-not-found' } })
    expect(view.status).toBe('connected')
    run.conference.leave()
  })

  it('switches the camera in the preview, and the join sends that camera', async () => {
    const run = started((world) => {
      world.devices.devices = [...world.devices.devices, { deviceId: 'cam2', kind: 'videoinput', label: 'Document camera' }]
    })
    run.conference.preview({ audio: true, video: true })
    await run.until((s) => s.matches({ previewing: 'ready' }))
    run.conference.selectDevice('videoinput', 'cam2')
    await flush()
    expect(run.localTrack('video')?.deviceId).toBe('cam2')
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
    await run.until((s) => s.matches('inRoom'))
    await flush()
    expect(sentTrack(run.world.peers.latest() as FakePeerConnection, 'video')).toBe(run.localTrack('video'))
    expect(run.localTrack('video')?.deviceId).toBe('cam2')
    // Context stays plain data.
    const { context } = run.conference.actor.getSnapshot()
    expect(JSON.parse(JSON.stringify(context))).toEqual(context)
    run.conference.leave()
  })

  it('the microphone being replaced ends during the switch: the switch puts the new one in place, nothing more', async () => {
    const run = await switchingMicrophone()
    run.world.devices.unplug('mic')
    run.open.resolve()
    await flush()
    expect(run.view().devices.notice).toBeUndefined()
    expect(run.view().devices.selected).toEqual({ audioinput: 'mic2' })
    expect(run.localTrack('audio')).toMatchObject({ deviceId: 'mic2', readyState: 'live' })
    expect(run.opensSince()).toEqual([{ audio: { deviceId: { exact: 'mic2' } }, video: false }])
    run.conference.leave()
  })

  it('a switch that fails after the microphone in use ended meanwhile: once it settles, another one takes over', async () => {
    const run = await switchingMicrophone()
    run.world.devices.unplug('mic')
    run.open.reject(new DeviceError('NotReadableError'))
    await flush()
    // The old microphone, still the one in use, ended: the fallback opens another (the headset's failure passed).
    expect(run.view().devices.notice).toEqual({ kind: 'fallback', device: 'audioinput', label: 'USB headset' })
    expect(run.localTrack('audio')).toMatchObject({ deviceId: 'mic2', readyState: 'live' })
    expect(run.opensSince()).toHaveLength(2)
    run.conference.leave()
  })

  it('the new microphone ended as it opened: once the switch settles, another one takes over', async () => {
    const run = await switchingMicrophone()
    run.world.devices.goneWhileOpening.add('mic2')
    run.open.resolve()
    await flush()
    expect(run.view().devices.notice).toEqual({ kind: 'fallback', device: 'audioinput', label: 'Fake microphone' })
    expect(run.view().devices.selected).toEqual({ audioinput: 'mic' })
    expect(run.localTrack('audio')).toMatchObject({ deviceId: 'mic', readyState: 'live' })
    expect(run.opensSince()).toEqual([{ audio: { deviceId: { exact: 'mic2' } }, video: false }, { audio: { deviceId: { exact: 'mic' } }, video: false }])
    run.conference.leave()
  })

  it('the camera, which a microphone switch leaves in use, ends during it: once the switch settles, another camera takes over', async () => {
    const run = await switchingMicrophone((world) => {
      world.devices.devices = [...world.devices.devices, DOCUMENT_CAMERA]
    })
    run.world.devices.unplug('cam')
    run.open.resolve()
    await flush()
    expect(run.view().devices.notice).toEqual({ kind: 'fallback', device: 'videoinput', label: 'Document camera' })
    expect(run.view().devices.selected).toEqual({ audioinput: 'mic2', videoinput: 'cam2' })
    expect(run.localTrack('audio')).toMatchObject({ deviceId: 'mic2', readyState: 'live' })
    expect(run.localTrack('video')).toMatchObject({ deviceId: 'cam2', readyState: 'live' })
    run.conference.leave()
  })

  it('leaving stops the switched-in tracks too', async () => {
    const run = await joined()
    run.conference.selectDevice('audioinput', 'mic2')
    await flush()
    run.conference.leave()
    await run.until((s) => s.status === 'done')
    expect(run.world.devices.liveTrackCount).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import { makeView } from '../testing/fakeConference'
import type { ConferenceErrorKind } from '../conference/types'
import { describeError, deviceProblem, isMediaError, joinMedia } from './messages'

const localHub = { host: '127.0.0.1:8080', local: true }
const remoteHub = { host: 'hub.inlive.app', local: false }

const ALL_KINDS: ConferenceErrorKind[] = [
  'media-denied',
  'media-not-found',
  'media-in-use',
  'media-failed',
  'room-not-found',
  'client-gone',
  'unauthorized',
  'room-locked',
  'hub-unreachable',
  'invalid-response',
  'negotiation-failed',
]

describe('describeError', () => {
  it('has a distinct title and an explanation for every error kind', () => {
    const titles = ALL_KINDS.map((kind) => describeError({ kind, message: 'x' }, localHub).title)
    expect(new Set(titles).size).toBe(ALL_KINDS.length)
    for (const kind of ALL_KINDS) expect(describeError({ kind, message: 'x' }, localHub).detail.length).toBeGreaterThan(30)
  })

  it('names the hub, and blames neither the internet nor the network for one on this computer', () => {
    const hubKinds: ConferenceErrorKind[] = ['client-gone', 'unauthorized', 'hub-unreachable', 'invalid-response']
    for (const kind of hubKinds) {
      const copy = describeError({ kind, message: '' }, localHub)
      expect(`${copy.title} ${copy.detail}`, kind).toMatch(/[Tt]he server at 127\.0\.0\.1:8080/)
    }
    expect(describeError({ kind: 'hub-unreachable', message: '' }, localHub).title).toBe("Parley can't reach the server at 127.0.0.1:8080")
    for (const kind of ALL_KINDS) {
      const copy = describeError({ kind, message: '' }, localHub)
      expect(`${copy.title} ${copy.detail}`, kind).not.toMatch(/internet|online|firewall|VPN|another network/i)
    }
    expect(describeError({ kind: 'hub-unreachable', message: '' }, remoteHub)).toMatchObject({
      title: "Parley can't reach the server at hub.inlive.app",
      detail: 'Check that this device is online and that the server at hub.inlive.app is up, then try again.',
    })
    expect(describeError({ kind: 'negotiation-failed', message: '' }, remoteHub).detail).toMatch(/firewall/)
  })

  it('promises nothing the app does not do: nothing reconnects or appears by itself', () => {
    for (const hub of [localHub, remoteHub]) {
      for (const kind of ALL_KINDS) {
        const { detail } = describeError({ kind, message: '' }, hub)
        expect(detail, kind).not.toMatch(/as soon as|automatically|will connect/i)
      }
    }
  })

  it('says a locked room is locked, and that the host can let you in (then Retry)', () => {
    expect(describeError({ kind: 'room-locked', message: '' }, localHub)).toEqual({
      title: 'This room is locked',
      detail: 'Ask the host to let you in, then try again.',
      remedy: 'retry',
    })
  })
  it('says a request to join was declined or went unanswered, offering to ask again', () => {
    expect(describeError({ kind: 'knock-declined', message: '' }, localHub)).toEqual({
      title: 'You were not let in',
      detail: 'Someone in the meeting said no.',
      remedy: 'retry',
      retryLabel: 'Ask again',
    })
    expect(describeError({ kind: 'knock-expired', message: '' }, localHub)).toMatchObject({ title: 'Nobody let you in', remedy: 'retry', retryLabel: 'Ask again' })
  })


  it('tells how to allow a blocked device in the browser', () => {
    expect(describeError({ kind: 'media-denied', message: '' }, localHub).detail).toMatch(/address bar.*Allow/)
  })

  it('names another app for a busy device', () => {
    expect(describeError({ kind: 'media-in-use', message: '' }, localHub).detail).toMatch(/Another app/)
  })

  it('offers a new room when the room is gone, devices for device errors, retry otherwise', () => {
    expect(describeError({ kind: 'room-not-found', message: '' }, localHub).remedy).toBe('new-room')
    expect(describeError({ kind: 'media-not-found', message: '' }, localHub).remedy).toBe('devices')
    expect(describeError({ kind: 'hub-unreachable', message: '' }, localHub).remedy).toBe('retry')
    expect(describeError({ kind: 'negotiation-failed', message: '' }, localHub).remedy).toBe('retry')
  })

  it('knows which kinds are about devices', () => {
    expect(ALL_KINDS.filter((kind) => isMediaError({ kind, message: '' }))).toEqual([
      'media-denied',
      'media-not-found',
      'media-in-use',
      'media-failed',
    ])
    expect(isMediaError(undefined)).toBe(false)
  })
})

describe('deviceProblem', () => {
  const wants = { audio: true, video: true }
  const local = (audioAvailable: boolean, videoAvailable: boolean) => ({
    audioEnabled: audioAvailable,
    videoEnabled: videoAvailable,
    audioAvailable,
    videoAvailable,
  })
  const problemOf = (kind: ConferenceErrorKind, audioAvailable: boolean, videoAvailable: boolean) =>
    deviceProblem(makeView({ status: 'previewing', error: { kind, message: '' }, local: local(audioAvailable, videoAvailable) }), wants)

  // Every kind x which device failed: the title and the detail name the same devices, nothing else.
  it.each([
    ['media-denied', 'camera', 'Camera is blocked', /"Allow" for the camera, then try again, or join without it\./],
    ['media-denied', 'microphone', 'Microphone is blocked', /"Allow" for the microphone, then try again, or join without it\./],
    ['media-denied', 'both', 'Camera and microphone are blocked', /"Allow" for the camera and microphone, .* join without them\./],
    ['media-not-found', 'camera', 'No camera found', /Plug in a camera and try again, or join without one\./],
    ['media-not-found', 'microphone', 'No microphone found', /Plug in a microphone \(a headset works\)/],
    ['media-not-found', 'both', 'No camera or microphone found', /join without them\./],
    ['media-in-use', 'camera', 'Your camera is busy', /is using it\. .* join without it\./],
    ['media-in-use', 'microphone', 'Your microphone is busy', /is using it\./],
    ['media-in-use', 'both', 'Your camera and microphone are busy', /is using them\. .* join without them\./],
    ['media-failed', 'camera', 'The camera could not start', /another camera .* join without it\./],
    ['media-failed', 'microphone', 'The microphone could not start', /another microphone/],
    ['media-failed', 'both', 'The camera and microphone could not start', /another device .* join without them\./],
  ] as const)('%s, %s failed: "%s"', (kind, failed, title, detail) => {
    const problem = problemOf(kind, failed === 'camera', failed === 'microphone')
    expect(problem).toMatchObject({ kind, title, remedy: 'devices', camera: failed !== 'microphone', microphone: failed !== 'camera' })
    expect(problem?.detail).toMatch(detail)
    if (failed === 'camera') expect(problem?.detail).not.toMatch(/microphone/)
    if (failed === 'microphone') expect(problem?.detail).not.toMatch(/camera(?! or lock icon)/)
  })

  it('is no problem any more once the failed device is left out', () => {
    const view = makeView({ status: 'previewing', error: { kind: 'media-denied', message: '' }, local: local(true, false) })
    expect(deviceProblem(view, { audio: true, video: false })).toBeUndefined()
  })

  it('is absent when nothing was wanted', () => {
    const view = makeView({ status: 'previewing', error: { kind: 'media-denied', message: '' }, local: local(false, false) })
    expect(deviceProblem(view, { audio: false, video: false })).toBeUndefined()
  })

  it('is absent without a device error', () => {
    expect(deviceProblem(makeView({ status: 'previewing' }), wants)).toBeUndefined()
    expect(deviceProblem(makeView({ status: 'failed', error: { kind: 'hub-unreachable', message: '' } }), wants)).toBeUndefined()
  })

  it('names only the camera when only the camera failed', () => {
    const view = makeView({
      status: 'failed',
      error: { kind: 'media-in-use', message: '' },
      local: { audioEnabled: true, videoEnabled: false, audioAvailable: true, videoAvailable: false },
    })
    expect(deviceProblem(view, wants)).toMatchObject({ title: 'Your camera is busy', camera: true, microphone: false })
  })

  it('names both when both were denied', () => {
    const view = makeView({
      status: 'failed',
      error: { kind: 'media-denied', message: '' },
      local: { audioEnabled: false, videoEnabled: false, audioAvailable: false, videoAvailable: false },
    })
    expect(deviceProblem(view, wants)).toMatchObject({ title: 'Camera and microphone are blocked', camera: true, microphone: true })
  })

  it('does not blame a device the user chose not to use', () => {
    const view = makeView({
      status: 'failed',
      error: { kind: 'media-not-found', message: '' },
      local: { audioEnabled: false, videoEnabled: false, audioAvailable: false, videoAvailable: false },
    })
    expect(deviceProblem(view, { audio: true, video: false })).toMatchObject({
      title: 'No microphone found',
      camera: false,
      microphone: true,
    })
  })
})

describe('joinMedia', () => {
  const wants = { audio: true, video: true }
  const view = (audioAvailable: boolean, videoAvailable: boolean) =>
    makeView({
      status: 'previewing',
      error: { kind: 'media-denied', message: '' },
      local: { audioEnabled: audioAvailable, videoEnabled: videoAvailable, audioAvailable, videoAvailable },
    })

  it('joins with what is wanted when nothing failed', () => {
    expect(joinMedia(wants, undefined)).toEqual({ audio: true, video: true, summary: 'You will join with camera and microphone.' })
    expect(joinMedia({ audio: true, video: false }, undefined).summary).toBe('You will join with your microphone; camera off.')
    expect(joinMedia({ audio: false, video: true }, undefined).summary).toBe('You will join with your camera; microphone off.')
    expect(joinMedia({ audio: false, video: false }, undefined).summary).toBe('You will join without camera and microphone.')
  })

  it('never counts a failed device as on', () => {
    expect(joinMedia(wants, deviceProblem(view(true, false), wants))).toEqual({
      audio: true,
      video: false,
      summary: 'You will join with your microphone; camera off.',
    })
    expect(joinMedia(wants, deviceProblem(view(false, true), wants))).toMatchObject({ audio: false, video: true })
    expect(joinMedia(wants, deviceProblem(view(false, false), wants))).toEqual({
      audio: false,
      video: false,
      summary: 'You will join without camera and microphone.',
    })
  })
})

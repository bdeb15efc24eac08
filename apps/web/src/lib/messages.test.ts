import { describe, expect, it } from 'vitest'
import { makeView } from '../testing/fakeConference'
import type { ConferenceErrorKind } from '../conference/types'
import { describeError, deviceProblem, isMediaError } from './messages'

const ALL_KINDS: ConferenceErrorKind[] = [
  'media-denied',
  'media-not-found',
  'media-in-use',
  'media-failed',
  'room-not-found',
  'client-gone',
  'unauthorized',
  'hub-unreachable',
  'invalid-response',
  'negotiation-failed',
]

describe('describeError', () => {
  it('has a distinct title and an explanation for every error kind', () => {
    const titles = ALL_KINDS.map((kind) => describeError({ kind, message: 'x' }).title)
    expect(new Set(titles).size).toBe(ALL_KINDS.length)
    for (const kind of ALL_KINDS) expect(describeError({ kind, message: 'x' }).detail.length).toBeGreaterThan(30)
  })

  it('tells how to allow a blocked device in the browser', () => {
    expect(describeError({ kind: 'media-denied', message: '' }).detail).toMatch(/address bar.*Allow/)
  })

  it('names another app for a busy device', () => {
    expect(describeError({ kind: 'media-in-use', message: '' }).detail).toMatch(/Another app/)
  })

  it('offers a new room when the room is gone, devices for device errors, retry otherwise', () => {
    expect(describeError({ kind: 'room-not-found', message: '' }).remedy).toBe('new-room')
    expect(describeError({ kind: 'media-not-found', message: '' }).remedy).toBe('devices')
    expect(describeError({ kind: 'hub-unreachable', message: '' }).remedy).toBe('retry')
    expect(describeError({ kind: 'negotiation-failed', message: '' }).remedy).toBe('retry')
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

import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createFakeConference, makeParticipant } from '../testing/fakeConference'
import type { FakeConference } from '../testing/fakeConference'
import { DISPLAY_NAME_KEY, useConferenceStore } from './conference'
import type { PageContext, StartOptions } from './conference'

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value), data }
}

function page(href: string): PageContext & { history: string[] } {
  const history: string[] = []
  let current = href
  return {
    history,
    href: () => current,
    replaceUrl(url) {
      history.push(url)
      current = url
    },
  }
}

function startStore(fake: FakeConference, options: Partial<StartOptions> = {}) {
  const store = useConferenceStore()
  store.start({ factory: fake.factory, page: page('http://localhost:5173/'), ...options })
  return store
}

beforeEach(() => {
  setActivePinia(createPinia())
})

describe('conference store', () => {
  it('does nothing until started, then creates the conference and previews the devices', () => {
    const fake = createFakeConference()
    const store = useConferenceStore()
    expect(fake.created).toBe(0)
    expect(store.view.status).toBe('idle')
    store.start({ factory: fake.factory, config: { hub: { baseUrl: 'https://hub.inlive.app', accessToken: 't' }, source: 'query', statelyInspector: false } })
    expect(fake.created).toBe(1)
    expect(fake.options?.hub).toEqual({ baseUrl: 'https://hub.inlive.app', accessToken: 't' })
    expect(fake.calls).toEqual([{ method: 'preview', args: [{ audio: true, video: true }] }])
  })

  it('mirrors the actor snapshot into `view` through selectView', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, participants: [makeParticipant(1)] })
    expect(store.view.status).toBe('connected')
    expect(store.tiles.map((tile) => tile.key)).toEqual(['local', 'client-1'])
    expect(store.screen).toBe('call')
  })

  it('joins with the form values, creating a room when the URL names none', () => {
    const fake = createFakeConference()
    const storage = memoryStorage()
    const store = startStore(fake, { storage })
    store.displayName = '  Ada  '
    store.roomName = 'Weekly sync'
    store.setJoinWithCamera(false)
    expect(store.join()).toBe(true)
    expect(fake.calls.at(-1)).toEqual({
      method: 'join',
      args: [{ roomName: 'Weekly sync', displayName: 'Ada', media: { audio: true, video: false } }],
    })
    expect(storage.data.get(DISPLAY_NAME_KEY)).toBe('Ada')
  })

  it('joins the invited room from ?roomId=…&roomName=… and remembers the name across visits', () => {
    const fake = createFakeConference()
    const storage = memoryStorage({ [DISPLAY_NAME_KEY]: 'Grace' })
    const store = startStore(fake, { storage, page: page('http://localhost/?roomId=abc&roomName=Standup') })
    expect(store.displayName).toBe('Grace')
    expect(store.invitedRoom).toEqual({ roomId: 'abc', roomName: 'Standup' })
    store.join()
    expect(fake.calls.at(-1)).toEqual({
      method: 'join',
      args: [{ roomId: 'abc', roomName: 'Standup', displayName: 'Grace', media: { audio: true, video: true } }],
    })
  })

  it('refuses to join without a name and says so', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    expect(store.join()).toBe(false)
    expect(store.nameMissing).toBe(true)
    expect(fake.calls.map((call) => call.method)).toEqual(['preview'])
  })

  it('sends the call controls to the handle', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    fake.setView({ status: 'connected' })
    store.toggleMicrophone()
    store.toggleCamera()
    store.retry()
    store.leave()
    store.leaveOnUnload()
    expect(fake.calls.slice(1)).toEqual([
      { method: 'setMicrophone', args: [false] },
      { method: 'setCamera', args: [false] },
      { method: 'retry', args: [] },
      { method: 'leave', args: [] },
      { method: 'leaveOnUnload', args: [] },
    ])
  })

  it('puts the joined room in the address bar and builds the invite link from it', () => {
    const fake = createFakeConference()
    const location = page('http://localhost:5173/?token=secret&hub=https://hub.inlive.app')
    const store = startStore(fake, {
      page: location,
      config: { hub: { baseUrl: 'https://hub.inlive.app', accessToken: 'secret' }, source: 'query', statelyInspector: false },
    })
    expect(location.href()).not.toContain('secret') // the token is scrubbed from the address bar at start
    fake.setView({ status: 'connected', room: { id: 'r9', name: 'Design review' } })
    expect(store.inviteUrl).toBe('http://localhost:5173/?roomId=r9&roomName=Design+review&hub=https%3A%2F%2Fhub.inlive.app')
    expect(location.href()).toBe(store.inviteUrl)
  })

  it('copies the invite link, or falls back to showing it', async () => {
    const copied: string[] = []
    const fake = createFakeConference()
    const store = startStore(fake, { clipboard: { writeText: async (text) => void copied.push(text) } })
    fake.setView({ status: 'connected', room: { id: 'r1', name: '' } })
    await store.copyInvite()
    expect(copied).toEqual(['http://localhost:5173/?roomId=r1'])
    expect(store.inviteStatus).toBe('copied')

    setActivePinia(createPinia())
    const refusing = createFakeConference()
    const other = startStore(refusing, { clipboard: { writeText: () => Promise.reject(new Error('NotAllowedError')) } })
    refusing.setView({ status: 'connected', room: { id: 'r1', name: '' } })
    await other.copyInvite()
    expect(other.inviteStatus).toBe('manual')
  })

  it('routes every status to a screen', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    const room = { id: 'r', name: 'n' }
    const cases: [Parameters<FakeConference['setView']>[0], string][] = [
      [{ status: 'previewing' }, 'prejoin'],
      [{ status: 'failed', error: { kind: 'media-denied', message: '' } }, 'prejoin'],
      [{ status: 'joining' }, 'call'],
      [{ status: 'reconnecting', room }, 'call'],
      [{ status: 'failed', room, error: { kind: 'negotiation-failed', message: '' } }, 'call'],
      [{ status: 'failed', room, error: { kind: 'room-not-found', message: '' } }, 'ended'],
      [{ status: 'failed', error: { kind: 'hub-unreachable', message: '' } }, 'ended'],
      [{ status: 'left', room }, 'ended'],
      [{ status: 'ended', room }, 'ended'],
    ]
    for (const [view, screen] of cases) {
      fake.setView(view)
      expect([view.status, view.error?.kind, store.screen]).toEqual([view.status, view.error?.kind, screen])
    }
  })

  it('tells apart leaving, ending the room yourself, and the host ending it', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    fake.setView({ status: 'left' })
    expect(store.endReason).toBe('you-left')
    fake.setView({ status: 'ended', endedReason: 'host-ended' })
    expect(store.endReason).toBe('host-ended')
    fake.setView({ status: 'ended', endedReason: 'timeout' })
    expect(store.endReason).toBe('disconnected')
    fake.setView({ status: 'ended', endedReason: 'client-gone' })
    expect(store.endReason).toBe('disconnected')
    fake.setView({ status: 'ended', endedReason: 'removed' })
    expect(store.endReason).toBe('removed')
    store.endRoom()
    expect(fake.calls.at(-1)).toEqual({ method: 'endRoom', args: [] })
    fake.setView({ status: 'left', endedReason: 'ended-by-me' })
    expect(store.endReason).toBe('you-ended')
    // The hub refused the end-room request: the core reports a plain leave, and so does the app.
    fake.setView({ status: 'left' })
    expect(store.endReason).toBe('you-left')
    fake.setView({ status: 'ended' })
    expect(store.endReason).toBe('host-ended')
    fake.setView({ status: 'ended', error: { kind: 'client-gone', message: '' } })
    expect(store.endReason).toBe('removed')
  })

  it('picks the status banner from the status', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    const cases: [Parameters<FakeConference['setView']>[0], string][] = [
      [{ status: 'joining' }, 'joining'],
      [{ status: 'connected' }, 'none'],
      [{ status: 'reconnecting' }, 'reconnecting'],
      [{ status: 'leaving' }, 'leaving'],
      [{ status: 'failed', room: { id: 'r', name: '' }, error: { kind: 'negotiation-failed', message: '' } }, 'failed'],
      [{ status: 'left' }, 'none'],
    ]
    for (const [view, banner] of cases) {
      fake.setView(view)
      expect([view.status, store.banner]).toEqual([view.status, banner])
    }
  })

  it('shows the invite hint only when connected, alone, with a link to share', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    const room = { id: 'r1', name: 'Team' }
    fake.setView({ status: 'joining', room })
    expect(store.alone).toBe(false)
    fake.setView({ status: 'connected', room })
    expect(store.alone).toBe(true)
    fake.setView({ status: 'connected', room, participants: [makeParticipant(1)] })
    expect(store.alone).toBe(false)
  })

  it('knows when the preview is starting and when joining is possible', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    fake.setView({ status: 'previewing', busy: true })
    expect([store.previewStarting, store.canJoin]).toEqual([true, true])
    fake.setView({ status: 'previewing', busy: false })
    expect(store.previewStarting).toBe(false)
    fake.setView({ status: 'joining', busy: true })
    expect([store.previewStarting, store.canJoin]).toEqual([false, false])
  })

  it('offers "Join again" on the ended screen only while the room exists', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    const room = { id: 'r1', name: 'Team' }
    fake.setView({ status: 'left', room })
    expect(store.ended).toMatchObject({ reason: 'you-left', canJoinAgain: true })
    fake.setView({ status: 'ended', room, endedReason: 'host-ended' })
    expect(store.ended).toMatchObject({ reason: 'host-ended', title: 'The host ended the room', canJoinAgain: false })
    fake.setView({ status: 'failed', error: { kind: 'hub-unreachable', message: '' } })
    expect(store.ended).toMatchObject({ reason: 'error', canRetry: true, title: 'Cannot reach the conference server' })
  })

  it('previews with a pre-join toggle that reflects what will be sent', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    fake.setView({
      status: 'previewing',
      error: { kind: 'media-denied', message: '' },
      local: { audioEnabled: true, videoEnabled: false, audioAvailable: true, videoAvailable: false },
    })
    expect(store.joinWith).toMatchObject({ audio: true, video: false })
    fake.calls.length = 0
    store.toggleJoinCamera() // off because it failed: pressing it asks for the camera again
    store.toggleJoinMicrophone()
    expect(fake.calls).toEqual([
      { method: 'preview', args: [{ audio: true, video: true }] },
      { method: 'preview', args: [{ audio: false, video: true }] },
    ])
  })

  it('starts a fresh conference for "Join again" (same room) and "New room" (no room)', () => {
    const fake = createFakeConference()
    const location = page('http://localhost/')
    const store = startStore(fake, { page: location })
    fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    fake.setView({ status: 'left', room: { id: 'r1', name: 'Team' } })
    store.joinAgain()
    expect(fake.created).toBe(2)
    expect(store.view.status).toBe('idle')
    expect(store.invitedRoom).toEqual({ roomId: 'r1', roomName: 'Team' })

    store.newRoom()
    expect(fake.created).toBe(3)
    expect(store.invitedRoom).toBeUndefined()
    expect(location.href()).toBe('http://localhost/')
  })

  it('feeds the inspection log from the conference actor, and the extra inspector too', () => {
    const fake = createFakeConference()
    const extra: string[] = []
    const store = startStore(fake, { inspect: (event) => extra.push(event.type) })
    fake.setView({ status: 'connected' })
    expect(store.inspectedActors.map((actor) => actor.id)).toEqual(['fakeConference'])
    expect(store.recentEvents.map((event) => event.type)).toEqual(['xstate.init', 'user.preview', 'fake.view'])
    expect(extra).toContain('@xstate.snapshot')
  })

  it('stops the actor and its subscription on dispose and on $dispose', () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    fake.setView({ status: 'connected' })
    expect(fake.openSubscriptions()).toBe(1)
    store.dispose()
    expect(fake.stopped()).toBe(true)
    expect(fake.openSubscriptions()).toBe(0)
    expect(store.view.status).toBe('idle')

    store.start({ factory: fake.factory })
    expect(fake.openSubscriptions()).toBe(1)
    store.$dispose()
    expect(fake.stopped()).toBe(true)
    expect(fake.openSubscriptions()).toBe(0)
  })

  it('tracks blocked autoplay and resumes every media element on request', async () => {
    const fake = createFakeConference()
    const store = startStore(fake)
    let refuse = true
    let plays = 0
    const element = {
      play: () => {
        plays++
        return refuse ? Promise.reject(Object.assign(new Error('x'), { name: 'NotAllowedError' })) : Promise.resolve()
      },
    }
    store.registerMediaElement(element)
    await store.playMedia(element)
    expect(store.audioBlocked).toBe(true)
    refuse = false
    await store.resumeAudio()
    expect(store.audioBlocked).toBe(false)
    expect(plays).toBe(2)
  })
})

import { describe, expect, it } from 'vitest'
import { CALL_MEMORY_KEY } from '../lib/rejoin'
import type { RememberedCall } from '../lib/rejoin'
import { createTestApp } from '../testing/testApp'
import type { TestAppOptions } from '../testing/testApp'
import { usePreJoinStore } from './preJoin'
import { useRejoinStore } from './rejoin'
import { useScreenStore } from './screen'
import { useSessionStore } from './session'

const ROOM_URL = 'http://localhost/?roomId=r1&roomName=Team'
const devicesOn = { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'cam' }

const remembered = (overrides: Partial<RememberedCall> = {}): RememberedCall => ({
  roomId: 'r1',
  roomName: 'Team',
  displayName: 'Ada',
  media: { audio: true, video: true },
  enabled: { audio: true, video: true },
  ...overrides,
})

/** A page load with `call` in this tab's sessionStorage. */
function reloadWith(call: RememberedCall | undefined, options: TestAppOptions = {}) {
  const app = createTestApp({
    href: ROOM_URL,
    navigationType: 'reload',
    ...(call ? { sessionStorage: { [CALL_MEMORY_KEY]: JSON.stringify(call) } } : {}),
    ...options,
  })
  app.start()
  return { app, screen: useScreenStore(), stored: () => app.sessionStorage.data.get(CALL_MEMORY_KEY) }
}

describe('rejoin store (a refresh during a call)', () => {
  it('writes the memory only when what it holds changed, not on every view of the call', () => {
    const app = createTestApp()
    app.start()
    usePreJoinStore().displayName = 'Ada'
    let writes = 0
    const setItem = app.sessionStorage.setItem
    app.sessionStorage.setItem = (key, value) => {
      writes++
      setItem(key, value)
    }
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: devicesOn })
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: devicesOn, busy: true })
    expect(writes).toBe(1)
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: { ...devicesOn, videoEnabled: false } })
    expect(writes).toBe(2)
  })

  it('remembers the call in this tab while in it, with the microphone and camera as they are', () => {
    const app = createTestApp()
    app.start()
    const form = usePreJoinStore()
    form.displayName = 'Ada'
    form.join()
    expect(app.sessionStorage.data.has(CALL_MEMORY_KEY)).toBe(false) // joining is not being in the call
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: devicesOn })
    expect(JSON.parse(app.sessionStorage.data.get(CALL_MEMORY_KEY)!)).toEqual(remembered())
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: { ...devicesOn, audioEnabled: false } })
    expect(JSON.parse(app.sessionStorage.data.get(CALL_MEMORY_KEY)!).enabled).toEqual({ audio: false, video: true })
  })

  it('forgets the call when you leave or end it, and when the hub ends it — but not when the page unloads', () => {
    for (const [end, kept] of [
      [() => useSessionStore().leave(), false],
      [() => useSessionStore().endRoom(), false],
      [(app: ReturnType<typeof createTestApp>) => app.fake.setView({ status: 'ended', endedReason: 'host-ended' }), false],
      [() => useSessionStore().leaveOnUnload(), true],
    ] as const) {
      const app = createTestApp()
      app.start()
      app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: devicesOn })
      end(app)
      app.fake.setView({ status: 'left', room: { id: 'r1', name: 'Team' } })
      expect(app.sessionStorage.data.has(CALL_MEMORY_KEY)).toBe(kept)
    }
  })

  it('on a reload of the call, shows the call (not the pre-join), previews, restores mute, and joins without a click', () => {
    const { app, screen, stored } = reloadWith(remembered({ enabled: { audio: false, video: true } }))
    expect(app.fake.calls).toEqual([{ method: 'preview', args: [{ audio: true, video: true }] }])
    expect(stored()).toBeUndefined() // one refresh, one automatic attempt
    expect([screen.screen, screen.banner]).toEqual(['call', 'joining'])
    app.fake.setView({ status: 'previewing', busy: true })
    expect([screen.screen, screen.banner]).toEqual(['call', 'joining'])
    app.fake.setView({ status: 'previewing', busy: false, local: devicesOn })
    expect(app.fake.calls.slice(1)).toEqual([
      { method: 'setMicrophone', args: [false] },
      { method: 'join', args: [{ roomId: 'r1', roomName: 'Team', displayName: 'Ada', media: { audio: true, video: true } }] },
    ])
    expect(useRejoinStore().resuming).toBeUndefined()
    app.fake.setView({ status: 'joining', busy: true })
    expect(screen.screen).toBe('call')
  })

  it('keeps the room’s credentials the core gives with the call, and a refresh joins with them (a locked room lets it in)', () => {
    const app = createTestApp()
    app.start()
    usePreJoinStore().displayName = 'Ada'
    app.fake.emitFact({ type: 'room.credentials', roomId: 'r1', credentials: { hostKey: 'key-r1', pass: 'pass-1' } })
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: devicesOn })
    expect(JSON.parse(app.sessionStorage.data.get(CALL_MEMORY_KEY)!)).toEqual(remembered({ credentials: { hostKey: 'key-r1', pass: 'pass-1' } }))
    // A reconnect's new pass replaces it.
    app.fake.emitFact({ type: 'room.credentials', roomId: 'r1', credentials: { pass: 'pass-2' } })
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' }, displayName: 'Ada', local: { ...devicesOn, audioEnabled: false } })
    expect(JSON.parse(app.sessionStorage.data.get(CALL_MEMORY_KEY)!).credentials).toEqual({ pass: 'pass-2' })

    const { app: reloaded } = reloadWith(remembered({ credentials: { pass: 'pass-2' } }))
    reloaded.fake.setView({ status: 'previewing', busy: false, local: devicesOn })
    expect(reloaded.fake.calls.at(-1)).toEqual({
      method: 'join',
      args: [{ roomId: 'r1', roomName: 'Team', displayName: 'Ada', media: { audio: true, video: true }, credentials: { pass: 'pass-2' } }],
    })
  })

  it('rejoins with the devices chosen before the call (a camera left out stays out)', () => {
    const { app } = reloadWith(remembered({ media: { audio: true, video: false }, enabled: { audio: true, video: false } }))
    app.fake.setView({ status: 'previewing', busy: false, local: { ...devicesOn, videoAvailable: false, videoEnabled: false } })
    expect(app.fake.calls).toEqual([
      { method: 'preview', args: [{ audio: true, video: false }] },
      { method: 'setCamera', args: [false] },
      { method: 'join', args: [{ roomId: 'r1', roomName: 'Team', displayName: 'Ada', media: { audio: true, video: false } }] },
    ])
  })

  it('stops on the pre-join when the call is open in another tab: moving it is the person’s decision', () => {
    const { app, screen } = reloadWith(remembered())
    expect(app.fake.watched).toEqual(['r1'])
    app.fake.setView({ status: 'previewing', busy: false, local: devicesOn, elsewhere: { roomId: 'r1' } })
    expect(app.fake.calls.map((call) => call.method)).toEqual(['preview'])
    expect(screen.screen).toBe('prejoin')
  })

  it('stops on the pre-join when a device no longer works: that is the person’s decision', () => {
    const { app, screen } = reloadWith(remembered())
    app.fake.setView({
      status: 'previewing',
      busy: false,
      error: { kind: 'media-in-use', message: '' },
      local: { ...devicesOn, videoAvailable: false, videoEnabled: false },
    })
    expect(app.fake.calls.map((call) => call.method)).toEqual(['preview'])
    expect(screen.screen).toBe('prejoin')
    expect(usePreJoinStore().displayName).toBe('Ada')
  })

  it('does not rejoin on a first visit, another room’s link, or without the memory', () => {
    const cases: [RememberedCall | undefined, TestAppOptions][] = [
      [remembered(), { navigationType: 'navigate' }], // a new tab on the link, or a duplicated tab
      [remembered(), { href: 'http://localhost/?roomId=other' }],
      [remembered(), { href: 'http://localhost/' }],
      [undefined, {}],
    ]
    for (const [call, options] of cases) {
      const { app, screen, stored } = reloadWith(call, options)
      expect(app.fake.calls).toEqual([{ method: 'preview', args: [{ audio: true, video: true }] }])
      expect(screen.screen).toBe('prejoin')
      expect(stored()).toBeUndefined()
    }
  })

  it('lands on a clear ended screen when the room is gone after the refresh, and a second refresh does not retry', () => {
    const { app, screen, stored } = reloadWith(remembered())
    app.fake.setView({ status: 'previewing', busy: false, local: devicesOn })
    app.fake.setView({ status: 'failed', error: { kind: 'room-not-found', message: '' }, room: { id: 'r1', name: 'Team' } })
    expect(screen.screen).toBe('ended')
    expect(screen.ended.title).toBe('This room no longer exists')
    expect(stored()).toBeUndefined()

    const again = reloadWith(undefined)
    expect(again.screen.screen).toBe('prejoin')
    expect(again.app.fake.calls.map((call) => call.method)).toEqual(['preview'])
  })

  it('ignores a malformed memory', () => {
    const app = createTestApp({ href: ROOM_URL, navigationType: 'reload', sessionStorage: { [CALL_MEMORY_KEY]: '{"roomId":"r1"' } })
    app.start()
    expect(app.fake.calls.map((call) => call.method)).toEqual(['preview'])
  })
})

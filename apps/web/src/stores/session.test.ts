import { describe, expect, it } from 'vitest'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import { useDevtoolsStore } from './devtools'
import { useSessionStore } from './session'

describe('session store', () => {
  it('does nothing until started, then creates the conference on the configured hub', () => {
    const app = createTestApp({ config: { hub: { baseUrl: 'https://hub.inlive.app', accessToken: 't' }, source: 'query', statelyInspector: false } })
    const session = useSessionStore()
    expect(app.fake.created).toBe(0)
    expect(session.view.status).toBe('idle')
    expect(session.core).toBe('loading')
    session.start()
    expect(app.fake.created).toBe(1)
    expect(session.core).toBe('ready')
    expect(app.fake.options?.hub).toEqual({ baseUrl: 'https://hub.inlive.app', accessToken: 't' })
    expect(app.fake.calls).toEqual([])
    expect(app.fake.options?.peerConnectionConfig).toBeUndefined()
  })

  it("says the core failed when main.ts could not fetch it, and 'ready' wins once a conference exists", () => {
    createTestApp()
    const session = useSessionStore()
    session.coreFailedToLoad()
    expect(session.core).toBe('failed')
    session.start()
    expect(session.core).toBe('ready')
  })

  it('hands the ICE servers and transport policy of config.json to the conference', () => {
    const turn = { urls: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'p' }
    const app = createTestApp({
      config: { hub: { baseUrl: '' }, ice: { iceServers: [turn], iceTransportPolicy: 'relay' }, source: 'config.json', statelyInspector: false },
    })
    useSessionStore().start()
    expect(app.fake.options?.peerConnectionConfig).toEqual({ iceServers: [turn], iceTransportPolicy: 'relay' })
  })

  it("hands config.json's simulcast switch to the conference, and nothing when the file has none", () => {
    const oneStream = createTestApp({ config: { hub: { baseUrl: '' }, source: 'default', statelyInspector: false, simulcast: false } })
    useSessionStore().start()
    expect(oneStream.fake.options?.simulcast).toBe(false)
    const unset = createTestApp()
    useSessionStore().start()
    expect(unset.fake.options).not.toHaveProperty('simulcast')
  })

  it("hands config.json's receiveSlots to the conference, and nothing when the file has none (the core's default)", () => {
    const none = createTestApp({ config: { hub: { baseUrl: '' }, source: 'default', statelyInspector: false, receiveSlots: 0 } })
    useSessionStore().start()
    expect(none.fake.options?.receiveSlots).toBe(0)
    const unset = createTestApp()
    useSessionStore().start()
    expect(unset.fake.options).not.toHaveProperty('receiveSlots')
  })

  it('mirrors the actor snapshot into `view` through selectView', () => {
    const app = createTestApp()
    const session = useSessionStore()
    session.start()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    expect(session.view.status).toBe('connected')
    expect(session.view.room).toEqual({ id: 'r1', name: 'Team' })
    expect(session.streams).toBe(app.fake.handle.streams)
  })

  it("with the environment's nextTask, mirrors the latest snapshot of a task once, in the next task, and none after stop", () => {
    const queued: (() => void)[] = []
    const app = createTestApp({ nextTask: (run) => queued.push(run) })
    const session = useSessionStore()
    session.start()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    expect(session.view.status).toBe('connected')
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team 2' } })
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team 3' } })
    expect(session.view.room?.name).toBe('Team')
    expect(queued).toHaveLength(1)
    queued.shift()!()
    expect(session.view.room?.name).toBe('Team 3')
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team 4' } })
    session.stop()
    queued.shift()!()
    expect(session.view.status).toBe('idle')
  })

  it('with the deferral, mirrors a new status at once (the screen it picks must not lag a task behind)', () => {
    const queued: (() => void)[] = []
    const app = createTestApp({ nextTask: (run) => queued.push(run) })
    const session = useSessionStore()
    session.start()
    app.fake.setView({ status: 'joining' })
    expect(session.view.status).toBe('joining')
    app.fake.setView({ status: 'joining', room: { id: 'r1', name: 'Team' } })
    expect(queued).toHaveLength(1)
    app.fake.setView({ status: 'leaving', room: { id: 'r1', name: 'Team' } })
    expect([session.view.status, session.view.room?.name]).toEqual(['leaving', 'Team'])
    queued.shift()!()
    expect(session.view.status).toBe('leaving')
  })

  /** A deferred store over the fake, its queued tasks run by hand. */
  function deferred() {
    const queued: (() => void)[] = []
    const app = createTestApp({ nextTask: (run) => queued.push(run) })
    const session = useSessionStore()
    session.start()
    return { app, session, queued, runTasks: () => queued.splice(0).forEach((run) => run()) }
  }

  it("holds the mirror while the core answers a hub offer, and mirrors the task after the core's snapshot says the answer left", () => {
    const { app, session, queued, runTasks } = deferred()
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team 1' } })
    app.fake.setAnswering(true)
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team 2' } })
    runTasks()
    expect(session.view.room?.name).toBe('Team 1')
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team 3' } })
    runTasks()
    expect(session.view.room?.name).toBe('Team 1')
    // The answer's PUT is sent (the core's `answering` ends, at most its settleLimit later): the view follows in the next task.
    app.fake.setAnswering(false)
    expect(session.view.room?.name).toBe('Team 1')
    expect(queued).toHaveLength(1)
    runTasks()
    expect(session.view.room?.name).toBe('Team 3')
    expect(queued).toEqual([])
  })

  it("shows `connected` after `joining` in the next task, with what came with it; the core's `joining` is mirrored as it is", () => {
    const { app, session, queued, runTasks } = deferred()
    app.fake.setView({ status: 'joining' })
    expect(session.view.status).toBe('joining')
    app.fake.setView({ status: 'connected', participants: [] })
    expect(session.view.status).toBe('joining')
    app.fake.setView({ status: 'connected', participants: [makeParticipant(1)] })
    expect(queued).toHaveLength(1)
    runTasks()
    expect([session.view.status, session.view.participants.length]).toEqual(['connected', 1])
  })

  it('shows any other new status at once, even while the core answers a hub offer (failed, leaving)', () => {
    const { app, session, runTasks } = deferred()
    app.fake.setView({ status: 'joining' })
    app.fake.setAnswering(true)
    app.fake.setView({ status: 'failed' })
    expect(session.view.status).toBe('failed')
    app.fake.setView({ status: 'leaving' })
    expect(session.view.status).toBe('leaving')
    runTasks()
    expect(session.view.status).toBe('leaving')
  })

  it('keeps the same view while a new snapshot changes nothing in it, and its unchanged parts when it does', () => {
    const app = createTestApp()
    const session = useSessionStore()
    session.start()
    app.fake.setView({ status: 'joining', room: { id: 'r1', name: 'Team' } })
    const first = session.view
    app.fake.setView({ status: 'joining', room: { id: 'r1', name: 'Team' } })
    expect(session.view).toBe(first)
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    expect(session.view.status).toBe('connected')
    expect(session.view.room).toBe(first.room)
  })

  it('sends the call controls to the handle', () => {
    const app = createTestApp()
    const session = useSessionStore()
    session.start()
    app.fake.setView({ status: 'connected' })
    session.toggleMicrophone()
    session.toggleCamera()
    session.retry()
    session.leave()
    session.endRoom()
    session.leaveOnUnload()
    expect(app.fake.calls).toEqual([
      { method: 'setMicrophone', args: [false] },
      { method: 'setCamera', args: [false] },
      { method: 'retry', args: [] },
      { method: 'leave', args: [] },
      { method: 'endRoom', args: [] },
      { method: 'leaveOnUnload', args: [] },
    ])
  })

  it('leaves with a beacon when the page goes away (pagehide: a refresh or a closed tab)', () => {
    const app = createTestApp()
    useSessionStore().start()
    window.dispatchEvent(new Event('pagehide'))
    expect(app.fake.calls).toEqual([{ method: 'leaveOnUnload', args: [] }])
    app.dispose()
  })

  it('feeds the inspection log from the conference actor, and the extra inspector too', () => {
    const extra: string[] = []
    const app = createTestApp({ inspect: (event) => extra.push(event.type) })
    useSessionStore().start()
    app.fake.setView({ status: 'connected' })
    const devtools = useDevtoolsStore()
    expect(devtools.actors.map((actor) => actor.id)).toEqual(['fakeConference'])
    expect(devtools.events.map((event) => event.type)).toEqual(['xstate.init', 'fake.view'])
    expect(extra).toContain('@xstate.snapshot')
  })

  it('stops the actor and its subscription on stop and on $dispose; a new start begins a fresh log', () => {
    const app = createTestApp()
    const session = useSessionStore()
    session.start()
    app.fake.setView({ status: 'connected' })
    expect(app.fake.openSubscriptions()).toBe(1)
    session.stop()
    expect(app.fake.stopped()).toBe(true)
    expect(app.fake.openSubscriptions()).toBe(0)
    expect(session.view.status).toBe('idle')
    expect(useDevtoolsStore().events).toEqual([])

    session.start()
    expect(app.fake.openSubscriptions()).toBe(1)
    session.$dispose()
    expect(app.fake.stopped()).toBe(true)
    expect(app.fake.openSubscriptions()).toBe(0)
  })
})

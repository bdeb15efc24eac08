import { describe, expect, it } from 'vitest'
import { assign, createActor, fromCallback, fromPromise, setup, waitFor } from 'xstate'
import { createInspectionLog, stateValueToPaths, toPlain } from './inspectionLog'
import type { LoggedEvent } from './inspectionLog'

// A small machine shaped like the conference: a parallel region and invoked children.
const machine = setup({
  types: { context: {} as { joins: number }, events: {} as { type: 'user.join' } | { type: 'user.leave' } | { type: 'peer.ping'; stream?: unknown } },
  actors: {
    eventStream: fromCallback(() => () => {}),
    joinRoom: fromPromise(async () => 'ok'),
  },
}).createMachine({
  id: 'conference',
  context: { joins: 0 },
  initial: 'idle',
  states: {
    idle: { on: { 'user.join': { target: 'joining', actions: assign({ joins: ({ context }) => context.joins + 1 }) } } },
    joining: { invoke: { id: 'joinRoom', src: 'joinRoom', onDone: 'inRoom' } },
    inRoom: {
      type: 'parallel',
      invoke: { id: 'eventStream', src: 'eventStream' },
      on: { 'user.leave': 'left', 'peer.ping': {} },
      states: { media: { initial: 'on', states: { on: {} } }, events: { initial: 'open', states: { open: {} } } },
    },
    left: { type: 'final' },
  },
})

describe('stateValueToPaths', () => {
  it('flattens nested and parallel state values', () => {
    expect(stateValueToPaths('idle')).toEqual(['idle'])
    expect(stateValueToPaths({ inRoom: { media: 'on', events: { open: 'healthy' } } })).toEqual([
      'inRoom.media.on',
      'inRoom.events.open.healthy',
    ])
    expect(stateValueToPaths(undefined)).toEqual([])
  })
})

describe('toPlain', () => {
  it('keeps plain data and labels class instances', () => {
    class MediaStream {}
    expect(toPlain({ type: 'peer.track', stream: new MediaStream(), ids: ['a'], n: 1, f: () => 1 })).toEqual({
      type: 'peer.track',
      stream: '[MediaStream]',
      ids: ['a'],
      n: 1,
      f: '[function]',
    })
    expect(toPlain(new Error('boom'))).toBe('[Error: boom]')
  })
})

describe('inspection log', () => {
  it('tracks live actors with their state and context, and drops children that stopped', async () => {
    const log = createInspectionLog()
    const actor = createActor(machine, { inspect: log.inspect }).start()
    expect(log.actors().map((record) => [record.id, record.paths])).toEqual([['conference', ['idle']]])

    actor.send({ type: 'user.join' })
    await waitFor(actor, (snapshot) => snapshot.matches('inRoom'))
    const ids = log.actors().map((record) => record.id)
    expect(ids[0]).toBe('conference')
    expect(ids).toContain('eventStream')
    expect(ids).not.toContain('joinRoom') // its promise resolved: finished actors leave the registry
    const root = log.actors()[0]!
    expect(root.paths).toEqual(['inRoom.media.on', 'inRoom.events.open'])
    expect(root.context).toEqual({ joins: 1 })

    actor.send({ type: 'user.leave' })
    expect(log.actors().map((record) => [record.id, record.status])).toEqual([['conference', 'done']])
  })

  it('records the events each actor receives, newest last, bounded', () => {
    const log = createInspectionLog({ limit: 3, now: () => 1000 })
    const received: string[] = []
    log.onEvent((event) => received.push(event.type))
    const actor = createActor(machine, { inspect: log.inspect }).start()
    for (let i = 0; i < 2; i++) actor.send({ type: 'peer.ping', stream: new (class Stream {})() })
    actor.send({ type: 'user.leave' }) // not handled in idle, but still received

    expect(received).toEqual(['xstate.init', 'peer.ping', 'peer.ping', 'user.leave'])
    const events = log.events()
    expect(events.map((event) => event.type)).toEqual(['peer.ping', 'peer.ping', 'user.leave'])
    expect(events[0]).toMatchObject({ targetId: 'conference', at: 1000, payload: { type: 'peer.ping', stream: '[Stream]' } })
    expect(events.map((event) => event.seq)).toEqual([2, 3, 4])
  })

  it('copies payloads and flattens states only when read (a join logs hundreds of events nobody reads)', () => {
    const log = createInspectionLog()
    let reads = 0
    const payload = {
      get detail() {
        reads++
        return 'x'
      },
    }
    const actor = createActor(machine, { inspect: log.inspect }).start()
    actor.send({ type: 'peer.ping', stream: payload })
    expect(reads).toBe(0)
    const ping = log.events().find((event) => event.type === 'peer.ping')
    expect(ping).toMatchObject({ payload: { type: 'peer.ping', stream: { detail: 'x' } }, before: ['idle'], after: ['idle'] })
    log.events()
    expect(reads).toBe(1)
  })

  it('notifies subscribers and can be cleared', () => {
    const log = createInspectionLog()
    let notified = 0
    const unsubscribe = log.subscribe(() => notified++)
    createActor(machine, { inspect: log.inspect }).start()
    expect(notified).toBeGreaterThan(0)
    log.clear()
    expect(log.actors()).toEqual([])
    expect(log.events()).toEqual([])
    const before = notified
    unsubscribe()
    log.clear()
    expect(notified).toBe(before)
  })
})

describe('transitions taken', () => {
  const stepping = setup({
    types: { events: {} as { type: 'hub.offer' } | { type: 'user.leave' } },
    guards: { polite: () => true },
  }).createMachine({
    id: 'negotiation',
    initial: 'stable',
    states: {
      stable: { on: { 'hub.offer': { target: 'answering', guard: 'polite' } } },
      answering: { always: 'stable', exit: [] },
    },
  })

  it('links each processed event to the transitions it caused, eventless steps included, with the states before and after', () => {
    const log = createInspectionLog()
    const processed: LoggedEvent[] = []
    log.onEvent((event) => processed.push(event))
    const actor = createActor(stepping, { inspect: log.inspect }).start()
    actor.send({ type: 'hub.offer' })
    actor.send({ type: 'user.leave' })

    expect(processed.map((event) => [event.type, event.transitions, event.before, event.after])).toEqual([
      ['xstate.init', [], [], ['stable']],
      [
        'hub.offer',
        [
          { event: 'hub.offer', source: 'stable', targets: ['answering'], guard: 'polite' },
          { event: '', source: 'answering', targets: ['stable'] },
        ],
        ['stable'],
        ['stable'],
      ],
      ['user.leave', [], ['stable'], ['stable']],
    ])
  })

  it('reports an event only once its actor processed it, also when sent from inside a transition', async () => {
    const log = createInspectionLog()
    const order: string[] = []
    log.onEvent((event) => order.push(`${event.targetId}:${event.type}:${event.after?.join()}`))
    const actor = createActor(machine, { inspect: log.inspect }).start()
    actor.send({ type: 'user.join' })
    await waitFor(actor, (snapshot) => snapshot.matches('inRoom'))
    expect(order).toContain('conference:user.join:joining')
    expect(order).toContain('conference:xstate.done.actor.joinRoom:inRoom.media.on,inRoom.events.open')
  })
})

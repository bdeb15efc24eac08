import { describe, expect, it } from 'vitest'
import { createActor, setup } from 'xstate'
import { createInspectionLog } from './inspectionLog'
import { INSPECTOR_ID, TIMELINE_LAYER_ID, registerParleyDevtools } from './plugin'
import type { DevtoolsApi } from './plugin'

const machine = setup({
  types: { events: {} as { type: 'user.join' } | { type: 'user.leave' } },
  guards: { hasRoom: () => true },
}).createMachine({
  id: 'conference',
  initial: 'idle',
  context: { roomId: null },
  states: {
    idle: { on: { 'user.join': { target: 'inRoom', guard: 'hasRoom' } } },
    inRoom: {
      type: 'parallel',
      on: { 'user.leave': 'idle' },
      states: { media: { initial: 'on', states: { on: {} } }, events: { initial: 'open', states: { open: {} } } },
    },
  },
})

type TreeHandler = Parameters<DevtoolsApi['on']['getInspectorTree']>[0]
type StateHandler = Parameters<DevtoolsApi['on']['getInspectorState']>[0]

function recordingApi() {
  const calls = {
    inspectors: [] as unknown[],
    layers: [] as unknown[],
    timeline: [] as { layerId: string; event: { title?: string; subtitle?: string; data: unknown } }[],
    treeRefreshes: 0,
    stateRefreshes: 0,
  }
  let tree: TreeHandler | undefined
  let state: StateHandler | undefined
  const api: DevtoolsApi = {
    addInspector: (options) => calls.inspectors.push(options),
    addTimelineLayer: (options) => calls.layers.push(options),
    addTimelineEvent: (options) => calls.timeline.push(options),
    sendInspectorTree: () => calls.treeRefreshes++,
    sendInspectorState: () => calls.stateRefreshes++,
    now: () => 42,
    on: {
      getInspectorTree: (handler) => (tree = handler),
      getInspectorState: (handler) => (state = handler),
    },
  }
  return { api, calls, tree: () => tree!, state: () => state! }
}

describe('Parley devtools plugin', () => {
  it('adds the "Parley statecharts" inspector and the "Parley events" timeline layer', () => {
    const { api, calls } = recordingApi()
    registerParleyDevtools(api, createInspectionLog())
    expect(calls.inspectors).toEqual([expect.objectContaining({ id: INSPECTOR_ID, label: 'Parley statecharts' })])
    expect(calls.layers).toEqual([expect.objectContaining({ id: TIMELINE_LAYER_ID, label: 'Parley events' })])
  })

  it('lists live actors with their tree of active states, and shows an actor\'s state, context and last transition', async () => {
    const { api, calls, tree, state } = recordingApi()
    const log = createInspectionLog()
    registerParleyDevtools(api, log)
    const actor = createActor(machine, { inspect: log.inspect }).start()
    actor.send({ type: 'user.join' })

    const treePayload = { app: {}, inspectorId: INSPECTOR_ID, filter: '', rootNodes: [] } as unknown as Parameters<TreeHandler>[0]
    await tree()(treePayload)
    const id = actor.sessionId
    expect(treePayload.rootNodes).toEqual([
      expect.objectContaining({
        id,
        label: 'conference: inRoom.media.on, inRoom.events.open',
        children: [
          expect.objectContaining({
            id: `${id}#inRoom`,
            label: 'inRoom',
            children: [
              expect.objectContaining({ id: `${id}#inRoom.media`, children: [expect.objectContaining({ id: `${id}#inRoom.media.on`, label: 'on' })] }),
              expect.objectContaining({ id: `${id}#inRoom.events`, children: [expect.objectContaining({ id: `${id}#inRoom.events.open` })] }),
            ],
          }),
        ],
      }),
    ])

    const statePayload = { app: {}, inspectorId: INSPECTOR_ID, nodeId: id, state: {} } as unknown as Parameters<StateHandler>[0]
    await state()(statePayload)
    expect(statePayload.state.state).toContainEqual({ key: 'value', value: { inRoom: { media: 'on', events: 'open' } } })
    expect(statePayload.state.context).toEqual([{ key: 'roomId', value: null }])
    expect(statePayload.state['last transition']).toEqual([
      { key: 'event', value: 'user.join' },
      { key: 'transitions', value: ['idle → inRoom on user.join [hasRoom]'] },
    ])

    await Promise.resolve() // refreshes are batched per microtask
    expect(calls.treeRefreshes).toBe(1)
    expect(calls.stateRefreshes).toBe(1)
  })

  it('shows, for a state node, the events that state handles and the actor\'s context', async () => {
    const { api, state } = recordingApi()
    const log = createInspectionLog()
    registerParleyDevtools(api, log)
    const actor = createActor(machine, { inspect: log.inspect }).start()
    actor.send({ type: 'user.join' })
    const payload = { app: {}, inspectorId: INSPECTOR_ID, nodeId: `${actor.sessionId}#inRoom`, state: {} } as unknown as Parameters<StateHandler>[0]
    await state()(payload)
    expect(payload.state.state).toEqual([
      { key: 'path', value: 'inRoom' },
      { key: 'handles', value: ['user.leave'] },
      { key: 'invokes', value: [] },
    ])
    expect(payload.state.context).toEqual([{ key: 'roomId', value: null }])
  })

  it('puts each processed event on the timeline with the transition it caused and the actor to inspect', () => {
    const { api, calls } = recordingApi()
    const log = createInspectionLog()
    registerParleyDevtools(api, log)
    const actor = createActor(machine, { inspect: log.inspect }).start()
    actor.send({ type: 'user.join' })
    actor.send({ type: 'user.join' }) // not handled in inRoom: on the timeline, with no transition

    expect(calls.timeline.map((entry) => [entry.layerId, entry.event.title, entry.event.subtitle])).toEqual([
      [TIMELINE_LAYER_ID, 'xstate.init', '→ conference'],
      [TIMELINE_LAYER_ID, 'user.join', '→ conference: idle → inRoom on user.join [hasRoom]'],
      [TIMELINE_LAYER_ID, 'user.join', '→ conference'],
    ])
    expect(calls.timeline[1]!.event.data).toMatchObject({
      from: '(outside)',
      to: 'conference',
      transitions: ['idle → inRoom on user.join [hasRoom]'],
      'state before': ['idle'],
      'state after': ['inRoom.media.on', 'inRoom.events.open'],
      'inspect actor': actor.sessionId,
    })
  })

  it('answers only for its own inspector', async () => {
    const { api, tree } = recordingApi()
    const log = createInspectionLog()
    registerParleyDevtools(api, log)
    createActor(machine, { inspect: log.inspect }).start()
    const payload = { app: {}, inspectorId: 'pinia', filter: '', rootNodes: [] } as unknown as Parameters<TreeHandler>[0]
    await tree()(payload)
    expect(payload.rootNodes).toEqual([])
  })
})

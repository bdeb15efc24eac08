import { describe, expect, it } from 'vitest'
import { createActor, setup } from 'xstate'
import { createInspectionLog } from './inspectionLog'
import { INSPECTOR_ID, TIMELINE_LAYER_ID, registerParleyDevtools } from './plugin'
import type { DevtoolsApi } from './plugin'

const machine = setup({ types: { events: {} as { type: 'user.join' } } }).createMachine({
  id: 'conference',
  initial: 'idle',
  context: { roomId: null },
  states: { idle: { on: { 'user.join': 'joining' } }, joining: {} },
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

  it('lists live actors with their state, shows state and context, and puts events on the timeline', async () => {
    const { api, calls, tree, state } = recordingApi()
    const log = createInspectionLog()
    registerParleyDevtools(api, log)
    const actor = createActor(machine, { inspect: log.inspect }).start()
    actor.send({ type: 'user.join' })

    const treePayload = { app: {}, inspectorId: INSPECTOR_ID, filter: '', rootNodes: [] } as unknown as Parameters<TreeHandler>[0]
    await tree()(treePayload)
    expect(treePayload.rootNodes).toEqual([
      expect.objectContaining({ id: actor.sessionId, label: 'conference: joining' }),
    ])

    const statePayload = { app: {}, inspectorId: INSPECTOR_ID, nodeId: actor.sessionId, state: {} } as unknown as Parameters<StateHandler>[0]
    await state()(statePayload)
    expect(statePayload.state.state).toContainEqual({ key: 'value', value: 'joining' })
    expect(statePayload.state.context).toEqual([{ key: 'roomId', value: null }])

    expect(calls.timeline.map((entry) => [entry.layerId, entry.event.title, entry.event.subtitle])).toEqual([
      [TIMELINE_LAYER_ID, 'xstate.init', '→ conference'],
      [TIMELINE_LAYER_ID, 'user.join', '→ conference'],
    ])

    await Promise.resolve() // refreshes are batched per microtask
    expect(calls.treeRefreshes).toBe(1)
    expect(calls.stateRefreshes).toBe(1)
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

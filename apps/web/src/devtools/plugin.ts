// Vue devtools plugin: a custom inspector "Parley statecharts" listing every live XState actor
// (state value and context), and a timeline layer "Parley events" with each event a machine
// receives. Both read the store's inspection log, which XState's `inspect` option feeds.
import { setupDevtoolsPlugin } from '@vue/devtools-api'
import type { App } from 'vue'
import type { InspectionLog } from './inspectionLog'

export const INSPECTOR_ID = 'parley-statecharts'
export const TIMELINE_LAYER_ID = 'parley-events'

const ACTIVE_TAG = { label: 'active', textColor: 0xffffff, backgroundColor: 0x3d73f5 }
const ROOT_TAG = { label: 'root', textColor: 0x000000, backgroundColor: 0x3dd68c }

/** The part of the devtools plugin API this plugin uses (narrow, so tests pass a recording fake). */
export type DevtoolsApi = Pick<
  Parameters<Parameters<typeof setupDevtoolsPlugin>[1]>[0],
  'addInspector' | 'addTimelineLayer' | 'addTimelineEvent' | 'sendInspectorTree' | 'sendInspectorState' | 'now'
> & {
  on: Pick<Parameters<Parameters<typeof setupDevtoolsPlugin>[1]>[0]['on'], 'getInspectorTree' | 'getInspectorState'>
}

export function installParleyDevtools(app: App, log: InspectionLog): void {
  setupDevtoolsPlugin(
    { id: 'dev.parley.statecharts', label: 'Parley', packageName: '@parley/web', app, enableEarlyProxy: true },
    (api) => registerParleyDevtools(api, log),
  )
}

/** Adds the inspector and the timeline layer and keeps them fed; returns a function that stops feeding. */
export function registerParleyDevtools(api: DevtoolsApi, log: InspectionLog): () => void {
  api.addInspector({
    id: INSPECTOR_ID,
    label: 'Parley statecharts',
    icon: 'account_tree',
    treeFilterPlaceholder: 'Filter actors',
    noSelectionText: 'Select an actor to see its state and context',
  })
  api.addTimelineLayer({ id: TIMELINE_LAYER_ID, label: 'Parley events', color: 0x5b8cff })

  api.on.getInspectorTree((payload) => {
    if (payload.inspectorId !== INSPECTOR_ID) return
    const filter = payload.filter.toLowerCase()
    payload.rootNodes = log
      .actors()
      .filter((actor) => filter === '' || actor.id.toLowerCase().includes(filter))
      .map((actor) => ({
        id: actor.sessionId,
        label: actor.paths.length > 0 ? `${actor.id}: ${actor.paths.join(', ')}` : actor.id,
        tags: actor.sessionId === actor.rootId ? [ROOT_TAG, ACTIVE_TAG] : [ACTIVE_TAG],
      }))
  })

  api.on.getInspectorState((payload) => {
    if (payload.inspectorId !== INSPECTOR_ID) return
    const actor = log.actors().find((candidate) => candidate.sessionId === payload.nodeId)
    if (!actor) return
    payload.state = {
      state: [
        { key: 'value', value: actor.value ?? '(no states)' },
        { key: 'active states', value: actor.paths },
        { key: 'status', value: actor.status },
        { key: 'id', value: actor.id },
        { key: 'sessionId', value: actor.sessionId },
      ],
      context: Object.entries((actor.context ?? {}) as Record<string, unknown>).map(([key, value]) => ({ key, value })),
    }
  })

  // One refresh per burst: a negotiation step produces several snapshots in a row.
  let refreshQueued = false
  const stopRefreshing = log.subscribe(() => {
    if (refreshQueued) return
    refreshQueued = true
    queueMicrotask(() => {
      refreshQueued = false
      api.sendInspectorTree(INSPECTOR_ID)
      api.sendInspectorState(INSPECTOR_ID)
    })
  })

  const stopTimeline = log.onEvent((event) => {
    api.addTimelineEvent({
      layerId: TIMELINE_LAYER_ID,
      event: {
        time: api.now(),
        title: event.type,
        subtitle: `→ ${event.targetId}`,
        groupId: event.targetSessionId,
        data: { event: event.payload, to: event.targetId, from: event.sourceId ?? '(outside)' },
      },
    })
  })

  return () => {
    stopRefreshing()
    stopTimeline()
  }
}

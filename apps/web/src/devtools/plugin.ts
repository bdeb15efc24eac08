// Vue devtools plugin: a custom inspector "Parley statecharts" listing every live XState actor with
// its tree of active states (click a state: the events it handles, the actor's context), and a
// timeline layer "Parley events" where each event a machine processed names the transitions it
// caused (from → to, guard) and the actor node to inspect. Both read the store's inspection log,
// which XState's `inspect` option feeds.
import { setupDevtoolsPlugin } from '@vue/devtools-api'
import type { App } from 'vue'
import type { ActorRecord, InspectionLog, LoggedEvent, TakenTransition } from './inspectionLog'
import { guardLabel, triggerLabel } from './labels'

export const INSPECTOR_ID = 'parley-statecharts'
export const TIMELINE_LAYER_ID = 'parley-events'

const ACTIVE_TAG = { label: 'active', textColor: 0xffffff, backgroundColor: 0x3d73f5 }
const ROOT_TAG = { label: 'root', textColor: 0x000000, backgroundColor: 0x3dd68c }
const STATE_SEPARATOR = '#'

interface InspectorNode {
  id: string
  label: string
  tags?: (typeof ACTIVE_TAG)[]
  children?: InspectorNode[]
}

/** The active states of an actor as a tree: `inRoom.media.on` and `inRoom.events.open` share `inRoom`. */
export function activeStateTree(sessionId: string, paths: string[]): InspectorNode[] {
  const roots: InspectorNode[] = []
  for (const path of paths) {
    let level = roots
    const keys = path.split('.')
    keys.forEach((key, index) => {
      const id = `${sessionId}${STATE_SEPARATOR}${keys.slice(0, index + 1).join('.')}`
      let node = level.find((candidate) => candidate.id === id)
      if (!node) level.push((node = { id, label: key, tags: [ACTIVE_TAG], children: [] }))
      level = node.children!
    })
  }
  return roots
}

/** 'inRoom.negotiation.stable → inRoom.negotiation.answering on hub.offer [guard]' ('' is the machine root). */
export function describeTransition(transition: TakenTransition): string {
  const state = (path: string) => (path === '' ? '(root)' : path)
  const targets = transition.targets.length > 0 ? transition.targets.map(state).join(', ') : '(stays)'
  const trigger = triggerLabel(transition.event, '')
  return `${state(transition.source)} → ${targets} on ${trigger}${transition.guard ? ` [${transition.guard}]` : ''}`
}

interface StateNodeLike {
  states?: Record<string, StateNodeLike>
  transitions?: Map<string, { guard?: unknown }[]>
  always?: { guard?: unknown }[]
  invoke?: { id?: string }[]
}

/** What one state of a machine definition handles: its own events (with guards) and what it invokes. */
function stateDetails(record: ActorRecord, path: string): { key: string; value: unknown }[] {
  let node = record.machine?.root as StateNodeLike | undefined
  for (const key of path.split('.')) node = node?.states?.[key]
  if (!node) return [{ key: 'path', value: path }]
  const handles = [...(node.transitions ?? new Map<string, { guard?: unknown }[]>())].map(([eventType, list]) => {
    const guards = list.map((transition) => guardLabel(transition.guard)).filter((guard) => guard !== undefined)
    return guards.length > 0 ? `${triggerLabel(eventType, '')} [${guards.join(' | ')}]` : triggerLabel(eventType, '')
  })
  if (node.always?.length) handles.push('always')
  return [
    { key: 'path', value: path },
    { key: 'handles', value: handles },
    { key: 'invokes', value: (node.invoke ?? []).map((invoke) => invoke.id ?? '(anonymous)') },
  ]
}

function timelineSubtitle(event: LoggedEvent): string {
  const [first] = event.transitions
  if (!first) return `→ ${event.targetId}`
  const more = event.transitions.length > 1 ? ` (+${event.transitions.length - 1})` : ''
  return `→ ${event.targetId}: ${describeTransition(first)}${more}`
}

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
        children: activeStateTree(actor.sessionId, actor.paths),
      }))
  })

  api.on.getInspectorState((payload) => {
    if (payload.inspectorId !== INSPECTOR_ID) return
    const [sessionId, statePath] = payload.nodeId.split(STATE_SEPARATOR)
    const actor = log.actors().find((candidate) => candidate.sessionId === sessionId)
    if (!actor) return
    const context = Object.entries((actor.context ?? {}) as Record<string, unknown>).map(([key, value]) => ({ key, value }))
    if (statePath !== undefined) {
      payload.state = { state: stateDetails(actor, statePath), context }
      return
    }
    const last = [...log.events()].reverse().find((event) => event.targetSessionId === actor.sessionId && event.transitions.length > 0)
    payload.state = {
      'last transition': last
        ? [
            { key: 'event', value: last.type },
            { key: 'transitions', value: last.transitions.map(describeTransition) },
          ]
        : [],
      state: [
        { key: 'value', value: actor.value ?? '(no states)' },
        { key: 'active states', value: actor.paths },
        { key: 'status', value: actor.status },
        { key: 'id', value: actor.id },
        { key: 'sessionId', value: actor.sessionId },
      ],
      context,
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
        subtitle: timelineSubtitle(event),
        groupId: event.targetSessionId,
        data: {
          event: event.payload,
          to: event.targetId,
          from: event.sourceId ?? '(outside)',
          transitions: event.transitions.map(describeTransition),
          'state before': event.before ?? [],
          'state after': event.after ?? [],
          // The "Parley statecharts" inspector node of the actor that took the transition.
          'inspect actor': event.targetSessionId,
        },
      },
    })
  })

  return () => {
    stopRefreshing()
    stopTimeline()
  }
}

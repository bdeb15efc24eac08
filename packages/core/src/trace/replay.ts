// replayTrace: runs the machines again over ports fed from a trace and reports either "same path" or
// the first divergence. Inputs (answers, SSE events, peer events, media results, timers firing, user
// events) are delivered in recorded order; everything the machines do is recorded again and compared
// with the trace, one sequence per actor and per port (so unrelated async chains may interleave
// differently without counting as a divergence). Bounded: one step per recorded input, then done.
import type { AnyActorRef, AnyEventObject } from 'xstate'
import { createConference } from '../conference.js'
import type { Ports } from '../ports.js'
import type { Trace, TraceEntry } from './format.js'
import { createTraceRecorder, type TraceRecorder, type TraceRecorderLike } from './recorder.js'
import { createReplayPorts, type ReplayFeed } from './replayPorts.js'

export interface Divergence {
  /** The recorded entry the replay did not reproduce (its seq), or the replay's extra entry. */
  seq: number
  /** The last input delivered before it (`user.join`, `http.response 201 POST /v1/rooms/create`, …). */
  after: string
  /** Which sequence diverged: `state conference/negotiation`, `http`, `pc 1`, `timers`, … */
  stream: string
  expected: string
  actual: string
}

export interface ReplayResult {
  verdict: 'same path' | 'diverged' | 'incomplete'
  /** Recorded inputs delivered. */
  inputs: number
  /** Recorded entries compared. */
  compared: number
  divergence?: Divergence
  /** One line for people. */
  message: string
}

/** What a replay runs: by default the conference of `createConference`; pass your own (e.g. one built with `.provide()`). */
export interface ReplayTarget {
  start(): void
  stop(): void
  /** Sends to the root, or to the actor at `path` (invoke ids from the root, as the trace names it); false when there is none. */
  send(event: AnyEventObject, path?: string): boolean | void
}

export interface ReplayOptions {
  /** Builds what is replayed from the replay's ports and the recorder that must watch it. */
  target?: (ports: Ports, recorder: TraceRecorderLike) => ReplayTarget
}

const INPUT_KINDS = new Set<TraceEntry['kind']>([
  'http.response',
  'http.error',
  'sse.event',
  'pc.result',
  'pc.failure',
  'pc.event',
  'media.result',
  'media.failure',
  'media.event',
  'media.devices',
  'media.devicechange',
  'dc.event',
  'timer.fire',
  'tab.message',
  'network.change',
])

const pathOf = (url: string) => url.replace(/^[a-z]+:\/\/[^/]*/i, '')

/**
 * An event sent from outside the actor system, which the replay sends again: the UI's `user.*` to the
 * conference, or to a child it addresses directly (`user.startScreenShare` to `conference/screenShare`).
 */
function isExternal(entry: TraceEntry): entry is Extract<TraceEntry, { kind: 'event' }> {
  return entry.kind === 'event' && entry.source === undefined && !entry.event.type.startsWith('xstate.')
}

/** Which comparable sequence an entry belongs to, and its comparable text; inputs have none. */
function keyOf(entry: TraceEntry, pathOfActor: (ref: number) => string): [stream: string, key: string] | undefined {
  switch (entry.kind) {
    case 'state':
      return [`state ${pathOfActor(entry.actor)}`, `${JSON.stringify(entry.value ?? null)} (${entry.status}) on ${entry.event}`]
    case 'event':
      return [`events ${pathOfActor(entry.actor)}`, entry.event.type]
    case 'http.request':
      return ['http', `${entry.method} ${pathOf(entry.url)}${entry.body ? ` ${entry.body}` : ''}`]
    case 'sse.open':
      return ['sse', `open ${pathOf(entry.url)}`]
    case 'sse.close':
      return ['sse', `close ${entry.es}`]
    case 'pc.create':
      return ['pc', `create ${entry.pc}`]
    case 'pc.call':
      return [`pc ${entry.pc}`, `${entry.method} ${JSON.stringify(entry.args ?? null)}`]
    case 'pc.close':
      return ['pc', `close ${entry.pc}`]
    case 'media.call':
      return ['media', `${entry.method} ${JSON.stringify(entry.constraints)}`]
    case 'dc.send':
      return [`dc ${entry.pc}.${entry.channel}`, `send ${entry.data}`]
    case 'dc.close':
      return [`dc ${entry.pc}.${entry.channel}`, 'close']
    case 'timer.set':
      return ['timers', `set ${entry.timer} (${entry.ms} ms)`]
    case 'timer.clear':
      return ['timers', `clear ${entry.timer}`]
    case 'beacon':
      return ['beacon', pathOf(entry.url)]
    case 'tab.open':
      return ['tabs', `open ${entry.name}`]
    case 'tab.post':
      // Without the tab id (`from`): a replay's tab has a new one.
      return ['tabs', `post ${tabMessageKey(entry.data)}`]
    default:
      return undefined
  }
}

/** A tab message as compared: its type and room. */
function tabMessageKey(data: unknown): string {
  const { type, roomId } = (data ?? {}) as { type?: unknown; roomId?: unknown }
  return `${String(type)} ${String(roomId)}`
}

/** A short label of an input, for reports. */
export function describeInput(entry: TraceEntry, trace?: Trace): string {
  switch (entry.kind) {
    case 'event':
      return entry.event.type
    case 'http.response': {
      const request = trace?.entries.find((e) => e.kind === 'http.request' && e.req === entry.req)
      return `http.response ${entry.status}${request?.kind === 'http.request' ? ` to ${request.method} ${pathOf(request.url)}` : ` to request ${entry.req}`}`
    }
    case 'http.error':
      return `http.error on request ${entry.req}: ${entry.error.message}`
    case 'sse.event':
      return `sse ${entry.name}`
    case 'pc.result':
      return `pc ${entry.pc} call ${entry.call} resolved`
    case 'pc.failure':
      return `pc ${entry.pc} call ${entry.call} failed: ${entry.error.message}`
    case 'pc.event':
      return `pc ${entry.pc} ${entry.type}`
    case 'media.result':
      return `media ${entry.call} granted`
    case 'media.failure':
      return `media ${entry.call} refused: ${entry.error.name}`
    case 'media.event':
      return `media ${entry.call} ${entry.track.kind} track ended`
    case 'media.devices':
      return `media ${entry.call} listed ${entry.devices.length} devices`
    case 'media.devicechange':
      return 'devicechange'
    case 'dc.event':
      return `data channel ${entry.pc}.${entry.channel} ${entry.type}`
    case 'timer.fire':
      return `timer ${entry.timer} fired`
    case 'tab.message':
      return `tab message ${tabMessageKey(entry.data)}`
    case 'network.change':
      return 'network changed'
    default:
      return entry.kind
  }
}

function deliver(entry: TraceEntry, feed: ReplayFeed, target: ReplayTarget, path: string | undefined): boolean {
  switch (entry.kind) {
    case 'event':
      return target.send(entry.event, path) !== false
    case 'http.response':
      return feed.httpResponse(entry.req, entry.status, entry.body)
    case 'http.error':
      return feed.httpError(entry.req, entry.error, entry.status)
    case 'sse.event':
      return feed.sseEvent(entry.es, entry.name, entry.data)
    case 'pc.result':
      return feed.pcResult(entry.pc, entry.call, entry.value)
    case 'pc.failure':
      return feed.pcFailure(entry.pc, entry.call, entry.error)
    case 'pc.event':
      return feed.pcEvent(entry.pc, entry.type, entry.states, entry.data)
    case 'media.result':
      return feed.mediaResult(entry.call, entry.stream)
    case 'media.failure':
      return feed.mediaFailure(entry.call, entry.error)
    case 'media.event':
      return feed.mediaEvent(entry.call, entry.type, entry.track)
    case 'media.devices':
      return feed.mediaDevices(entry.call, entry.devices)
    case 'media.devicechange':
      return feed.deviceChange()
    case 'dc.event':
      return feed.dcEvent(entry.pc, entry.channel, entry.type, entry.readyState, entry.data)
    case 'timer.fire':
      return feed.fireTimer(entry.timer)
    case 'tab.message':
      return feed.tabMessage(entry.data)
    case 'network.change':
      return feed.networkChange()
    default:
      return true
  }
}

const tick = (): Promise<void> => {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)))
}

/**
 * The receive slots per kind the recorded session offered: its recvonly audio transceivers before its
 * bootstrap channel (one in a trace from stop 44, none before it).
 */
function recordedReceiveSlots(trace: Trace): number {
  const calls = trace.entries.filter((e) => e.kind === 'pc.call')
  const end = calls.findIndex((e) => e.method === 'createDataChannel')
  const slots = calls
    .slice(0, end < 0 ? calls.length : end)
    .filter((e) => {
      const args = e.args as { track?: unknown; direction?: string } | undefined
      return e.method === 'addTransceiver' && args?.track === 'audio' && args.direction === 'recvonly'
    }).length
  return Math.min(slots, 16)
}

function conferenceTarget(baseUrl: string, simulcast: boolean, receiveSlots: number) {
  return (ports: Ports, recorder: TraceRecorderLike): ReplayTarget => {
    const conference = createConference({ hub: { baseUrl }, ports, trace: recorder, simulcast, receiveSlots })
    const actorAt = (path: string | undefined): AnyActorRef | undefined => {
      let ref: AnyActorRef | undefined = conference.actor
      for (const id of path?.split('/').slice(1) ?? []) ref = (ref?.getSnapshot() as { children?: Record<string, AnyActorRef> } | undefined)?.children?.[id]
      return ref
    }
    return {
      start: () => conference.actor.start(),
      stop: () => conference.actor.stop(),
      send: (event, path) => {
        const ref = actorAt(path)
        ref?.send(event)
        return ref !== undefined
      },
    }
  }
}

export async function replayTrace(trace: Trace, options: ReplayOptions = {}): Promise<ReplayResult> {
  if (trace.dropped > 0) {
    return {
      verdict: 'incomplete',
      inputs: 0,
      compared: 0,
      message: `Cannot replay: the ring dropped the first ${trace.dropped} entries (capacity ${trace.capacity}); record with a larger capacity`,
    }
  }
  const actors = new Map(trace.actors.map((actor) => [actor.ref, actor]))
  const recordedPath = (ref: number) => actors.get(ref)?.path ?? `actor ${ref}`

  // The recorded sequences, each with the entries' seqs.
  const expected = new Map<string, { key: string; seq: number }[]>()
  for (const entry of trace.entries) {
    if (isExternal(entry)) continue
    const keyed = keyOf(entry, recordedPath)
    if (!keyed) continue
    let list = expected.get(keyed[0])
    if (!list) expected.set(keyed[0], (list = []))
    list.push({ key: keyed[1], seq: entry.seq })
  }

  const called = (method: string) => trace.entries.some((e) => e.kind === 'pc.call' && e.method === method)
  const { ports, feed } = createReplayPorts({ getStats: called('getStats'), removeTrack: called('removeTrack'), createDataChannel: called('createDataChannel'),
    tabs: trace.entries.some((e) => e.kind === 'tab.open'),
    senderParameters: trace.entries.some((e) => e.kind === 'pc.call' && e.method === 'addTransceiver' && (e.args as { parameters?: boolean } | undefined)?.parameters === true),
  })
  const recorder: TraceRecorder = createTraceRecorder({ capacity: Math.max(trace.entries.length * 2, 1024), now: () => 0 })
  const actual = new Map<string, string[]>()
  const replayPath = (ref: number) => recorder.actor(ref)?.path ?? `actor ${ref}`
  recorder.onEntry((entry) => {
    if (isExternal(entry)) return
    const keyed = keyOf(entry, replayPath)
    if (!keyed) return
    let list = actual.get(keyed[0])
    if (!list) actual.set(keyed[0], (list = []))
    list.push(keyed[1])
  })
  // The camera's layers as recorded (a trace from before simulcast, or with it off, has none).
  const simulcast = trace.entries.some((e) => e.kind === 'pc.call' && e.method === 'addTransceiver' && (e.args as { sendEncodings?: unknown } | undefined)?.sendEncodings !== undefined)
  const target = (options.target ?? conferenceTarget(trace.baseUrl ?? '', simulcast, recordedReceiveSlots(trace)))(ports, recorder)

  let lastInput = 'the start'
  let lastInputSeq = 0
  let inputs = 0
  const checked = new Map<string, number>()
  /** The earliest mismatch over all sequences (by recorded position), or undefined. */
  const firstMismatch = (final: boolean): Divergence | undefined => {
    let found: Divergence | undefined
    // A changed value ranks before a missing or extra entry, a statechart's state before the rest,
    // then the earliest in the trace: what a person asks first is "which state went elsewhere".
    const rank = (d: Divergence) => [d.expected !== 'nothing more' && d.actual !== 'nothing' ? 0 : 1, d.stream.startsWith('state ') ? 0 : 1, d.seq]
    const before = (a: Divergence, b: Divergence) => {
      const [x, y] = [rank(a), rank(b)]
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!
      return false
    }
    const consider = (candidate: Divergence) => {
      if (!found || before(candidate, found)) found = candidate
    }
    for (const stream of new Set([...expected.keys(), ...actual.keys()])) {
      const want = expected.get(stream) ?? []
      const got = actual.get(stream) ?? []
      const from = checked.get(stream) ?? 0
      const upTo = final ? Math.max(want.length, got.length) : got.length
      for (let i = from; i < upTo; i++) {
        if (want[i]?.key === got[i]) continue
        consider({ seq: want[i]?.seq ?? lastInputSeq + 0.5, after: lastInput, stream, expected: want[i]?.key ?? 'nothing more', actual: got[i] ?? 'nothing' })
        break
      }
      if (!final) checked.set(stream, got.length)
    }
    return found
  }
  const diverged = (divergence: Divergence): ReplayResult => ({
    verdict: 'diverged',
    inputs,
    compared: [...actual.values()].reduce((sum, list) => sum + list.length, 0),
    divergence,
    message: `Diverged after ${divergence.after}: ${divergence.stream} (recorded entry ${Math.floor(divergence.seq)}) expected ${divergence.expected}, got ${divergence.actual}`,
  })

  target.start()
  try {
    for (const entry of trace.entries) {
      const external = isExternal(entry)
      if (!external && !INPUT_KINDS.has(entry.kind)) continue
      await tick()
      const mismatch = firstMismatch(false)
      if (mismatch) return diverged(mismatch)
      // The root is addressed without a path (a target of your own may name its root otherwise).
      const path = external && actors.get(entry.actor)?.parent !== undefined ? recordedPath(entry.actor) : undefined
      let delivered = deliver(entry, feed, target, path)
      // The object may be one async step away (a request made after a parse, a timer set after an answer).
      for (let wait = 0; !delivered && wait < 3; wait++) {
        await tick()
        delivered = deliver(entry, feed, target, path)
      }
      if (!delivered) {
        return diverged(
          firstMismatch(true) ?? { seq: entry.seq, after: lastInput, stream: 'inputs', expected: `${describeInput(entry, trace)} to be awaited`, actual: 'the replay never asked for it' },
        )
      }
      inputs++
      lastInput = `${describeInput(entry, trace)} (entry ${entry.seq})`
      lastInputSeq = entry.seq
    }
    await tick()
    await tick()
    // A trace exported after the conference stopped ends with the actors stopping: stop and compare again.
    if (firstMismatch(true)) {
      target.stop()
      await tick()
      const mismatch = firstMismatch(true)
      if (mismatch) return diverged(mismatch)
    }
  } finally {
    target.stop()
  }
  const compared = [...expected.values()].reduce((sum, list) => sum + list.length, 0)
  return { verdict: 'same path', inputs, compared, message: `Same path: ${inputs} inputs replayed, ${compared} recorded entries reproduced` }
}

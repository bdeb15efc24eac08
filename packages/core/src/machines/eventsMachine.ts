// The hub's SSE channel for one client: connecting → open, and on error a GET of the client decides
// between reconnecting (with back-off on the clock) and closed (404: the hub forgot us, session over).
// Every SSE event is parsed with @parley/protocol and delivered as a typed `hub.*` event to the actor
// it is for (events.ts: HUB_EVENT_RECIPIENTS), by systemId; the rest go to the parent.
// Nothing is lost: the id of the last event processed is kept, a new stream asks the hub to replay what
// came after it, and replays already processed are skipped by id. A stream that stays silent for
// `streamSilence` (2 × the hub's ping interval) is dead, even if its socket never said so. An event that
// breaks the contract is reported to the parent (`events.invalid`), never dropped silently.
import { assign, enqueueActions, fromCallback, fromPromise, sendParent, setup, type AnyStateMachine } from 'xstate'
import { type ActedBy, ALLOWED_RENEGOTIATION_EVENT, PARLEY_CONNECTION_EVENT, PARLEY_MUTE_EVENT, PARLEY_HOST_GRANTED_EVENT, PARLEY_KNOCKS_EVENT, PARLEY_ROOM_LOCKED_EVENT, PARLEY_VIDEO_PAUSED_EVENT, SSE_EVENTS, parseSseEvent, pingIntervalOf, type SseEventName } from '@parley/protocol'
import { HubError, type HubClient } from '../hubClient.js'
import type { EventSourceFactory, SseMessageLike } from '../ports.js'
import { HUB_EVENT_RECIPIENTS, type EventsClosedReason, type EventsParentEvent, type HubEvent } from '../events.js'
import { notProvided } from './notProvided.js'

export interface EventsInput {
  roomId: string
  clientId: string
  /** The hub's ping interval when known in advance (a ping that announces one overrides it). */
  pingIntervalMs?: number
}

export interface EventsContext {
  roomId: string
  clientId: string
  /** Reconnect attempts since the stream was last open. */
  attempt: number
  closedReason: EventsClosedReason | null
  /** Events that did not match the v1 contract (reported to the parent, counted for diagnostics). */
  invalidEvents: number
  /** The `id:` of the last event processed (delivered or reported): a new stream resumes after it. */
  lastEventId: string | null
  /** Replayed events that were already processed, skipped. */
  duplicates: number
  /** The hub's ping interval: as its pings announce it (`interval_ms`), else the default. */
  pingIntervalMs: number
}

/** A hub event as the stream delivered it, with its SSE id when the hub gave one. */
export type StreamedHubEvent = HubEvent & { eventId?: string }

export type EventsEvent =
  | StreamedHubEvent
  | { type: 'stream.opened' }
  | { type: 'stream.error' }
  /** Any message arrived (a ping included, with the interval it announces): the stream is alive. */
  | { type: 'stream.activity'; pingIntervalMs?: number }
  | { type: 'stream.invalid'; event: string; error: string; eventId?: string }

export interface EventsDeps {
  hub: HubClient
  eventSource: EventSourceFactory
}

/** The ping interval assumed until a ping announces one (a hub that announces none pings at least this often). */
export const HUB_PING_INTERVAL_MS = 15_000
/** A stream silent this long (no event, no ping) is dead; also bounds a stream that never opens. */
export const STREAM_SILENCE_MS = 2 * HUB_PING_INTERVAL_MS
/** How long a GET of the client may take before it counts as failed (a stalled hub never answers). */
export const CLIENT_CHECK_TIMEOUT_MS = 5_000
/** Reconnects of a stream that keeps failing before it is given up as lost (the conference reconnects fully). */
export const MAX_STREAM_RECONNECTS = 4

/** Back-off before reconnect attempt n (0-based): 0.5 s, 1 s, 2 s, then 4 s. The machine's `reconnectDelay` by default. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 4000)
}

/** Is `id` a replay of what was processed up to `last`? The hub's ids are increasing integers. */
export function isReplayedId(id: string | undefined, last: string | null): boolean {
  if (id === undefined || id === '' || last === null) return false
  if (/^\d+$/.test(id) && /^\d+$/.test(last)) return Number(id) <= Number(last)
  return id === last
}

type StreamEvent = HubEvent | { type: 'stream.invalid'; event: string; error: string } | { type: 'stream.activity'; pingIntervalMs?: number }

/** The interval a Parley hub's ping announces (`{"interval_ms": n}`, read by the protocol's schema); other hubs send anything. */
function announcedPingInterval(data: string): number | undefined {
  try {
    return pingIntervalOf(JSON.parse(data))
  } catch {
    return undefined
  }
}

/** Turns one SSE message into a machine event (`stream.activity` for `ping`), or undefined for none. */
/** Who did it (Parley's host controls), in the core's words; nothing when the hub did not say. */
const actedBy = (by: ActedBy | undefined) => (by ? { by: { clientId: by.client_id, name: by.name } } : {})

export function toHubEvent(name: SseEventName, data: string): StreamEvent | undefined {
  if (name === 'ping') {
    const pingIntervalMs = announcedPingInterval(data)
    return pingIntervalMs === undefined ? { type: 'stream.activity' } : { type: 'stream.activity', pingIntervalMs }
  }
  if (name === ALLOWED_RENEGOTIATION_EVENT) return { type: 'hub.allowedRenegotiation' }
  const parsed = parseSseEvent(name, data)
  if (!parsed.ok) return { type: 'stream.invalid', event: name, error: parsed.error }
  switch (parsed.name) {
    case 'offer':
      return { type: 'hub.offer', sdp: parsed.data.sdp }
    case 'candidate':
      return { type: 'hub.candidate', candidate: parsed.data }
    case 'tracks_added':
      return { type: 'hub.tracksAdded', tracks: parsed.data.tracks }
    case 'tracks_available':
      return { type: 'hub.tracksAvailable', tracks: parsed.data.tracks }
    case 'meta_changed': {
      const [key, value] = Object.entries(parsed.data)[0] ?? ['', null]
      return { type: 'hub.metaChanged', key, value }
    }
    case 'left': {
      const { reason, by } = parsed.data
      return { type: 'hub.left', ...(reason ? { reason } : {}), ...actedBy(by) }
    }
    case PARLEY_MUTE_EVENT:
      return { type: 'hub.muteRequested', ...actedBy(parsed.data.by) }
    case PARLEY_ROOM_LOCKED_EVENT:
      return { type: 'hub.roomLocked', locked: parsed.data.locked, ...actedBy(parsed.data.by) }
    case PARLEY_KNOCKS_EVENT: {
      const { waiting, answered } = parsed.data
      return {
        type: 'hub.knocks',
        waiting: waiting.map((knock) => ({ knockId: knock.knock_id, name: knock.name, since: knock.since })),
        ...(answered ? { answered: { knockId: answered.knock_id, name: answered.name, admitted: answered.admitted, ...actedBy(answered.by) } } : {}),
      }
    }
    case PARLEY_HOST_GRANTED_EVENT:
      return { type: 'hub.hostGranted', ...actedBy(parsed.data.by), reason: parsed.data.reason }
    case PARLEY_CONNECTION_EVENT:
      return { type: 'hub.connectionProblem', clientId: parsed.data.client_id, problem: parsed.data.problem }
    case PARLEY_VIDEO_PAUSED_EVENT:
      return { type: 'hub.videoPaused', clientId: parsed.data.client_id, trackId: parsed.data.track_id, paused: parsed.data.paused, reason: parsed.data.reason }
    default:
      return undefined
  }
}

export function eventsActors({ hub, eventSource }: EventsDeps) {
  return {
    /** The EventSource lives exactly as long as this actor; cleanup closes it. */
    openStream: fromCallback<EventsEvent, EventsInput & { lastEventId: string | null }>(({ input, sendBack }) => {
      const source = eventSource(hub.eventsUrl(input.roomId, input.clientId, input.lastEventId ?? undefined))
      const listeners = SSE_EVENTS.map((name) => {
        const listener = (message: SseMessageLike) => {
          if (name !== 'ping') sendBack({ type: 'stream.activity' })
          const event = toHubEvent(name, message.data)
          if (!event) return
          if (event.type === 'stream.invalid') console.warn(`Parley: the hub sent an event that breaks the v1 contract (${event.error})`)
          sendBack(message.lastEventId ? { ...event, eventId: message.lastEventId } : event)
        }
        source.addEventListener(name, listener)
        return [name, listener] as const
      })
      const onOpen = () => sendBack({ type: 'stream.opened' })
      const onError = () => sendBack({ type: 'stream.error' })
      source.addEventListener('open', onOpen)
      source.addEventListener('error', onError)
      return () => {
        for (const [name, listener] of listeners) source.removeEventListener(name, listener)
        source.removeEventListener('open', onOpen)
        source.removeEventListener('error', onError)
        source.close()
      }
    }),
    /** Does the hub still know this client? Resolves true/false; other failures reject. */
    checkClient: fromPromise<boolean, EventsInput>(async ({ input, signal }) => {
      try {
        await hub.getClient(input.roomId, input.clientId, signal)
        return true
      } catch (error) {
        if (error instanceof HubError && error.kind === 'client-gone') return false
        throw error
      }
    }),
  }
}

type EventsActors = ReturnType<typeof eventsActors>

/** The back-off the machine waits now: its `reconnectDelay`, as provided (`.provide({ delays })` changes it). */
function backOffOf(machine: AnyStateMachine, args: { context: EventsContext; event: EventsEvent }): number {
  const delay = (machine.implementations.delays as Record<string, number | ((args: unknown) => number) | undefined>).reconnectDelay
  return typeof delay === 'function' ? delay(args) : (delay ?? reconnectDelayMs(args.context.attempt))
}

/** A hub event: skipped when it is a replay already processed, else delivered and remembered. */
const hubEventHandlers = (then: { target?: '#events.closed' } = {}) => [
  { guard: 'isReplayed' as const, actions: 'countDuplicate' as const },
  {
    ...then,
    actions: [
      { type: 'storeEventId' as const, params: ({ event }: { event: EventsEvent }) => (event as StreamedHubEvent).eventId },
      { type: 'deliverHubEvent' as const, params: ({ event }: { event: EventsEvent }) => event as StreamedHubEvent },
      ...(then.target ? [{ type: 'storeClosedReason' as const, params: 'left' as const }] : []),
    ],
  },
]

export const eventsMachine = setup({
  types: {} as { context: EventsContext; events: EventsEvent; input: EventsInput },
  actors: {
    openStream: notProvided<EventsActors['openStream']>('openStream'),
    checkClient: notProvided<EventsActors['checkClient']>('checkClient'),
  },
  delays: {
    reconnectDelay: ({ context }) => reconnectDelayMs(context.attempt),
    streamSilence: ({ context }) => 2 * context.pingIntervalMs,
    clientCheckTimeout: CLIENT_CHECK_TIMEOUT_MS,
  },
  guards: {
    isClientKnown: (_, known: boolean) => known,
    isReplayed: ({ context, event }) => isReplayedId((event as { eventId?: string }).eventId, context.lastEventId),
    attemptsExhausted: ({ context }) => context.attempt >= MAX_STREAM_RECONNECTS,
  },
  actions: {
    storeEventId: assign({ lastEventId: ({ context }, eventId: string | undefined) => eventId || context.lastEventId }),
    deliverHubEvent: enqueueActions(({ enqueue, system }, streamed: StreamedHubEvent) => {
      const { eventId: _processed, ...event } = streamed
      const recipient = HUB_EVENT_RECIPIENTS[event.type]
      if (!recipient) return enqueue.sendParent(event)
      // Delivered while its recipient runs: the negotiation lives exactly as long as this channel.
      const actor = system.get(recipient)
      if (actor) enqueue.sendTo(actor, event)
    }),
    countDuplicate: assign({ duplicates: ({ context }) => context.duplicates + 1 }),
    resetAttempts: assign({ attempt: 0 }),
    storePingInterval: assign({ pingIntervalMs: ({ context }, announced: number | undefined) => announced ?? context.pingIntervalMs }),
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    countInvalidEvent: assign({ invalidEvents: ({ context }) => context.invalidEvents + 1 }),
    notifyInvalid: sendParent((_, invalid: { event: string; error: string }): EventsParentEvent => ({ type: 'events.invalid', event: invalid.event, error: invalid.error })),
    storeClosedReason: assign({ closedReason: (_, reason: EventsClosedReason) => reason }),
    notifyOpen: sendParent({ type: 'events.open' } satisfies EventsParentEvent),
    notifyReconnecting: sendParent(({ context, event, self }): EventsParentEvent => ({
      type: 'events.reconnecting',
      attempt: context.attempt + 1,
      delayMs: backOffOf(self.getSnapshot().machine as AnyStateMachine, { context, event }),
    })),
    notifyClosed: sendParent(({ context }): EventsParentEvent => ({ type: 'events.closed', reason: context.closedReason ?? 'left' })),
  },
}).createMachine({
  id: 'events',
  context: ({ input }) => ({
    roomId: input.roomId,
    clientId: input.clientId,
    attempt: 0,
    closedReason: null,
    invalidEvents: 0,
    lastEventId: null,
    duplicates: 0,
    pingIntervalMs: input.pingIntervalMs ?? HUB_PING_INTERVAL_MS,
  }),
  initial: 'streaming',
  states: {
    streaming: {
      invoke: {
        id: 'stream',
        src: 'openStream',
        input: ({ context }) => ({ roomId: context.roomId, clientId: context.clientId, lastEventId: context.lastEventId }),
      },
      initial: 'connecting',
      on: {
        'stream.error': 'checking',
        // Reported is processed: a replay resumes after it.
        'stream.invalid': {
          actions: [
            'countInvalidEvent',
            { type: 'storeEventId', params: ({ event }) => event.eventId },
            { type: 'notifyInvalid', params: ({ event }) => event },
          ],
        },
        'hub.left': hubEventHandlers({ target: '#events.closed' }),
        'hub.*': hubEventHandlers(),
      },
      states: {
        connecting: {
          tags: ['busy'],
          on: { 'stream.opened': 'open' },
          // A hub that accepts the connection but never answers is as dead as one that refuses it.
          after: { streamSilence: '#events.checking' },
        },
        open: {
          entry: ['resetAttempts', 'notifyOpen'],
          initial: 'listening',
          states: {
            // The hub pings at a known interval: silence for twice that means the stream is dead.
            listening: {
              on: {
                'stream.activity': {
                  target: 'listening',
                  reenter: true,
                  actions: { type: 'storePingInterval', params: ({ event }) => event.pingIntervalMs },
                },
              },
              after: { streamSilence: '#events.checking' },
            },
          },
        },
      },
    },
    checking: {
      // The stream broke: ask the hub whether this client still exists before reconnecting.
      tags: ['busy'],
      invoke: {
        id: 'checkClient',
        src: 'checkClient',
        input: ({ context }) => ({ roomId: context.roomId, clientId: context.clientId }),
        onDone: [
          { guard: { type: 'isClientKnown', params: ({ event }) => event.output }, target: 'retrying' },
          { target: 'closed', actions: { type: 'storeClosedReason', params: 'client-gone' } },
        ],
        onError: 'retrying',
      },
      // A stalled hub never answers: that is a failed check too.
      after: { clientCheckTimeout: 'retrying' },
    },
    retrying: {
      // A stream that keeps failing is given up as lost: the conference then reconnects in full.
      always: [{ guard: 'attemptsExhausted', target: 'closed', actions: { type: 'storeClosedReason', params: 'lost' } }, { target: 'reconnecting' }],
    },
    reconnecting: {
      tags: ['busy'],
      entry: 'notifyReconnecting',
      after: { reconnectDelay: { target: 'streaming', actions: 'countAttempt' } },
    },
    closed: {
      type: 'final',
      entry: 'notifyClosed',
    },
  },
})

// The hub's SSE channel for one client: connecting → open, and on error a GET of the client decides
// between reconnecting (with back-off on the clock) and closed (404: the hub forgot us, session over).
// Every SSE event is parsed with @parley/protocol and delivered as a typed `hub.*` event to the actor
// it is for (events.ts: HUB_EVENT_RECIPIENTS), by systemId; the rest go to the parent.
import { assign, enqueueActions, fromCallback, fromPromise, sendParent, setup, type AnyStateMachine } from 'xstate'
import { ALLOWED_RENEGOTIATION_EVENT, PARLEY_MUTE_EVENT, SSE_EVENTS, parseSseEvent, type SseEventName } from '@parley/protocol'
import { HubError, type HubClient } from '../hubClient.js'
import type { EventSourceFactory, SseMessageLike } from '../ports.js'
import { HUB_EVENT_RECIPIENTS, type EventsClosedReason, type EventsParentEvent, type HubEvent } from '../events.js'
import { notProvided } from './notProvided.js'

export interface EventsInput {
  roomId: string
  clientId: string
}

export interface EventsContext {
  roomId: string
  clientId: string
  /** Reconnect attempts since the stream was last open. */
  attempt: number
  closedReason: EventsClosedReason | null
  /** Events that did not match the v1 contract (ignored, counted for diagnostics). */
  invalidEvents: number
}

export type EventsEvent =
  | HubEvent
  | { type: 'stream.opened' }
  | { type: 'stream.error' }
  | { type: 'stream.invalid'; error: string }

export interface EventsDeps {
  hub: HubClient
  eventSource: EventSourceFactory
}

/** Back-off before reconnect attempt n (0-based): 0.5 s, 1 s, 2 s, then 4 s. The machine's `reconnectDelay` by default. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 4000)
}

/** Turns one SSE message into a machine event, or undefined for `ping`. */
export function toHubEvent(name: SseEventName, data: string): HubEvent | { type: 'stream.invalid'; error: string } | undefined {
  if (name === 'ping') return undefined
  if (name === ALLOWED_RENEGOTIATION_EVENT) return { type: 'hub.allowedRenegotiation' }
  const parsed = parseSseEvent(name, data)
  if (!parsed.ok) return { type: 'stream.invalid', error: parsed.error }
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
      return { type: 'hub.left', ...(reason ? { reason } : {}), ...(by ? { by: { clientId: by.client_id, name: by.name } } : {}) }
    }
    case PARLEY_MUTE_EVENT: {
      const { by } = parsed.data
      return { type: 'hub.muteRequested', ...(by ? { by: { clientId: by.client_id, name: by.name } } : {}) }
    }
    default:
      return undefined
  }
}

export function eventsActors({ hub, eventSource }: EventsDeps) {
  return {
    /** The EventSource lives exactly as long as this actor; cleanup closes it. */
    openStream: fromCallback<EventsEvent, EventsInput>(({ input, sendBack }) => {
      const source = eventSource(hub.eventsUrl(input.roomId, input.clientId))
      const listeners = SSE_EVENTS.map((name) => {
        const listener = (message: SseMessageLike) => {
          const event = toHubEvent(name, message.data)
          if (event) sendBack(event)
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

export const eventsMachine = setup({
  types: {
    context: {} as EventsContext,
    events: {} as EventsEvent,
    input: {} as EventsInput,
  },
  actors: {
    openStream: notProvided<EventsActors['openStream']>('openStream'),
    checkClient: notProvided<EventsActors['checkClient']>('checkClient'),
  },
  delays: {
    reconnectDelay: ({ context }) => reconnectDelayMs(context.attempt),
  },
  guards: {
    isClientKnown: (_, known: boolean) => known,
  },
  actions: {
    deliverHubEvent: enqueueActions(({ enqueue, system }, event: HubEvent) => {
      const recipient = HUB_EVENT_RECIPIENTS[event.type]
      if (!recipient) return enqueue.sendParent(event)
      // Delivered while its recipient runs: the negotiation lives exactly as long as this channel.
      const actor = system.get(recipient)
      if (actor) enqueue.sendTo(actor, event)
    }),
    resetAttempts: assign({ attempt: 0 }),
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    countInvalidEvent: assign({ invalidEvents: ({ context }) => context.invalidEvents + 1 }),
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
  context: ({ input }) => ({ roomId: input.roomId, clientId: input.clientId, attempt: 0, closedReason: null, invalidEvents: 0 }),
  initial: 'streaming',
  states: {
    streaming: {
      invoke: {
        id: 'stream',
        src: 'openStream',
        input: ({ context }) => ({ roomId: context.roomId, clientId: context.clientId }),
      },
      initial: 'connecting',
      on: {
        'stream.error': 'checking',
        'stream.invalid': { actions: 'countInvalidEvent' },
        'hub.left': { target: 'closed', actions: [{ type: 'deliverHubEvent', params: ({ event }) => event }, { type: 'storeClosedReason', params: 'left' }] },
        'hub.*': { actions: { type: 'deliverHubEvent', params: ({ event }) => event as HubEvent } },
      },
      states: {
        connecting: {
          tags: ['busy'],
          on: { 'stream.opened': 'open' },
        },
        open: {
          entry: ['resetAttempts', 'notifyOpen'],
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
          { guard: { type: 'isClientKnown', params: ({ event }) => event.output }, target: 'reconnecting' },
          { target: 'closed', actions: { type: 'storeClosedReason', params: 'client-gone' } },
        ],
        onError: 'reconnecting',
      },
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

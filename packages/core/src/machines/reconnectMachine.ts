// The full reconnect of a conference whose hub session is gone (the hub restarted, stopped for a
// restart, forgot us, or its events stream could not be restored): release the old client if the hub
// may still know it, then attempt after attempt (back-off on the clock) reopen the same room —
// re-creating it by id, with its name and options, when the hub no longer has it — and register again.
// The conference invokes it in its `reconnecting` state and, on success, enters the room again with a
// fresh negotiation (a new peer connection), events stream, media-state publication and roster.
// Bounded: MAX_RECONNECT_ATTEMPTS attempts within `reconnectDeadline`, then it gives up with the error
// of the last attempt. Delays are named so tests `.provide()` them.
import { assign, fromPromise, not, sendParent, setup } from 'xstate'
import { mediaStateMetaKey, type Room } from '@parley/protocol'
import type { ConferenceError, RoomInfo } from '../api.js'
import { toConferenceError } from '../errors.js'
import { HubError, type HubClient } from '../hubClient.js'
import type { ConferenceActors, RegisteredAs } from './conferenceActors.js'
import { notProvided } from './notProvided.js'

export interface ReconnectInput {
  room: RoomInfo
  displayName: string
  /** The client of the session being replaced, when the hub may still know it (released first). */
  staleClientId: string | null
  /** Ours when we created the room: registering again gets into the room even while it is locked. */
  hostKey?: string | null
  /** The room's pass the hub gave us (Parley's hub): the same for everyone who was in. */
  pass?: string | null
}

export interface ReconnectContext extends ReconnectInput {
  /** The attempt under way (1-based). */
  attempt: number
  /** Why the last attempt failed. */
  error: ConferenceError | null
  /** What the successful attempt got. */
  client: RegisteredAs | null
  /** The successful attempt re-created the room (the hub had lost it). */
  recreatedRoom: boolean
}

/** The room found again, and whether this reconnect re-created it (the hub had lost it). */
export interface ReopenedRoom {
  room: RoomInfo
  recreated: boolean
}

/** What the reconnect tells its parent: a new attempt starts (for "reconnecting… (attempt n)"). */
export type ReconnectParentEvent = { type: 'reconnect.attempt'; attempt: number }

/** The reconnect's result: the new session, or why it gave up. */
export type ReconnectOutput = { room: RoomInfo; recreatedRoom: boolean; client: RegisteredAs } | { error: ConferenceError }

/**
 * 20 attempts at the back-off (0, 0.5, 1, 2, then every 4 s) span about 70 s, so the deadline is what
 * bounds a reconnect: a hub that takes up to a minute to come back (a loaded machine, a service
 * manager's restart delay) is still found. With 10 the reconnect gave up after 28 s.
 */
export const MAX_RECONNECT_ATTEMPTS = 20
/** Overall bound of one reconnect, whatever the attempts (the default of the `reconnectDeadline` delay). */
export const RECONNECT_DEADLINE_MS = 60_000
/** How long the old client's release may take (a hub that is down fails it fast, a stalled one never answers). */
export const RELEASE_TIMEOUT_MS = 2_000

/** Back-off before attempt n (1-based): the first at once (the hub is usually back), then 0.5 s, 1 s, 2 s, 4 s… */
export function reconnectBackoffMs(attempt: number): number {
  return attempt <= 1 ? 0 : Math.min(250 * 2 ** (attempt - 1), 4000)
}

/** The room as the core keeps it (the hub's answer without its extra fields, e.g. a host key). */
const reopened = ({ id, name, options }: Room, recreated: boolean): ReopenedRoom => ({ room: { id, name, options }, recreated })

export function reconnectActors(hub: HubClient) {
  return {
    /** The same room again: by id, or re-created by id with its name and options when the hub lost it. */
    reopenRoom: fromPromise<ReopenedRoom, RoomInfo>(async ({ input, signal }) => {
      try {
        return reopened(await hub.getRoom(input.id, signal), false)
      } catch (error) {
        if (!(error instanceof HubError && error.kind === 'room-not-found')) throw error
        try {
          return reopened(await hub.createRoom({ id: input.id, name: input.name, ...(input.options ? { options: input.options } : {}) }, signal), true)
        } catch (createError) {
          // Another participant re-created it first: it is there now.
          if (!(createError instanceof HubError && createError.kind === 'conflict')) throw createError
          return reopened(await hub.getRoom(input.id, signal), false)
        }
      }
    }),
    /** Best effort: the old client and its media state go, so the others do not see it twice. */
    releaseClient: fromPromise<void, { roomId: string; clientId: string }>(async ({ input, signal }) => {
      await hub.deleteMeta(input.roomId, mediaStateMetaKey(input.clientId), signal).catch(() => undefined)
      // Given up on (the reconnect moved on or stopped): the old client must not be named again.
      if (signal.aborted) return
      await hub.leave(input.roomId, input.clientId, signal).catch(() => undefined)
    }),
  }
}

type ReconnectActors = ReturnType<typeof reconnectActors>

export const reconnectMachine = setup({
  types: {} as { context: ReconnectContext; input: ReconnectInput; output: ReconnectOutput },
  actors: {
    reopenRoom: notProvided<ReconnectActors['reopenRoom']>('reopenRoom'),
    releaseClient: notProvided<ReconnectActors['releaseClient']>('releaseClient'),
    registerClient: notProvided<ConferenceActors['registerClient']>('registerClient'),
  },
  delays: {
    retryBackoff: ({ context }) => reconnectBackoffMs(context.attempt),
    reconnectDeadline: RECONNECT_DEADLINE_MS,
    releaseTimeout: RELEASE_TIMEOUT_MS,
  },
  guards: {
    hasStaleClient: ({ context }) => context.staleClientId !== null,
    attemptsExhausted: ({ context }) => context.attempt >= MAX_RECONNECT_ATTEMPTS,
    /** The host locked the room and nothing of ours lets us in: no later attempt would (the person may ask to join). */
    lockedOut: (_, error: unknown) => error instanceof HubError && error.kind === 'room-locked',
  },
  actions: {
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    notifyAttempt: sendParent(({ context }): ReconnectParentEvent => ({ type: 'reconnect.attempt', attempt: context.attempt })),
    storeRoom: assign({ room: (_, reopened: ReopenedRoom) => reopened.room, recreatedRoom: (_, reopened: ReopenedRoom) => reopened.recreated }),
    storeClient: assign({ client: (_, client: RegisteredAs) => client }),
    storeError: assign({ error: (_, params: { error: unknown }) => toConferenceError(params.error) }),
    storeDeadlineError: assign({
      error: ({ context }): ConferenceError => context.error ?? { kind: 'hub-unreachable', message: 'no reconnect within the reconnect deadline' },
    }),
  },
}).createMachine({
  id: 'reconnect',
  context: ({ input }) => ({ ...input, attempt: 1, error: null, client: null, recreatedRoom: false }),
  initial: 'releasing',
  output: ({ context }) => (context.client ? { room: context.room, recreatedRoom: context.recreatedRoom, client: context.client } : { error: context.error ?? { kind: 'hub-unreachable', message: 'reconnect failed' } }),
  after: { reconnectDeadline: { target: '.gaveUp', actions: 'storeDeadlineError' } },
  states: {
    releasing: {
      always: { guard: not('hasStaleClient'), target: 'waiting' },
      invoke: {
        id: 'releaseClient',
        src: 'releaseClient',
        input: ({ context }) => ({ roomId: context.room.id, clientId: context.staleClientId ?? '' }),
        onDone: 'waiting',
      },
      after: { releaseTimeout: 'waiting' },
    },
    waiting: {
      entry: 'notifyAttempt',
      after: { retryBackoff: 'reopening' },
    },
    reopening: {
      invoke: {
        id: 'reopenRoom',
        src: 'reopenRoom',
        input: ({ context }) => context.room,
        onDone: { target: 'registering', actions: { type: 'storeRoom', params: ({ event }) => event.output } },
        onError: { target: 'retrying', actions: { type: 'storeError', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    registering: {
      invoke: {
        id: 'registerClient',
        src: 'registerClient',
        input: ({ context }) => ({ roomId: context.room.id, displayName: context.displayName, hostKey: context.hostKey ?? null, pass: context.pass ?? null }),
        onDone: { target: 'registered', actions: { type: 'storeClient', params: ({ event }) => event.output } },
        onError: [
          { guard: { type: 'lockedOut', params: ({ event }: { event: { error: unknown } }) => event.error }, target: 'gaveUp', actions: { type: 'storeError', params: ({ event }) => ({ error: event.error }) } },
          { target: 'retrying', actions: { type: 'storeError', params: ({ event }) => ({ error: event.error }) } },
        ],
      },
    },
    retrying: {
      always: [{ guard: 'attemptsExhausted', target: 'gaveUp' }, { target: 'waiting', actions: 'countAttempt' }],
    },
    registered: { type: 'final' },
    gaveUp: { type: 'final' },
  },
})

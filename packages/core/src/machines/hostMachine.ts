// Host controls in the room: the host's moderation (mute, remove) and what the host did to us (muted
// us). Who is host is decided when the room is opened: the creator is; with Parley's hub it also
// holds the room's host key, which makes moderation possible (`moderating`). Against the hosted hub
// there is no key: the creator is still host (the UI offers End room only to it) but cannot moderate
// (`observing`), like everyone else. A mute request from the hub turns our microphone off through
// the conference's own `user.setMicrophone`, so it is published like any toggle. The room's lock is
// everyone's to know (the hub tells every client when it changes, and a host let back into a locked
// room on its first events); only the moderating host may change it. So with the lobby of a locked room:
// everyone hears who waits (the hub's `parley_knocks`), only the moderating host answers. A host may make
// another client a host too (`user.grantHost`); that client's hub then gives it the key (`host.granted`), as it
// does by itself when the last host present leaves (`reason`: `host_left`).
import { assign, enqueueActions, sendParent, sendTo, setup } from 'xstate'
import type { HostFailure, KnockAnswered, WaitingPerson } from '../api.js'
import type { ModerationInput, ModerationJob, ModerationOutcome, HostActors } from './hostActors.js'
import { notProvided } from './notProvided.js'

export interface ActedBy {
  clientId: string
  name: string
}

export interface HostInput {
  roomId: string
  clientId: string
  /** The room's host key when this client created the room on Parley's hub (or claimed it: a co-host); never logged. */
  hostKey: string | null
  /** Our room pass (Parley's hub): what claims the host key when a host makes us one. Never logged. */
  pass: string | null
}

export interface HostContext extends HostInput {
  /** Who muted us last (absent when the hub did not say), and how often we were muted: a UI announces each. */
  mutedBy: ActedBy | null
  mutedCount: number
  /** The last moderation request the hub refused, for the UI to say so. */
  failure: HostFailure | null
  /** The room is locked to newcomers, as the hub last said (its `parley_room_locked`, to everyone, us included). */
  roomLocked: boolean
  roomLockedBy: ActedBy | null
  /** Our lock/unlock requests not yet answered. */
  lockRequests: number
  /** Who waits in the lobby, as the hub last said (oldest first). */
  waiting: WaitingPerson[]
  /** The last answer to someone waiting, and how many there were (a UI announces each). */
  lastAnswered: KnockAnswered | null
  answeredCount: number
  /** A host made us a host too (co-host), and how often (a UI says it once each). */
  madeHostBy: ActedBy | null
  madeHostCount: number
  /** Why the hub made us a host without anyone asking (`host_left`: the last host present, `madeHostBy`, left). */
  madeHostReason: string | null
  /** Who made us a host and why, while we claim the key (`claimingKey`). */
  grantedBy: ActedBy | null
  grantedReason: string | null
}

export type HostEvent =
  | { type: 'user.muteParticipant'; clientId: string }
  | { type: 'user.removeParticipant'; clientId: string }
  /** From the conference: everyone else whose microphone may be on (the roster's). */
  | { type: 'user.muteEveryone'; clientIds: string[] }
  | { type: 'hub.muteRequested'; by?: ActedBy }
  | { type: 'user.setRoomLocked'; locked: boolean }
  | { type: 'hub.roomLocked'; locked: boolean; by?: ActedBy }
  | { type: 'hub.knocks'; waiting: WaitingPerson[]; answered?: KnockAnswered }
  /** Let someone waiting in or not; `user.admitEveryone` lets in everyone waiting now. */
  | { type: 'user.answerKnock'; knockId: string; admit: boolean }
  | { type: 'user.admitEveryone' }
  /** Make another client a host too (co-host). */
  | { type: 'user.grantHost'; clientId: string }
  /** Parley's hub: a host made us one; we claim the key with our pass. */
  | { type: 'hub.hostGranted'; by?: ActedBy; reason?: string }
  | ModerationOutcome

export const hostMachine = setup({
  types: {} as { context: HostContext; events: HostEvent; input: HostInput },
  actors: {
    moderationRequests: notProvided<HostActors['moderationRequests']>('moderationRequests'),
    claimHostKey: notProvided<HostActors['claimHostKey']>('claimHostKey'),
  },
  guards: {
    holdsHostKey: ({ context }) => context.hostKey !== null,
  },
  actions: {
    request: sendTo('moderationRequests', (_, job: ModerationJob) => job),
    requestMutes: enqueueActions(({ enqueue }, clientIds: string[]) => {
      for (const clientId of clientIds) enqueue.sendTo('moderationRequests', { type: 'moderation.request', action: 'mute', clientId } satisfies ModerationJob)
    }),
    answerEveryone: enqueueActions(({ context, enqueue }) => {
      for (const { knockId } of context.waiting) enqueue.sendTo('moderationRequests', { type: 'moderation.request', action: 'admit', knockId, admit: true } satisfies ModerationJob)
    }),
    storeKnocks: assign(({ context }, knocks: { waiting: WaitingPerson[]; answered?: KnockAnswered }) => ({
      waiting: knocks.waiting,
      ...(knocks.answered ? { lastAnswered: knocks.answered, answeredCount: context.answeredCount + 1 } : {}),
    })),
    storeGrant: assign(({ context }, key: string) => ({ hostKey: key, madeHostBy: context.grantedBy, madeHostReason: context.grantedReason, madeHostCount: context.madeHostCount + 1 })),
    tellKeyClaimed: sendParent((_, key: string) => ({ type: 'host.keyClaimed', key })),
    storeFailure: assign({ failure: (_, failure: HostContext['failure']) => failure }),
    clearFailure: assign({ failure: null }),
    obeyMute: assign({
      mutedBy: (_, by: ActedBy | undefined) => by ?? null,
      mutedCount: ({ context }) => context.mutedCount + 1,
    }),
    storeLock: assign((_, change: { locked: boolean; by?: ActedBy }) => ({ roomLocked: change.locked, roomLockedBy: change.by ?? null })),
    countLockRequest: assign(({ context }, delta: number) => ({ lockRequests: context.lockRequests + delta })),
    turnMicrophoneOff: sendParent({ type: 'user.setMicrophone', enabled: false }),
    // A UI reads this child's context through the conference's snapshot: that must move too.
    notifyParent: sendParent({ type: 'extras.changed' }),
  },
}).createMachine({
  id: 'host',
  context: ({ input }) => ({ ...input, mutedBy: null, mutedCount: 0, failure: null, roomLocked: false, roomLockedBy: null, lockRequests: 0, waiting: [], lastAnswered: null, answeredCount: 0, madeHostBy: null, madeHostCount: 0, madeHostReason: null, grantedBy: null, grantedReason: null }),
  initial: 'deciding',
  on: {
    // Anyone may be muted by the host, the host included.
    'hub.muteRequested': { actions: [{ type: 'obeyMute', params: ({ event }) => event.by }, 'turnMicrophoneOff', 'notifyParent'] },
    'hub.roomLocked': { actions: [{ type: 'storeLock', params: ({ event }) => event }, 'notifyParent'] },
    'hub.knocks': { actions: [{ type: 'storeKnocks', params: ({ event }) => event }, 'notifyParent'] },
  },
  states: {
    deciding: {
      always: [{ guard: 'holdsHostKey', target: 'moderating' }, { target: 'observing' }],
    },
    moderating: {
      invoke: {
        id: 'moderationRequests',
        src: 'moderationRequests',
        input: ({ context }): ModerationInput => ({ roomId: context.roomId, host: { key: context.hostKey ?? '', clientId: context.clientId } }),
      },
      on: {
        'user.muteParticipant': { actions: { type: 'request', params: ({ event }) => ({ type: 'moderation.request', action: 'mute', clientId: event.clientId }) } },
        'user.removeParticipant': { actions: { type: 'request', params: ({ event }) => ({ type: 'moderation.request', action: 'remove', clientId: event.clientId }) } },
        'user.muteEveryone': { actions: { type: 'requestMutes', params: ({ event }) => event.clientIds } },
        // The person leaves the list when the hub says so (to everyone), not when our request leaves.
        'user.answerKnock': { actions: { type: 'request', params: ({ event }) => ({ type: 'moderation.request', action: 'admit', knockId: event.knockId, admit: event.admit }) } },
        'user.admitEveryone': { actions: 'answerEveryone' },
        'user.grantHost': { actions: { type: 'request', params: ({ event }) => ({ type: 'moderation.request', action: 'grant', clientId: event.clientId }) } },
        'user.setRoomLocked': {
          actions: [{ type: 'request', params: ({ event }) => ({ type: 'moderation.request', action: 'lock', locked: event.locked }) }, { type: 'countLockRequest', params: 1 }, 'notifyParent'],
        },
        // A lock's outcome only ends its wait: the lock itself comes with the hub's event, to us as to everyone.
        'moderation.done': { actions: ['clearFailure', { type: 'countLockRequest', params: ({ event }) => (event.action === 'lock' ? -1 : 0) }, 'notifyParent'] },
        'moderation.failed': {
          actions: [
            { type: 'storeFailure', params: ({ event: { type: _, ...failure } }) => failure as HostFailure },
            { type: 'countLockRequest', params: ({ event }) => (event.action === 'lock' ? -1 : 0) },
            'notifyParent',
          ],
        },
      },
    },
    // Not the host, or the hub has no host controls (the hosted hub): moderation requests are ignored, until a
    // host makes us one (Parley's hub gives us the key).
    observing: {
      on: { 'hub.hostGranted': { target: 'claimingKey', actions: assign(({ event }) => ({ grantedBy: event.by ?? null, grantedReason: event.reason ?? null })) } },
    },
    // A host made us one (Parley's hub): we claim the room's key with our room pass (it never comes on the
    // events stream, which anyone knowing our client id could replay). Claimed, we moderate with it and the
    // conference keeps it (and publishes us as host); a claim the hub refuses leaves us as we were.
    claimingKey: {
      invoke: {
        id: 'claimHostKey',
        src: 'claimHostKey',
        input: ({ context }) => ({ roomId: context.roomId, pass: context.pass ?? '' }),
        onDone: {
          target: 'moderating',
          actions: [
            { type: 'storeGrant', params: ({ event }) => event.output },
            { type: 'tellKeyClaimed', params: ({ event }) => event.output },
            'notifyParent',
          ],
        },
        onError: 'observing',
      },
    },
  },
})

export type HostMachine = typeof hostMachine

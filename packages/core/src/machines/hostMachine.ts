// Host controls in the room: the host's moderation (mute, remove) and what the host did to us (muted
// us). Who is host is decided when the room is opened: the creator is; with Parley's hub it also
// holds the room's host key, which makes moderation possible (`moderating`). Against the hosted hub
// there is no key: the creator is still host (the UI offers End room only to it) but cannot moderate
// (`observing`), like everyone else. A mute request from the hub turns our microphone off through
// the conference's own `user.setMicrophone`, so it is published like any toggle.
import { assign, enqueueActions, sendParent, sendTo, setup } from 'xstate'
import type { ModerationAction, ModerationInput, ModerationJob, ModerationOutcome, HostActors } from './hostActors.js'
import { notProvided } from './notProvided.js'

export interface ActedBy {
  clientId: string
  name: string
}

export interface HostInput {
  roomId: string
  clientId: string
  /** The room's host key when this client created the room on Parley's hub; never logged. */
  hostKey: string | null
}

export interface HostContext extends HostInput {
  /** Who muted us last (absent when the hub did not say), and how often we were muted: a UI announces each. */
  mutedBy: ActedBy | null
  mutedCount: number
  /** The last moderation request the hub refused, for the UI to say so. */
  failure: { action: ModerationAction; clientId: string; message: string } | null
}

export type HostEvent =
  | { type: 'user.muteParticipant'; clientId: string }
  | { type: 'user.removeParticipant'; clientId: string }
  /** From the conference: everyone else whose microphone may be on (the roster's). */
  | { type: 'user.muteEveryone'; clientIds: string[] }
  | { type: 'hub.muteRequested'; by?: ActedBy }
  | ModerationOutcome

export const hostMachine = setup({
  types: {} as { context: HostContext; events: HostEvent; input: HostInput },
  actors: {
    moderationRequests: notProvided<HostActors['moderationRequests']>('moderationRequests'),
  },
  guards: {
    holdsHostKey: ({ context }) => context.hostKey !== null,
  },
  actions: {
    request: sendTo('moderationRequests', (_, job: ModerationJob) => job),
    requestMutes: enqueueActions(({ enqueue }, clientIds: string[]) => {
      for (const clientId of clientIds) enqueue.sendTo('moderationRequests', { type: 'moderation.request', action: 'mute', clientId } satisfies ModerationJob)
    }),
    storeFailure: assign({ failure: (_, failure: HostContext['failure']) => failure }),
    clearFailure: assign({ failure: null }),
    obeyMute: assign({
      mutedBy: (_, by: ActedBy | undefined) => by ?? null,
      mutedCount: ({ context }) => context.mutedCount + 1,
    }),
    turnMicrophoneOff: sendParent({ type: 'user.setMicrophone', enabled: false }),
    // A UI reads this child's context through the conference's snapshot: that must move too.
    notifyParent: sendParent({ type: 'extras.changed' }),
  },
}).createMachine({
  id: 'host',
  context: ({ input }) => ({ ...input, mutedBy: null, mutedCount: 0, failure: null }),
  initial: 'deciding',
  on: {
    // Anyone may be muted by the host, the host included.
    'hub.muteRequested': { actions: [{ type: 'obeyMute', params: ({ event }) => event.by }, 'turnMicrophoneOff', 'notifyParent'] },
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
        'moderation.done': { actions: ['clearFailure', 'notifyParent'] },
        'moderation.failed': {
          actions: [{ type: 'storeFailure', params: ({ event }) => ({ action: event.action, clientId: event.clientId, message: event.message }) }, 'notifyParent'],
        },
      },
    },
    // Not the host, or the hub has no host controls (the hosted hub): moderation requests are ignored.
    observing: {},
  },
})

export type HostMachine = typeof hostMachine

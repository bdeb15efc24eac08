// The conference's `inRoom` state: regions side by side — negotiation and events (child machines),
// answer (a hub offer being answered), connection (the word the UI shows), media (our microphone/camera state), host, chat, screen share,
// participants (the roster), room (its details when joined by id), stats and presence. Typed by the conference's setup (conferenceSetup.ts).
import { raise, sendTo } from 'xstate'
import { mediaStateChanged, trackEnded, trackLive, connectionProblemChanged, videoPausedChanged, unmutedOthers } from '../roster.js'
import { type ChatInput } from './chatMachine.js'
import { type HostInput } from './hostMachine.js'
import { type NegotiationEvent } from './negotiationTypes.js'
import { presenceChanged } from '../presence.js'
import { session, endedReasonOfLeft, passFor } from './conferenceTypes.js'
import { conferenceSetup } from './conferenceSetup.js'

export const inRoomState = conferenceSetup.createStateConfig({
  type: 'parallel',
  exit: 'clearStats',
  on: {
    'user.endRoom': { guard: 'isHost', target: 'endingRoom' },
    'extras.changed': { actions: 'bumpExtras' },
    'tabs.takenOver': 'handingOver',
    'negotiation.failed': [
      { guard: 'mayRecoverNegotiation', target: 'reconnecting', actions: ['countNegotiationRecovery', 'startReconnect'] },
      { target: 'failed', actions: { type: 'storeNegotiationError', params: ({ event }) => event.message } },
    ],
    // Gone without our asking (the stream lost, the hub forgot us, restarts or timed us out): reconnect.
    // (A stream closed by `left` never gets here: the `hub.left` before it already left inRoom.)
    'events.closed': {
      target: 'reconnecting',
      actions: { type: 'startReconnect', params: ({ event }) => ({ hubForgotUs: event.reason === 'client-gone' }) },
    },
    'hub.left': [
      {
        guard: { type: 'isHubRestart', params: ({ event }) => event.reason },
        target: 'reconnecting',
        actions: { type: 'startReconnect', params: ({ event }) => ({ hubForgotUs: true, cause: event.reason === 'shutdown' ? endedReasonOfLeft(event) : undefined }) },
      },
      {
        target: 'ended',
        actions: { type: 'storeEndedReason', params: ({ event }) => ({ reason: endedReasonOfLeft(event), by: event.by }) },
      },
    ],
    'events.invalid': [
      {
        guard: { type: 'isInvalidOffer', params: ({ event }) => event.event },
        target: 'reconnecting',
        actions: [{ type: 'reportInvalidEvent', params: ({ event }) => event }, 'startReconnect'],
      },
      { actions: { type: 'reportInvalidEvent', params: ({ event }) => event } },
    ],
  },
  states: {
    negotiation: {
      // The hub's signaling events reach it by its systemId (events.ts), not through here.
      invoke: { id: 'negotiation', systemId: 'negotiation', src: 'negotiation', input: session },
      // Our candidates may name an address that is gone: the negotiation restarts ICE at once.
      on: { 'network.changed': { actions: sendTo('negotiation', { type: 'network.changed' } satisfies NegotiationEvent) } },
    },
    answer: {
      // From a hub offer until our answer has left (its PUT on its way): a UI that renders now holds the answer back (view.ts answeringOffer).
      initial: 'idle',
      states: {
        idle: { on: { 'negotiation.answering': 'answering' } },
        answering: { tags: ['answering'], on: { 'negotiation.answered': 'idle' }, after: { settleLimit: 'idle' } },
      },
    },
    connection: {
      initial: 'connecting',
      states: {
        connecting: {
          tags: ['busy'],
          on: { 'negotiation.connected': { target: 'connected.settling', actions: 'resetNegotiationRecoveries' } },
          // Media never connected (ICE stuck, the hub's media unreachable): handled as a failed negotiation.
          after: { connectDeadline: { actions: raise({ type: 'negotiation.failed', message: 'media did not connect within the join deadline' }) } },
        },
        connected: {
          on: { 'negotiation.reconnecting': 'reconnecting', 'events.reconnecting': 'reconnecting' },
          // Joining, ICE is up and our first answer to the hub's offer is still due (`settling`): still 'joining'
          // (view.ts statusOf), and `answering` (an answer of ours is due: a UI that renders now delays it, and the
          // media); at most settleLimit.
          initial: 'settled',
          states: {
            settling: {
              tags: ['busy', 'answering'],
              always: { guard: 'noOfferDue', target: 'settled' },
              on: { 'negotiation.answered': 'settled' },
              after: { settleLimit: 'settled' },
            },
            settled: {},
          },
        },
        reconnecting: {
          tags: ['busy'],
          on: { 'negotiation.connected': { target: 'connected', actions: 'resetNegotiationRecoveries' }, 'events.open': 'connected' },
        },
      },
    },
    events: {
      invoke: { id: 'events', src: 'events', input: session },
    },
    media: {
      // Our microphone/camera state, published as room metadata; a newer toggle restarts the publish.
      // The toggles are handled by the children, so the transition domain is this region: a
      // handler on the region node itself would re-enter the whole parallel inRoom state.
      initial: 'publishing',
      states: {
        publishing: {
          on: {
            'user.setMicrophone': { target: 'publishing', reenter: true, actions: { type: 'setMicrophone', params: ({ event }) => event.enabled } },
            'user.setCamera': { target: 'publishing', reenter: true, actions: { type: 'setCamera', params: ({ event }) => event.enabled } },
            // Made a host (the key claimed): published as one (the others show the badge).
            'host.keyClaimed': { target: 'publishing', reenter: true },
          },
          invoke: {
            id: 'publishMediaState',
            src: 'publishMediaState',
            input: ({ context }) => ({ ...session({ context }), local: context.local, name: context.displayName ?? '', host: context.host.created || context.host.key !== null }),
            onDone: 'published',
            onError: 'published',
          },
        },
        published: {
          on: {
            'user.setMicrophone': { target: 'publishing', actions: { type: 'setMicrophone', params: ({ event }) => event.enabled } },
            'user.setCamera': { target: 'publishing', actions: { type: 'setCamera', params: ({ event }) => event.enabled } },
            'host.keyClaimed': { target: 'publishing' },
          },
        },
      },
    },
    host: {
      // Host controls (hostMachine.ts): our moderation of others, and the hub's mute requests to us.
      invoke: {
        id: 'host',
        systemId: 'host',
        src: 'host',
        input: ({ context }): HostInput => ({ ...session({ context }), hostKey: context.host.key, pass: passFor(context, context.room?.id ?? '') }),
      },
      on: {
        'user.muteParticipant': { actions: sendTo('host', ({ event }) => event) },
        'user.removeParticipant': { actions: sendTo('host', ({ event }) => event) },
        'user.setRoomLocked': { actions: sendTo('host', ({ event }) => event) },
        'user.answerKnock': { actions: sendTo('host', ({ event }) => event) },
        'user.admitEveryone': { actions: sendTo('host', ({ event }) => event) },
        'user.grantHost': { actions: sendTo('host', ({ event }) => event) },
        // Everyone else whose microphone may be on, as the roster says now.
        'user.muteEveryone': { actions: sendTo('host', ({ context }) => ({ type: 'user.muteEveryone', clientIds: unmutedOthers(context.roster, context.clientId) })) },
        // A host made us one (Parley's hub) and the host machine claimed the room's key with our pass: the key is
        // ours (our reconnects and the page's next load keep it); the media region publishes us as host.
        'host.keyClaimed': { actions: [{ type: 'storeGrantedHostKey', params: ({ event }) => event.key }, 'tellCredentials'] },
      },
    },
    chat: {
      // The room's chat (chatMachine.ts) over its data channel.
      invoke: {
        id: 'chat',
        systemId: 'chat',
        src: 'chat',
        input: ({ context }): ChatInput => ({ ...session({ context }), name: context.displayName ?? '', roomCreator: context.roomIsNew }),
      },
      on: {
        'user.sendChat': { actions: sendTo('chat', ({ event }) => event) },
        'user.readChat': { actions: sendTo('chat', ({ event }) => event) },
      },
    },
    screenShare: {
      // Our screen share (screenShareMachine.ts); UIs address it by its systemId.
      invoke: { id: 'screenShare', systemId: 'screenShare', src: 'screenShare' },
      // The share stops with the room session (its actor's cleanup stops the capture).
      exit: { type: 'storeScreenStream', params: null },
      on: {
        'screen.published': { actions: { type: 'storeScreenStream', params: ({ event }) => event.streamId } },
        'screen.unpublished': { actions: { type: 'storeScreenStream', params: null } },
      },
    },
    participants: {
      // The roster (roster.ts): the hub's announcements and media states, the tracks as they arrive.
      invoke: [
        { id: 'watchRemoteTracks', src: 'watchRemoteTracks' },
        { id: 'hubRequests', src: 'hubRequests', input: session },
      ],
      on: {
        'hub.tracksAdded': { actions: { type: 'sendTrackSources', params: ({ event }) => event.tracks } },
        'hub.tracksAvailable': { actions: { type: 'announceTracks', params: ({ event }) => event.tracks } },
        'hub.metaChanged': { actions: { type: 'updateRoster', params: ({ context, event }) => mediaStateChanged(context.roster, event, context.clientId) } },
        'hub.connectionProblem': {
          actions: { type: 'updateRoster', params: ({ context, event }) => connectionProblemChanged(context.roster, event, context.clientId) },
        },
        'hub.videoPaused': { actions: { type: 'updateRoster', params: ({ context, event }) => videoPausedChanged(context.roster, event) } },
        'peer.track': {
          actions: { type: 'updateRoster', params: ({ context, event }) => trackLive(context.roster, { trackId: event.trackId, streamId: event.streamId, kind: event.kind }) },
        },
        'peer.trackEnded': { actions: { type: 'updateRoster', params: ({ context, event }) => trackEnded(context.roster, event) } },
      },
    },
    room: {
      // Joined by id, the room was not looked up before register (it would hold the media): its name and
      // options come now, beside everything else. A lookup that fails changes nothing (the invite's name stays).
      initial: 'lookingUp',
      states: {
        lookingUp: {
          always: { guard: 'roomDetailsKnown', target: 'known' },
          invoke: {
            id: 'lookUpRoom',
            src: 'lookUpRoom',
            input: ({ context }) => ({ roomId: context.room?.id ?? '' }),
            onDone: { target: 'known', actions: { type: 'storeRoomDetails', params: ({ event }) => event.output } },
            onError: 'known',
          },
        },
        known: {},
      },
    },
    stats: {
      // Audio levels, who speaks, quality and paused video from getStats (statsMachine.ts).
      invoke: { id: 'stats', systemId: 'stats', src: 'stats' },
      on: { 'stats.updated': { actions: { type: 'storeStats', params: ({ event }) => event.summary } } },
    },
    presence: {
      // Raised hands and reactions as room metadata (presence.ts); ours are known at once.
      invoke: { id: 'presenceRequests', src: 'presenceRequests', input: session },
      on: {
        'user.setHand': { actions: { type: 'setOwnHand', params: ({ event }) => event.raised } },
        'user.react': { actions: { type: 'react', params: ({ event }) => event.emoji } },
        'hub.metaChanged': { actions: { type: 'updatePresence', params: ({ context, event }) => presenceChanged(context.presence, event, context.clientId) } },
      },
    },
  },
})

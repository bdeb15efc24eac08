// Device choice: the cameras and microphones to choose from (listed again on `devicechange` and once
// permission gives them labels), the chosen one per kind, and switching. A switch opens the new device
// first (`switching`), swaps it into the local stream and stops the old one; in the room the peer
// session (systemId `peerSession`) puts it on its sender with `replaceTrack`, so nothing is
// renegotiated and the others keep our tile. A device that fails to open leaves the old one in use and
// a notice in context. The device in use going away (its track `ended`: unplugged) falls back to
// another one of its kind and says so. The tracks are watched in `idle` only (`watchTracks`): a track
// that ends during a switch is found when the watch begins again, once the switch settles, if it is
// still in use (the new one, a failed switch's old one, the other kind's; the old one a switch replaced
// is not). Lives as long as the conference (preview, room and reconnects).
import { assign, enqueueActions, sendParent, setup } from 'xstate'
import type { ConferenceError, DeviceKind, DeviceNotice, DeviceOption } from '../api.js'
import { toConferenceError } from '../errors.js'
import type { DeviceLists, DevicesActors, DevicesWatchEvent, SwitchInput, SwitchOutput } from './devicesActors.js'
import { trackKindOf } from './devicesActors.js'
import type { PeerSessionCommand } from './negotiationTypes.js'
import { notProvided } from './notProvided.js'

export interface DevicesContext {
  audioinput: DeviceOption[]
  /** Speakers: listed for the UI, which routes its own audio (the core plays nothing). */
  audiooutput: DeviceOption[]
  videoinput: DeviceOption[]
  /** The chosen device per kind; absent: the browser's default. */
  selected: Partial<Record<DeviceKind, string>>
  /** The switch under way (state `switching`) and whether it replaces a device that went away. */
  request: (SwitchInput & { fallback: boolean }) | null
  notice: DeviceNotice | null
}

export type DevicesEvent = { type: 'user.selectDevice'; kind: DeviceKind; deviceId: string } | { type: 'user.reopenDevice'; kind: DeviceKind } | DevicesWatchEvent

/** What the devices machine tells its parent (the conference): the choice, so a new preview or join opens it. */
export type DevicesParentEvent = { type: 'devices.selected'; selected: Partial<Record<DeviceKind, string>> }

export const devicesMachine = setup({
  types: {} as { context: DevicesContext; events: DevicesEvent },
  actors: {
    watchDevices: notProvided<DevicesActors['watchDevices']>('watchDevices'),
    watchTracks: notProvided<DevicesActors['watchTracks']>('watchTracks'),
    switchDevice: notProvided<DevicesActors['switchDevice']>('switchDevice'),
  },
  guards: {
    /** Choosing the device already chosen changes nothing. */
    isNewChoice: ({ context }, choice: { kind: DeviceKind; deviceId: string }) => context.selected[choice.kind] !== choice.deviceId,
  },
  actions: {
    storeLists: assign((_, lists: DeviceLists) => ({ audioinput: lists.audioinput, videoinput: lists.videoinput, audiooutput: lists.audiooutput })),
    storeRequest: assign({ request: (_, request: SwitchInput & { fallback: boolean }) => request, notice: null }),
    /** The device opened (or was remembered): it is the choice now; the parent and, in the room, the sender learn it. */
    useDevice: enqueueActions(({ context, enqueue, system }, output: SwitchOutput) => {
      // A reopen of the browser's default device ('') leaves the choice as it was (none).
      const selected = output.deviceId ? { ...context.selected, [output.kind]: output.deviceId } : context.selected
      enqueue.assign({
        selected,
        notice: context.request?.fallback ? { kind: 'fallback', device: output.kind, label: output.label } : null,
        request: null,
      })
      enqueue(sendParent({ type: 'devices.selected', selected } satisfies DevicesParentEvent))
      const peerSession = system.get('peerSession')
      const command: PeerSessionCommand = { type: 'session.replaceTrack', kind: trackKindOf(output.kind) }
      if (output.opened && peerSession) enqueue.sendTo(peerSession, command)
    }),
    storeFailure: assign(({ context }, error: ConferenceError) => {
      const device = context.request?.kind ?? 'audioinput'
      const notice: DeviceNotice = context.request?.fallback ? { kind: 'lost', device, error } : { kind: 'failed', device, error }
      return { notice, request: null }
    }),
  },
}).createMachine({
  id: 'devices',
  context: { audioinput: [], videoinput: [], audiooutput: [], selected: {}, request: null, notice: null },
  type: 'parallel',
  states: {
    lists: {
      invoke: { id: 'watchDevices', src: 'watchDevices' },
      on: { 'devices.listed': { actions: { type: 'storeLists', params: ({ event }) => event.lists } } },
    },
    selection: {
      initial: 'idle',
      states: {
        idle: {
          invoke: { id: 'watchTracks', src: 'watchTracks' },
          on: {
            'user.selectDevice': {
              guard: { type: 'isNewChoice', params: ({ event }) => event },
              target: 'switching',
              actions: { type: 'storeRequest', params: ({ event }) => ({ kind: event.kind, deviceId: event.deviceId, fallback: false }) },
            },
            // The chosen device opened afresh (the app's camera processing changed: the port's getUserMedia
            // now gives another track), put in place the way a switch is; '' is the browser's default.
            'user.reopenDevice': {
              target: 'switching',
              actions: { type: 'storeRequest', params: ({ context, event }) => ({ kind: event.kind, deviceId: context.selected[event.kind] ?? '', fallback: false }) },
            },
            'devices.trackEnded': {
              target: 'switching',
              actions: { type: 'storeRequest', params: ({ context, event }) => ({ kind: event.kind, avoid: context.selected[event.kind] ?? '', fallback: true }) },
            },
          },
        },
        switching: {
          // A newer choice waits for this one (the device is being opened); the person picks again after.
          invoke: {
            id: 'switchDevice',
            src: 'switchDevice',
            input: ({ context }): SwitchInput => {
              const { fallback: _fallback, ...request } = context.request ?? { kind: 'audioinput', fallback: false }
              return request
            },
            onDone: { target: 'idle', actions: { type: 'useDevice', params: ({ event }) => event.output } },
            onError: { target: 'idle', actions: { type: 'storeFailure', params: ({ event }) => toConferenceError(event.error) } },
          },
        },
      },
    },
  },
})

export type DevicesMachine = typeof devicesMachine

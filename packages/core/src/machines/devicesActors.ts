// The devices machine's I/O: listing cameras and microphones (again on `devicechange` and whenever the
// local stream changes, since labels appear once permission is granted), watching the local tracks'
// `ended` (a device unplugged) between switches and opening a chosen device into the local stream.
// Bound to one conference's media-devices port and local media holder.
import { fromCallback, fromPromise } from 'xstate'
import type { DeviceKind, DeviceOption } from '../api.js'
import type { LocalMedia } from '../localMedia.js'
import { classifyMediaError } from '../media.js'
import type { MediaDeviceInfoLike, MediaDevicesLike, MediaStreamTrackLike } from '../ports.js'

export interface DevicesDeps {
  devices: MediaDevicesLike
  local: LocalMedia
}

export type DeviceLists = Record<DeviceKind | 'audiooutput', DeviceOption[]>

/** What the watch reports to the devices machine. */
export type DevicesWatchEvent = { type: 'devices.listed'; lists: DeviceLists } | { type: 'devices.trackEnded'; kind: DeviceKind }

/** What the switch asks for: a device by id, or (a fallback) any other device of the kind than `avoid`. */
export interface SwitchInput {
  kind: DeviceKind
  deviceId?: string
  avoid?: string
}

/** The device now in use ('' when the browser chose), and its label. `opened` is false when it was only remembered. */
export interface SwitchOutput {
  kind: DeviceKind
  deviceId: string
  label: string
  opened: boolean
}

export const trackKindOf = (kind: DeviceKind): 'audio' | 'video' => (kind === 'audioinput' ? 'audio' : 'video')
const deviceKindOf = (trackKind: string): DeviceKind | undefined => (trackKind === 'audio' ? 'audioinput' : trackKind === 'video' ? 'videoinput' : undefined)
const deviceName = (kind: DeviceKind) => (kind === 'audioinput' ? 'microphone' : 'camera')

export function listsOf(infos: MediaDeviceInfoLike[]): DeviceLists {
  const of = (kind: DeviceKind | 'audiooutput') => infos.filter((info) => info.kind === kind && info.deviceId !== '').map(({ deviceId, label }) => ({ deviceId, label }))
  return { audioinput: of('audioinput'), videoinput: of('videoinput'), audiooutput: of('audiooutput') }
}

export function devicesActors({ devices, local }: DevicesDeps) {
  // The tracks whose end was reported: once each, across the watches (one per stay in `idle`).
  const reported = new WeakSet<MediaStreamTrackLike>()
  return {
    watchDevices: fromCallback(({ sendBack }) => {
      let stopped = false
      // Only a list that changed is reported (the machine starts with empty ones), so a re-listing after
      // every local stream change costs nothing when nothing was plugged in or out.
      let last = JSON.stringify(listsOf([]))
      const list = () => {
        devices.enumerateDevices().then(
          (infos) => {
            const lists = listsOf(infos)
            const key = JSON.stringify(lists)
            if (stopped || key === last) return
            last = key
            sendBack({ type: 'devices.listed', lists } satisfies DevicesWatchEvent)
          },
          // No list (no permission yet, no devices port): the selects stay empty until the next change.
          () => undefined,
        )
      }
      const stopDeviceChanges = devices.onDeviceChange?.(list)
      const stopLocal = local.subscribe(list)
      list()
      return () => {
        stopped = true
        stopDeviceChanges?.()
        stopLocal()
      }
    }),
    /**
     * The tracks in use, watched while no switch is under way (state `idle`): one that ends is reported, and
     * so is one found ended when the watch begins (its device gone while it opened, or during a switch: the
     * new track, a failed switch's old one, the other kind's), so an end is never missed and heard after the
     * switch settles. A track a switch replaced is no longer in use: nothing is reported of it.
     */
    watchTracks: fromCallback(({ sendBack }) => {
      let watched: { track: MediaStreamTrackLike; ended: () => void }[] = []
      const unwatch = () => {
        for (const { track, ended } of watched) track.removeEventListener('ended', ended)
      }
      const watch = () => {
        unwatch()
        watched = local.tracks.flatMap((track) => {
          const kind = deviceKindOf(track.kind)
          if (!kind) return []
          // Only a track still in use counts: ours are stopped after leaving the stream (release, a switch),
          // and some stacks fire `ended` on stop().
          const ended = () => {
            if (reported.has(track) || !local.tracks.includes(track)) return
            reported.add(track)
            sendBack({ type: 'devices.trackEnded', kind } satisfies DevicesWatchEvent)
          }
          track.addEventListener('ended', ended)
          if (track.readyState === 'ended') ended()
          return [{ track, ended }]
        })
      }
      const stopLocal = local.subscribe(watch)
      watch()
      return () => {
        stopLocal()
        unwatch()
      }
    }),
    switchDevice: fromPromise<SwitchOutput, SwitchInput>(async ({ input, signal }) => {
      const trackKind = trackKindOf(input.kind)
      let deviceId = input.deviceId
      let label = ''
      if (deviceId === undefined) {
        const others = listsOf(await devices.enumerateDevices())[input.kind].filter((option) => option.deviceId !== input.avoid && option.deviceId !== 'default')
        const other = others[0]
        if (!other) throw classifyMediaError(Object.assign(new Error(`no other ${deviceName(input.kind)} is connected`), { name: 'NotFoundError' }), deviceName(input.kind))
        deviceId = other.deviceId
        label = other.label
      }
      // Nothing of this kind is open (before a preview, or the device is off): the choice is only remembered.
      if (!local.stream || !local.tracks.some((track) => track.kind === trackKind)) return { kind: input.kind, deviceId, label, opened: false }
      const constraint = deviceId ? { deviceId: { exact: deviceId } } : true
      const stream = await devices
        .getUserMedia({ audio: trackKind === 'audio' ? constraint : false, video: trackKind === 'video' ? constraint : false })
        .catch((error: unknown) => {
          throw classifyMediaError(error, deviceName(input.kind))
        })
      const track = stream.getTracks().find((candidate) => candidate.kind === trackKind)
      for (const other of stream.getTracks()) if (other !== track) other.stop()
      if (!track) throw classifyMediaError(new Error('the device gave no track'), deviceName(input.kind))
      if (signal.aborted || !local.replaceTrack(track)) {
        track.stop()
        throw classifyMediaError(new Error(signal.aborted ? 'the switch was cancelled' : 'the local stream cannot change its tracks'), deviceName(input.kind))
      }
      if (!label && deviceId) label = listsOf(await devices.enumerateDevices().catch(() => []))[input.kind].find((option) => option.deviceId === deviceId)?.label ?? ''
      return { kind: input.kind, deviceId, label, opened: true }
    }),
  }
}

export type DevicesActors = ReturnType<typeof devicesActors>

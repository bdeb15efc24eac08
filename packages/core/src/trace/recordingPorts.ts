// Recording decorators of the ports: each wraps one port, records what crosses it and passes it on
// unchanged. Listeners the recorder adds run before the core's, so an input is recorded before the
// machines react to it (replay relies on that order). They run from a call's first step, so they
// are in an app's first load: they record what they see as it is (capture.ts), and what only
// the exported file needs (redaction, plain data) is finish.ts.
import type {
  ClockLike,
  DataChannelLike,
  MediaDeviceInfoLike,
  MediaDevicesLike,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionEventMap,
  PeerConnectionLike,
  Ports,
  RtpSenderLike,
  SendEncodingLike,
  SessionDescriptionLike,
  TrackEventLike,
} from '../ports.js'
import { sampleOfReport } from '../stats/report.js'
import type { TraceEntryKind } from './format.js'

/**
 * A record as the decorators make it: its kind, then its fields in the order `RECORD_FIELDS`
 * (finish.ts) names them for that kind (an undefined field is left out of the entry; an error is
 * kept as it was thrown). Positional, so the decorators in an app's first load spell no field names.
 */
export type RawRecord = readonly [kind: TraceEntryKind, ...fields: unknown[]]

/** Where the decorators put what they record: the capture's ring (capture.ts). */
export type RecordSink = (record: RawRecord) => void

const trackOf = (track: MediaStreamTrackLike) => ({ id: track.id, kind: track.kind })

/**
 * `target` with the methods `overrides` names replaced (only those `target` has: an optional member
 * stays absent), everything else read from `target` itself (getters; methods bound to it).
 */
function decorate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(real, key) {
      const value: unknown = Reflect.get(real, key)
      if (typeof value !== 'function') return value
      return (overrides as Record<PropertyKey, unknown>)[key] ?? (value as (...args: unknown[]) => unknown).bind(real)
    },
  })
}

/** A promise whose answer is an input of its own, recorded where it arrives (before the caller hears it). */
function answer<T>(promise: Promise<T>, done: (value: T) => void, failed: (error: unknown) => void): Promise<T> {
  return promise.then(
    (value) => {
      done(value)
      return value
    },
    (error: unknown) => {
      failed(error)
      throw error
    },
  )
}

/** Listens to each event type once, before anyone else, with `heard`; then passes listeners on. */
function hearFirst<E extends { addEventListener(type: never, listener: never): void }>(target: E, heard: (type: string, event: unknown) => void) {
  const listening = new Set<string>()
  return (type: string, listener: unknown) => {
    const add = target.addEventListener.bind(target) as (type: string, listener: unknown) => void
    if (!listening.has(type)) {
      listening.add(type)
      add(type, (event: unknown) => heard(type, event))
    }
    add(type, listener)
  }
}

/** What a message event carries, as it came (finish.ts keeps text only: binary frames without their bytes, the core drops them). */
const dataOf = (event: unknown) => (event as { data?: unknown } | undefined)?.data

const description = (value: SessionDescriptionLike) => ({ type: value.type, ...(value.sdp !== undefined ? { sdp: value.sdp } : {}) })

/** Records each end of the tracks it is given that ends on its own (stop() by the core fires no 'ended'). */
function onEnded(track: MediaStreamTrackLike, ended: (track: { id: string; kind: string }) => void): void {
  // Named as when it was given (werift gives a track another id once it is sent).
  const named = trackOf(track)
  const listener = () => {
    track.removeEventListener('ended', listener)
    ended(named)
  }
  track.addEventListener('ended', listener)
}

/**
 * A data channel the hub opened, recorded: its events (before the core's listeners, which it adds
 * later) and what the core sends or closes. `channel` numbers it within its peer connection.
 */
function recordingDataChannel(channel: DataChannelLike, record: RecordSink, pc: number, id: number): DataChannelLike {
  for (const type of ['open', 'close', 'message'] as const)
    channel.addEventListener(type, (event) => record(['dc.event', pc, id, type, channel.readyState, dataOf(event)]))
  return decorate(channel, {
    send(data) {
      record(['dc.send', pc, id, data])
      channel.send(data)
    },
    close() {
      record(['dc.close', pc, id])
      channel.close()
    },
  })
}

type Shape = (...args: never[]) => unknown

/**
 * The peer connection's recorded methods, by name: what a call's `args` keeps of its arguments
 * (none without a shape), and what the answer of one that returns a promise keeps as its `value`
 * (given the answer, the connection and the arguments). Optional methods stay absent where the stack
 * has none (a missing one changes behaviour: no stats, no removeTrack).
 */
// The camera's simulcast layers are recorded as asked: a replay publishes them only when the recording did (replay.ts).
const transceiverArgs = (trackOrKind: MediaStreamTrackLike | string, init?: { direction?: string; sendEncodings?: readonly SendEncodingLike[] }) => ({
  track: typeof trackOrKind === 'string' ? trackOrKind : trackOf(trackOrKind),
  direction: init?.direction ?? 'sendrecv',
  ...(init?.sendEncodings ? { sendEncodings: init.sendEncodings } : {}),
})

const PEER_CALLS: Record<string, [args?: Shape, value?: Shape]> = {
  removeTrack: [(sender: RtpSenderLike) => ({ track: sender.track ? trackOf(sender.track) : null })],
  // The core's own channel (the bootstrap that puts m=application in its first offer): the call is
  // recorded, the channel itself carries nothing, so it is not wrapped.
  createDataChannel: [(label: string, init?: object) => ({ label, ...(init ? { init } : {}) })],
  createOffer: [(options?: object) => options, description],
  createAnswer: [undefined, description],
  // The description the connection then holds may differ from the one set (werift adds its candidates):
  // recorded when it does, because that is the SDP the core sends.
  setLocalDescription: [
    (value: SessionDescriptionLike) => ({ type: value.type }),
    (_: void, pc: PeerConnectionLike, value: SessionDescriptionLike) => {
      const held = pc.localDescription
      return held && held.sdp !== value.sdp ? description(held) : undefined
    },
  ],
  setRemoteDescription: [description],
  addIceCandidate: [(candidate: unknown) => candidate],
  // Recorded like the other calls: when its result arrives among the other inputs decides when the
  // stats machine reports (a replay that answered at once would report early). Its value keeps only
  // the figures the stats reading uses (some hundred bytes, where a browser's report is ~15 KB).
  getStats: [undefined, (report: Parameters<typeof sampleOfReport>[0]) => ({ stats: sampleOfReport(report) })],
}

function recordingPeerConnection(target: PeerConnectionLike, record: RecordSink, pc: number): PeerConnectionLike {
  let calls = 0
  const event = (type: string, data?: unknown) =>
    record(['pc.event', pc, type, [target.iceConnectionState, target.connectionState, target.signalingState], data])
  // Each channel the hub opens is handed to the core wrapped (one wrapper per channel, numbered in order).
  const channels = new Map<DataChannelLike, { id: number; wrapped: DataChannelLike }>()
  const channelOf = (raw: DataChannelLike) => {
    let known = channels.get(raw)
    if (!known) channels.set(raw, (known = { id: channels.size + 1, wrapped: recordingDataChannel(raw, record, pc, channels.size + 1) }))
    return known
  }
  const adapted = new Map<unknown, unknown>()
  const listen = hearFirst(target, (type, heard) => {
    if (type === 'icecandidate') {
      // The candidate as it came (finish.ts keeps it as JSON); null at the end of gathering.
      return event(type, (heard as PeerConnectionEventMap['icecandidate'] | undefined)?.candidate ?? null)
    }
    if (type === 'track') {
      const { track, streams } = heard as TrackEventLike
      event(type, { track: trackOf(track), streams: streams.map((stream) => stream.id) })
      return onEnded(track, (named) => event('trackended', { track: named }))
    }
    if (type !== 'datachannel') return event(type)
    const raw = (heard as PeerConnectionEventMap['datachannel']).channel
    event(type, { channel: channelOf(raw).id, label: raw.label, readyState: raw.readyState })
  })
  const overrides: Partial<PeerConnectionLike> = {
    addEventListener(type, listener) {
      if (type !== 'datachannel') return listen(type, listener)
      // The core gets the recording wrapper of the channel, so what it sends is recorded.
      const wrapped = (event: PeerConnectionEventMap['datachannel']) =>
        (listener as (event: PeerConnectionEventMap['datachannel']) => void)({ ...event, channel: channelOf(event.channel).wrapped })
      adapted.set(listener, wrapped)
      listen(type, wrapped)
    },
    removeEventListener(type, listener) {
      const wrapped = type === 'datachannel' ? adapted.get(listener) : undefined
      if (wrapped) adapted.delete(listener)
      target.removeEventListener(type, (wrapped ?? listener) as typeof listener)
    },
    close() {
      record(['pc.close', pc])
      target.close()
    },
  }
  for (const [method, [args, value]] of Object.entries(PEER_CALLS)) {
    ;(overrides as Record<string, Shape>)[method] = (...given: never[]) => {
      const call = ++calls
      record(['pc.call', pc, call, method, args?.(...given)])
      const out = (target as unknown as Record<string, Shape>)[method]!(...given)
      // An answer that arrives later is an input of its own.
      return out instanceof Promise
        ? answer(out, (answered) => record(['pc.result', pc, call, value?.(answered as never, target as never, ...given)]), (error) => record(['pc.failure', pc, call, error]))
        : out
    }
  }
  // Recorded once made: whether its sender has parameters decides the camera's resolution hold and its
  // timer (sendResolution.ts), so a replay's senders have them as the recorded ones did. The arguments
  // are read before the call: werift's sender renames the track it is handed (`registerTrack`).
  overrides.addTransceiver = (trackOrKind, init) => {
    const call = ++calls
    const args = transceiverArgs(trackOrKind, init)
    const made = target.addTransceiver(trackOrKind, init)
    record(['pc.call', pc, call, 'addTransceiver', { ...args, ...(made.sender.getParameters ? { parameters: true } : {}) }])
    return made
  }
  return decorate(target, overrides)
}

function recordingMedia(devices: MediaDevicesLike, record: RecordSink): MediaDevicesLike {
  let next = 0
  const overrides: Partial<MediaDevicesLike> = {
    onDeviceChange: (listener) =>
      devices.onDeviceChange!(() => {
        record(['media.devicechange'])
        listener()
      }),
  }
  for (const method of ['getUserMedia', 'getDisplayMedia', 'enumerateDevices'] as const) {
    // The open's options (a probe) reach the port as given; the replay needs only what was asked.
    ;(overrides as Record<string, unknown>)[method] = (constraints?: unknown, options?: unknown) => {
      const id = ++next
      record(['media.call', id, method, constraints ?? null])
      return answer(
        (devices[method] as (constraints?: unknown, options?: unknown) => Promise<MediaStreamLike | MediaDeviceInfoLike[]>)(constraints, options),
        (answered) => {
          // The lists are inputs of the device choice: recorded so a replay lists the same.
          if (Array.isArray(answered)) return record(['media.devices', id, answered])
          const tracks = answered.getTracks()
          record(['media.result', id, { id: answered.id, tracks: tracks.map(trackOf) }])
          // A track that ends on its own is an input (the browser's "Stop sharing", a device unplugged). Heard before the core listens.
          for (const track of tracks) onEnded(track, (named) => record(['media.event', id, 'trackended', named]))
        },
        (error) => record(['media.failure', id, error]),
      )
    }
  }
  return decorate(devices, overrides)
}

function recordingClock(clock: ClockLike, record: RecordSink): ClockLike {
  let next = 0
  const ids = new Map<unknown, number>()
  return decorate(clock, {
    setTimeout(fn, ms) {
      const timer = ++next
      record(['timer.set', timer, ms])
      const id = clock.setTimeout((...args) => {
        ids.delete(id)
        record(['timer.fire', timer])
        fn(...args)
      }, ms)
      ids.set(id, timer)
      return id
    },
    clearTimeout(id) {
      const timer = ids.get(id)
      if (timer !== undefined) {
        ids.delete(id)
        record(['timer.clear', timer])
      }
      clock.clearTimeout(id)
    },
  })
}

/** Every port wrapped. */
export function recordingPorts(ports: Ports, record: RecordSink): Ports {
  const { fetch, eventSource, peerConnection, beacon, tabs, network } = ports
  let requests = 0
  let sources = 0
  let connections = 0
  return {
    async fetch(url, init) {
      const req = ++requests
      record(['http.request', req, init.method, url, init.headers, init.body])
      const response = await answer(fetch(url, init), () => {}, (error) => record(['http.error', req, undefined, error]))
      const { ok, status } = response
      // The status arrived; the body may still fail.
      const text = await answer(response.text(), (body) => record(['http.response', req, status, body]), (error) => record(['http.error', req, status, error]))
      return { ok, status, headers: response.headers, text: () => Promise.resolve(text) }
    },
    eventSource(url) {
      const es = ++sources
      record(['sse.open', es, url])
      const source = eventSource(url)
      return decorate(source, {
        addEventListener: hearFirst(source, (name, message) => record(['sse.event', es, name, dataOf(message)])),
        close() {
          record(['sse.close', es])
          source.close()
        },
      })
    },
    peerConnection(config) {
      const pc = ++connections
      record(['pc.create', pc, config])
      return recordingPeerConnection(peerConnection(config), record, pc)
    },
    media: recordingMedia(ports.media, record),
    clock: recordingClock(ports.clock, record),
    ...(beacon
      ? {
          beacon(url) {
            record(['beacon', url])
            return beacon(url)
          },
        }
      : {}),
    // The broadcast channel between tabs: what we post, and what other tabs post (recorded before the core hears it).
    ...(tabs
      ? {
          tabs(name) {
            record(['tab.open', name])
            const channel = tabs(name)
            return decorate(channel, {
              postMessage(data) {
                record(['tab.post', data])
                channel.postMessage(data)
              },
              addEventListener: hearFirst(channel, (_, event) => record(['tab.message', dataOf(event) ?? null])),
            })
          },
        }
      : {}),
    // A network change, recorded before the core hears it.
    ...(network
      ? {
          network: (listener) =>
            network(() => {
              record(['network.change'])
              listener()
            }),
        }
      : {}),
  }
}

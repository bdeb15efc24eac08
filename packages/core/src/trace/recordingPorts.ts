// Recording decorators of the ports: each wraps one port, records what crosses it and passes it on
// unchanged. Listeners the recorder adds run before the core's, so an input is recorded before the
// machines react to it (replay relies on that order).
import type {
  BeaconLike,
  ClockLike,
  DataChannelLike,
  EventSourceFactory,
  FetchLike,
  MediaDevicesLike,
  MediaStreamLike,
  PeerConnectionEventMap,
  TabChannelFactory,
  PeerConnectionFactory,
  PeerConnectionLike,
  Ports,
  TrackEventLike,
} from '../ports.js'
import { sampleFieldsOf, type StatLike } from '../stats/report.js'
import type { PeerStates, TraceError, TraceRecord, TraceStream } from './format.js'
import type { Redactor } from './redact.js'

export interface RecordSink {
  record(record: TraceRecord): void
  redact: Redactor
}

const errorOf = (error: unknown): TraceError =>
  error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)
    ? { name: String((error as Error).name), message: String((error as Error).message ?? '') }
    : { name: 'Error', message: String(error) }

export function streamOf(stream: MediaStreamLike): TraceStream {
  return { id: stream.id, tracks: stream.getTracks().map((track) => ({ id: track.id, kind: track.kind })) }
}

export function recordingFetch(fetch: FetchLike, sink: RecordSink): FetchLike {
  let next = 0
  return async (url, init) => {
    const req = ++next
    const body = sink.redact.body(init.body)
    const headers = sink.redact.headers(init.headers)
    sink.record({ kind: 'http.request', req, method: init.method, url: sink.redact.url(url), ...(headers ? { headers } : {}), ...(body !== undefined ? { body } : {}) })
    let response: Awaited<ReturnType<FetchLike>>
    try {
      response = await fetch(url, init)
    } catch (error) {
      sink.record({ kind: 'http.error', req, error: errorOf(error) })
      throw error
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      // The status arrived, the body did not.
      sink.record({ kind: 'http.error', req, status: response.status, error: errorOf(error) })
      throw error
    }
    sink.record({ kind: 'http.response', req, status: response.status, body: sink.redact.body(text) ?? '' })
    return { ok: response.ok, status: response.status, headers: response.headers, text: () => Promise.resolve(text) }
  }
}

export function recordingEventSource(factory: EventSourceFactory, sink: RecordSink): EventSourceFactory {
  let next = 0
  return (url) => {
    const es = ++next
    sink.record({ kind: 'sse.open', es, url: sink.redact.url(url) })
    const source = factory(url)
    const recorded = new Set<string>()
    return {
      get readyState() {
        return source.readyState
      },
      addEventListener(type, listener) {
        if (!recorded.has(type)) {
          recorded.add(type)
          source.addEventListener(type, (message) => {
            const data = (message as { data?: unknown } | undefined)?.data
            sink.record({ kind: 'sse.event', es, name: type, ...(typeof data === 'string' ? { data: sink.redact.body(data) ?? '' } : {}) })
          })
        }
        source.addEventListener(type, listener)
      },
      removeEventListener: (type, listener) => source.removeEventListener(type, listener),
      close() {
        sink.record({ kind: 'sse.close', es })
        source.close()
      },
    }
  }
}

const statesOf = (pc: PeerConnectionLike): PeerStates => ({ ice: pc.iceConnectionState, connection: pc.connectionState, signaling: pc.signalingState })

/** What an event carries, as data: candidates as JSON, tracks by id (their end is recorded too). */
function peerEventData(type: string, event: unknown): unknown {
  if (type === 'icecandidate') {
    const candidate = (event as PeerConnectionEventMap['icecandidate'] | undefined)?.candidate
    if (!candidate) return null
    return 'toJSON' in candidate && typeof candidate.toJSON === 'function' ? candidate.toJSON() : candidate
  }
  if (type === 'track') {
    const { track, streams } = event as TrackEventLike
    return { track: { id: track.id, kind: track.kind }, streams: streams.map((stream) => stream.id) }
  }
  return undefined
}

/**
 * A data channel the hub opened, recorded: its events (before the core's listeners, which it adds
 * later) and what the core sends or closes. `channel` numbers it within its peer connection.
 */
function recordingDataChannel(channel: DataChannelLike, sink: RecordSink, pc: number, id: number): DataChannelLike {
  for (const type of ['open', 'close', 'message'] as const) {
    channel.addEventListener(type, (event) => {
      const data = event?.data
      // Binary frames are recorded without their bytes (the core drops them).
      sink.record({ kind: 'dc.event', pc, channel: id, type, readyState: channel.readyState, ...(typeof data === 'string' ? { data: sink.redact.body(data) ?? '' } : {}) })
    })
  }
  return {
    get label() { return channel.label },
    get readyState() { return channel.readyState },
    send(data) {
      sink.record({ kind: 'dc.send', pc, channel: id, data: sink.redact.body(data) ?? '' })
      channel.send(data)
    },
    close() {
      sink.record({ kind: 'dc.close', pc, channel: id })
      channel.close()
    },
    addEventListener: (type, listener) => channel.addEventListener(type, listener),
    removeEventListener: (type, listener) => channel.removeEventListener(type, listener),
  }
}

/** A getStats report as the trace keeps it: only what the stats reading uses (stats/report.ts). */
function statsOf(report: { forEach(callback: (stat: unknown) => void): void }): { stats: StatLike[] } {
  const stats: StatLike[] = []
  report.forEach((stat) => {
    if (stat && typeof stat === 'object' && typeof (stat as { type?: unknown }).type === 'string') stats.push(stat as StatLike)
  })
  return { stats: sampleFieldsOf(stats) }
}

export function recordingPeerConnection(factory: PeerConnectionFactory, sink: RecordSink): PeerConnectionFactory {
  let next = 0
  return (config) => {
    const pc = ++next
    sink.record({ kind: 'pc.create', pc, config: sink.redact.value(config) })
    const target = factory(config)
    let calls = 0
    // Each channel the hub opens is handed to the core wrapped (one wrapper per channel, numbered in order).
    const channels = new Map<DataChannelLike, { id: number; wrapped: DataChannelLike }>()
    const channelOf = (raw: DataChannelLike) => {
      let known = channels.get(raw)
      if (!known) {
        const id = channels.size + 1
        channels.set(raw, (known = { id, wrapped: recordingDataChannel(raw, sink, pc, id) }))
      }
      return known
    }
    const listeners = new Map<unknown, (event: never) => void>()
    const call = <T>(method: string, args: unknown, run: () => Promise<T>, result: (value: T) => unknown = () => undefined): Promise<T> => {
      const id = ++calls
      sink.record({ kind: 'pc.call', pc, call: id, method, ...(args !== undefined ? { args } : {}) })
      return run().then(
        (value) => {
          const recorded = result(value)
          sink.record({ kind: 'pc.result', pc, call: id, ...(recorded !== undefined ? { value: recorded } : {}) })
          return value
        },
        (error: unknown) => {
          sink.record({ kind: 'pc.failure', pc, call: id, error: errorOf(error) })
          throw error
        },
      )
    }
    const recorded = new Set<string>()
    const description = (value: { type: string; sdp?: string }) => ({ type: value.type, ...(value.sdp !== undefined ? { sdp: value.sdp } : {}) })
    const wrapped: PeerConnectionLike = {
      get connectionState() { return target.connectionState },
      get iceConnectionState() { return target.iceConnectionState },
      get signalingState() { return target.signalingState },
      get localDescription() { return target.localDescription },
      get remoteDescription() { return target.remoteDescription },
      addTransceiver(trackOrKind, init) {
        const what = typeof trackOrKind === 'string' ? trackOrKind : { id: trackOrKind.id, kind: trackOrKind.kind }
        sink.record({ kind: 'pc.call', pc, call: ++calls, method: 'addTransceiver', args: { track: what, direction: init?.direction ?? 'sendrecv' } })
        return target.addTransceiver(trackOrKind, init)
      },
      getTransceivers: () => target.getTransceivers(),
      createOffer: (options) => call('createOffer', options, () => target.createOffer(options), description),
      createAnswer: () => call('createAnswer', undefined, () => target.createAnswer(), description),
      // The description the connection then holds may differ from the one set (werift adds its candidates):
      // recorded when it does, because that is the SDP the core sends.
      setLocalDescription: (value) =>
        call('setLocalDescription', { type: value.type }, () => target.setLocalDescription(value), () => {
          const held = target.localDescription
          return held && held.sdp !== value.sdp ? description(held) : undefined
        }),
      setRemoteDescription: (value) => call('setRemoteDescription', description(value), () => target.setRemoteDescription(value)),
      addIceCandidate: (candidate) => call('addIceCandidate', candidate, () => target.addIceCandidate(candidate)),
      addEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void) {
        if (!recorded.has(type)) {
          recorded.add(type)
          target.addEventListener(type, (event) => {
            let data = peerEventData(type, event)
            if (type === 'datachannel') {
              const raw = (event as PeerConnectionEventMap['datachannel']).channel
              data = { channel: channelOf(raw).id, label: raw.label, readyState: raw.readyState }
            }
            sink.record({ kind: 'pc.event', pc, type, states: statesOf(target), ...(data !== undefined ? { data } : {}) })
            if (type === 'track') {
              const { track } = event as TrackEventLike
              const onEnded = () => {
                track.removeEventListener('ended', onEnded)
                sink.record({ kind: 'pc.event', pc, type: 'trackended', states: statesOf(target), data: { track: { id: track.id, kind: track.kind } } })
              }
              track.addEventListener('ended', onEnded)
            }
          })
        }
        if (type !== 'datachannel') return target.addEventListener(type, listener)
        // The core gets the recording wrapper of the channel, so what it sends is recorded.
        const adapted = (event: PeerConnectionEventMap['datachannel']) =>
          (listener as (event: PeerConnectionEventMap['datachannel']) => void)({ ...event, channel: channelOf(event.channel).wrapped })
        listeners.set(listener, adapted as (event: never) => void)
        target.addEventListener('datachannel', adapted)
      },
      removeEventListener<K extends keyof PeerConnectionEventMap>(type: K, listener: (event: PeerConnectionEventMap[K]) => void) {
        const adapted = listeners.get(listener)
        if (type === 'datachannel' && adapted) listeners.delete(listener)
        target.removeEventListener(type, (type === 'datachannel' && adapted ? adapted : listener) as (event: PeerConnectionEventMap[K]) => void)
      },
      close() {
        sink.record({ kind: 'pc.close', pc })
        target.close()
      },
    }
    if (target.restartIce) wrapped.restartIce = () => target.restartIce?.()
    // Optional members pass through where the stack has them (a missing one changes behaviour: no stats, no removeTrack).
    const removeTrack = target.removeTrack?.bind(target)
    if (removeTrack) {
      wrapped.removeTrack = (sender) => {
        sink.record({ kind: 'pc.call', pc, call: ++calls, method: 'removeTrack', args: { track: sender.track ? { id: sender.track.id, kind: sender.track.kind } : null } })
        removeTrack(sender)
      }
    }
    // The core's own channel (the bootstrap that puts m=application in its first offer): the call is
    // recorded, the channel itself carries nothing, so it is not wrapped.
    const createDataChannel = target.createDataChannel?.bind(target)
    if (createDataChannel) {
      wrapped.createDataChannel = (label, init) => {
        sink.record({ kind: 'pc.call', pc, call: ++calls, method: 'createDataChannel', args: { label, ...(init ? { init } : {}) } })
        return createDataChannel(label, init)
      }
    }
    // Recorded like the other calls: when its result arrives among the other inputs decides when the
    // stats machine reports (a replay that answered at once would report early). Its value keeps only
    // the figures the stats reading uses (some hundred bytes, where a browser's report is ~15 KB).
    const getStats = target.getStats?.bind(target)
    if (getStats) wrapped.getStats = () => call('getStats', undefined, () => getStats(), statsOf)
    return wrapped
  }
}

export function recordingMedia(devices: MediaDevicesLike, sink: RecordSink): MediaDevicesLike {
  let next = 0
  const call = (method: string, constraints: unknown, run: () => Promise<MediaStreamLike>) => {
    const id = ++next
    sink.record({ kind: 'media.call', call: id, method, constraints })
    return run().then(
      (stream) => {
        sink.record({ kind: 'media.result', call: id, stream: streamOf(stream) })
        // A track that ends on its own is an input (the browser's "Stop sharing", a device unplugged);
        // stop() by the core fires no 'ended'. Heard before the core listens.
        for (const track of stream.getTracks()) {
          // Named as media.result named it (werift gives a track another id once it is sent).
          const named = { id: track.id, kind: track.kind }
          const onEnded = () => {
            track.removeEventListener('ended', onEnded)
            sink.record({ kind: 'media.event', call: id, type: 'trackended', track: named })
          }
          track.addEventListener('ended', onEnded)
        }
        return stream
      },
      (error: unknown) => {
        sink.record({ kind: 'media.failure', call: id, error: errorOf(error) })
        throw error
      },
    )
  }
  const wrapped: MediaDevicesLike = {
    getUserMedia: (constraints) => call('getUserMedia', constraints, () => devices.getUserMedia(constraints)),
    // The lists are inputs of the device choice: recorded (kind, id and label of each) so a replay lists the same.
    enumerateDevices: () => {
      const id = ++next
      sink.record({ kind: 'media.call', call: id, method: 'enumerateDevices', constraints: null })
      return devices.enumerateDevices().then(
        (list) => {
          sink.record({ kind: 'media.devices', call: id, devices: list.map(({ deviceId, kind, label }) => ({ deviceId, kind, label })) })
          return list
        },
        (error: unknown) => {
          sink.record({ kind: 'media.failure', call: id, error: errorOf(error) })
          throw error
        },
      )
    },
  }
  const display = devices.getDisplayMedia?.bind(devices)
  if (display) wrapped.getDisplayMedia = (constraints) => call('getDisplayMedia', constraints, () => display(constraints))
  const onDeviceChange = devices.onDeviceChange?.bind(devices)
  if (onDeviceChange)
    wrapped.onDeviceChange = (listener) =>
      onDeviceChange(() => {
        sink.record({ kind: 'media.devicechange' })
        listener()
      })
  return wrapped
}

export function recordingClock(clock: ClockLike, sink: RecordSink): ClockLike {
  let next = 0
  const ids = new Map<unknown, number>()
  return {
    setTimeout(fn, ms) {
      const timer = ++next
      sink.record({ kind: 'timer.set', timer, ms })
      const id = clock.setTimeout((...args) => {
        ids.delete(id)
        sink.record({ kind: 'timer.fire', timer })
        fn(...args)
      }, ms)
      ids.set(id, timer)
      return id
    },
    clearTimeout(id) {
      const timer = ids.get(id)
      if (timer !== undefined) {
        ids.delete(id)
        sink.record({ kind: 'timer.clear', timer })
      }
      clock.clearTimeout(id)
    },
    now: () => clock.now(),
  }
}

export function recordingBeacon(beacon: BeaconLike, sink: RecordSink): BeaconLike {
  return (url) => {
    sink.record({ kind: 'beacon', url: sink.redact.url(url) })
    return beacon(url)
  }
}

/** The broadcast channel between tabs: what we post, and what other tabs post (recorded before the core hears it). */
export function recordingTabs(factory: TabChannelFactory, sink: RecordSink): TabChannelFactory {
  return (name) => {
    sink.record({ kind: 'tab.open', name })
    const channel = factory(name)
    let listening = false
    return {
      postMessage(message) {
        sink.record({ kind: 'tab.post', data: sink.redact.value(message) })
        channel.postMessage(message)
      },
      addEventListener(type, listener) {
        if (!listening) {
          listening = true
          channel.addEventListener(type, (event) => sink.record({ kind: 'tab.message', data: sink.redact.value(event.data ?? null) }))
        }
        channel.addEventListener(type, listener)
      },
      removeEventListener: (type, listener) => channel.removeEventListener(type, listener),
      close: () => channel.close(),
    }
  }
}

/** Every port wrapped. */
export function recordingPorts(ports: Ports, sink: RecordSink): Ports {
  return {
    fetch: recordingFetch(ports.fetch, sink),
    eventSource: recordingEventSource(ports.eventSource, sink),
    peerConnection: recordingPeerConnection(ports.peerConnection, sink),
    media: recordingMedia(ports.media, sink),
    clock: recordingClock(ports.clock, sink),
    ...(ports.beacon ? { beacon: recordingBeacon(ports.beacon, sink) } : {}),
    ...(ports.tabs ? { tabs: recordingTabs(ports.tabs, sink) } : {}),
  }
}

// Recording decorators of the ports: each wraps one port, records what crosses it and passes it on
// unchanged. Listeners the recorder adds run before the core's, so an input is recorded before the
// machines react to it (replay relies on that order).
import type {
  BeaconLike,
  ClockLike,
  EventSourceFactory,
  FetchLike,
  MediaDevicesLike,
  MediaStreamLike,
  PeerConnectionEventMap,
  PeerConnectionFactory,
  PeerConnectionLike,
  Ports,
  TrackEventLike,
} from '../ports.js'
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

/**
 * `target` with `overrides` in front: everything else (getters, other methods) reaches the real
 * object, its methods bound to it. A Proxy keeps the decorators small (they ship in the app).
 */
function decorate<T extends object>(target: T, overrides: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) return overrides[property as keyof T]
      const value: unknown = Reflect.get(object, property)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value
    },
  })
}

/** Adds one recording listener per event type before the first of the core's. */
function recordFirst(target: { addEventListener: (type: never, listener: never) => void }, record: (type: string, event: unknown) => void) {
  const add = target.addEventListener.bind(target) as (type: string, listener: (event: unknown) => void) => void
  const recorded = new Set<string>()
  return (type: string, listener: (event: unknown) => void) => {
    if (!recorded.has(type)) {
      recorded.add(type)
      add(type, (event) => record(type, event))
    }
    add(type, listener)
  }
}

export function recordingEventSource(factory: EventSourceFactory, sink: RecordSink): EventSourceFactory {
  let next = 0
  return (url) => {
    const es = ++next
    sink.record({ kind: 'sse.open', es, url: sink.redact.url(url) })
    const source = factory(url)
    return decorate(source, {
      addEventListener: recordFirst(source, (name, message) => {
        const data = (message as { data?: unknown } | undefined)?.data
        sink.record({ kind: 'sse.event', es, name, ...(typeof data === 'string' ? { data: sink.redact.body(data) ?? '' } : {}) })
      }),
      close() {
        sink.record({ kind: 'sse.close', es })
        source.close()
      },
    })
  }
}

const statesOf = (pc: PeerConnectionLike): PeerStates => ({ ice: pc.iceConnectionState, connection: pc.connectionState, signaling: pc.signalingState })
const description = (value: { type: string; sdp?: string }) => ({ type: value.type, sdp: value.sdp })
type Recorded = [args?: (args: readonly unknown[]) => unknown, result?: (value: never, args: readonly unknown[]) => unknown]

export function recordingPeerConnection(factory: PeerConnectionFactory, sink: RecordSink): PeerConnectionFactory {
  let next = 0
  return (config) => {
    const pc = ++next
    sink.record({ kind: 'pc.create', pc, config: sink.redact.value(config) })
    const target = factory(config)
    let calls = 0
    // What each async call records: its arguments and its result.
    const recorded: Record<string, Recorded> = {
      createOffer: [(args) => args[0], description],
      createAnswer: [undefined, description],
      // The description the connection then holds may differ from the one set (werift adds its
      // candidates): recorded when it does, because that is the SDP the core sends.
      setLocalDescription: [
        (args) => ({ type: (args[0] as { type: string }).type }),
        (_, args) => (target.localDescription && target.localDescription.sdp !== (args[0] as { sdp?: string }).sdp ? description(target.localDescription) : undefined),
      ],
      setRemoteDescription: [(args) => description(args[0] as { type: string; sdp?: string })],
      addIceCandidate: [(args) => args[0]],
    }
    const overrides: Record<string, unknown> = {
      addTransceiver(trackOrKind: Parameters<PeerConnectionLike['addTransceiver']>[0], init?: { direction?: string }) {
        const what = typeof trackOrKind === 'string' ? trackOrKind : { id: trackOrKind.id, kind: trackOrKind.kind }
        sink.record({ kind: 'pc.call', pc, call: ++calls, method: 'addTransceiver', args: { track: what, direction: init?.direction ?? 'sendrecv' } })
        return target.addTransceiver(trackOrKind, init as never)
      },
      addEventListener: recordFirst(target as never, (type, event) => {
        let data: unknown
        if (type === 'icecandidate') {
          const candidate = (event as PeerConnectionEventMap['icecandidate'] | undefined)?.candidate
          data = candidate && 'toJSON' in candidate && typeof candidate.toJSON === 'function' ? candidate.toJSON() : (candidate ?? null)
        }
        if (type === 'track') {
          const { track, streams } = event as TrackEventLike
          const info = { id: track.id, kind: track.kind }
          data = { track: info, streams: streams.map((stream) => stream.id) }
          const onEnded = () => {
            track.removeEventListener('ended', onEnded)
            sink.record({ kind: 'pc.event', pc, type: 'trackended', states: statesOf(target), data: { track: info } })
          }
          track.addEventListener('ended', onEnded)
        }
        sink.record({ kind: 'pc.event', pc, type, states: statesOf(target), ...(data !== undefined ? { data } : {}) })
      }),
      close() {
        sink.record({ kind: 'pc.close', pc })
        target.close()
      },
    }
    for (const [method, [args, result]] of Object.entries(recorded)) {
      overrides[method] = (...input: never[]) => {
        const call = ++calls
        const recordedArgs = args?.(input)
        sink.record({ kind: 'pc.call', pc, call, method, ...(recordedArgs !== undefined ? { args: recordedArgs } : {}) })
        return (target[method as 'createAnswer'] as (...a: never[]) => Promise<never>)(...input).then(
          (value) => {
            const kept = result?.(value, input)
            sink.record({ kind: 'pc.result', pc, call, ...(kept !== undefined ? { value: kept } : {}) })
            return value
          },
          (error: unknown) => {
            sink.record({ kind: 'pc.failure', pc, call, error: errorOf(error) })
            throw error
          },
        )
      }
    }
    return decorate(target, overrides as never)
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
    enumerateDevices: () => devices.enumerateDevices(),
  }
  const display = devices.getDisplayMedia?.bind(devices)
  if (display) wrapped.getDisplayMedia = (constraints) => call('getDisplayMedia', constraints, () => display(constraints))
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

/** Every port wrapped. */
export function recordingPorts(ports: Ports, sink: RecordSink): Ports {
  return {
    fetch: recordingFetch(ports.fetch, sink),
    eventSource: recordingEventSource(ports.eventSource, sink),
    peerConnection: recordingPeerConnection(ports.peerConnection, sink),
    media: recordingMedia(ports.media, sink),
    clock: recordingClock(ports.clock, sink),
    ...(ports.beacon ? { beacon: recordingBeacon(ports.beacon, sink) } : {}),
  }
}

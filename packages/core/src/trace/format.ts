// The call trace's format (version 2: version 1 had no getStats results, data channels or local track ends): what the core records at its ports and from its actor system.
// Plain JSON; `schema.ts` checks a file against it at run time. Documented in the core README ("Call traces").

export const TRACE_FORMAT = 'parley-trace'
export const TRACE_VERSION = 2

/** One actor of the recorded system. `path` names it by invoke ids from the root ('conference/negotiation'). */
export interface TraceActor {
  /** Trace-local number; entries refer to it. */
  ref: number
  path: string
  /** The invoke/spawn id (the machine id for the root). */
  id: string
  /** The machine's id for statechart actors; absent for promise/callback actors. */
  machine?: string
  parent?: number
}

export interface TraceError {
  name: string
  message: string
}

/** The peer connection's three state words when something happened to it. */
export interface PeerStates {
  ice: string
  connection: string
  signaling: string
}

export type TraceRecord =
  // The actor system (xstate inspection).
  | { kind: 'event'; actor: number; source?: number; event: { type: string } & Record<string, unknown> }
  | { kind: 'state'; actor: number; event: string; status: string; value?: unknown }
  // HTTP over the fetch port.
  | { kind: 'http.request'; req: number; method: string; url: string; headers?: Record<string, string>; body?: string }
  | { kind: 'http.response'; req: number; status: number; body: string }
  /** No response (`status` absent), or the status arrived and the body failed. */
  | { kind: 'http.error'; req: number; status?: number; error: TraceError }
  // The hub's SSE channel over the EventSource port.
  | { kind: 'sse.open'; es: number; url: string }
  | { kind: 'sse.event'; es: number; name: string; data?: string }
  | { kind: 'sse.close'; es: number }
  // Peer connections.
  | { kind: 'pc.create'; pc: number; config: unknown }
  | { kind: 'pc.call'; pc: number; call: number; method: string; args?: unknown }
  | { kind: 'pc.result'; pc: number; call: number; value?: unknown }
  | { kind: 'pc.failure'; pc: number; call: number; error: TraceError }
  | { kind: 'pc.event'; pc: number; type: string; states: PeerStates; data?: unknown }
  | { kind: 'pc.close'; pc: number }
  // Data channels the hub opened (a `pc.event` 'datachannel' numbers each one per peer connection):
  // what arrives on it and its state changes (inputs), what the core sends and closes (outputs).
  | { kind: 'dc.event'; pc: number; channel: number; type: string; readyState: string; data?: string }
  | { kind: 'dc.send'; pc: number; channel: number; data: string }
  | { kind: 'dc.close'; pc: number; channel: number }
  // Camera and microphone.
  | { kind: 'media.call'; call: number; method: string; constraints: unknown }
  | { kind: 'media.result'; call: number; stream: TraceStream }
  | { kind: 'media.failure'; call: number; error: TraceError }
  /** A track of a granted stream ended on its own (the device went away, the browser's "Stop sharing"). */
  | { kind: 'media.event'; call: number; type: 'trackended'; track: { id: string; kind: string } }
  /** What a `media.call` of `enumerateDevices` listed (the device choice's lists). */
  | { kind: 'media.devices'; call: number; devices: TraceDevice[] }
  /** The browser's `devicechange` (a device plugged in or out). */
  | { kind: 'media.devicechange' }
  // The clock (xstate delays, reconnect back-off).
  | { kind: 'timer.set'; timer: number; ms: number }
  | { kind: 'timer.fire'; timer: number }
  | { kind: 'timer.clear'; timer: number }
  | { kind: 'beacon'; url: string }
  // The other tabs of this browser (the `tabs` port, tabsMachine.ts): a channel opened, our messages, theirs.
  | { kind: 'tab.open'; name: string }
  | { kind: 'tab.post'; data: unknown }
  | { kind: 'tab.message'; data: unknown }
  /** The device's network changed (the `network` port: back online, another connection). */
  | { kind: 'network.change' }

export interface TraceDevice {
  deviceId: string
  kind: string
  label: string
}

export interface TraceStream {
  id: string
  tracks: { id: string; kind: string }[]
}

/** Every entry: a sequence number (never reused, also after the ring dropped older ones) and a monotonic time. */
export type TraceEntry = TraceRecord & {
  seq: number
  /** Milliseconds since the recording started, monotonic (never goes back). */
  t: number
}

export type TraceEntryKind = TraceEntry['kind']

export interface Trace {
  format: typeof TRACE_FORMAT
  version: typeof TRACE_VERSION
  /** Wall-clock time the recording started (ISO 8601), for humans only. */
  startedAt: string
  /** The hub origin the conference used (replay needs no network; this is for reading). */
  baseUrl?: string
  /** How many entries the ring dropped before the first one kept (0: the trace starts at the beginning). */
  dropped: number
  /** The ring's capacity when recorded. */
  capacity: number
  /** Header and field names whose values were replaced by REDACTED. */
  redacted: string[]
  actors: TraceActor[]
  entries: TraceEntry[]
}

/** The value put where a secret was. */
export const REDACTED = '[redacted]'

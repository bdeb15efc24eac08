// The IPC messages between the generator (hub-process.ts) and the hub child (hub-child.ts).

/** What the hub process did between `window.start` and `window.sample`. */
export interface HubWindowSample {
  /** User + system CPU of the whole hub process (every thread). */
  cpuMicros: number
  wallMs: number
  rssBytes: number
  /** monitorEventLoopDelay over the window. */
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number }
  gc: { pauses: number; totalMs: number; maxMs: number }
}

export type HubChildRequest =
  | { type: 'window.start'; id: number }
  | { type: 'window.sample'; id: number }
  | { type: 'close' }

export type HubChildReply =
  | { type: 'ready'; url: string }
  | { type: 'window.started'; id: number }
  | { type: 'window.sample'; id: number; sample: HubWindowSample }

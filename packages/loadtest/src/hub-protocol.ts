// The IPC messages between the generator (hub-process.ts) and the hub child (hub-child.ts).
import type { SourceReport } from '@parley/hub/werift'

export type { SourceReport, SubscriptionReport } from '@parley/hub/werift'

/** What the hub process did between `window.start` and `window.sample`. */
export interface HubWindowSample {
  /** User + system CPU of the whole hub process (every thread). */
  cpuMicros: number
  wallMs: number
  rssBytes: number
  /** monitorEventLoopDelay over the window. */
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number }
  gc: { pauses: number; totalMs: number; maxMs: number }
  /** PARLEY_LOAD_ALLOC_PROF=1 only: bytes allocated on the JS heap over the window (hub-child.ts). */
  allocatedBytes?: number
}

/** The hub process's memory right after two full garbage collections (what it still holds). */
export interface HubHeapSample {
  heapUsedBytes: number
  /** Of heapUsed, V8's compiled code (code spaces): it grows as the JIT warms up, not with what the hub holds. */
  codeBytes: number
  rssBytes: number
}

export type HubChildRequest =
  | { type: 'window.start'; id: number }
  | { type: 'window.sample'; id: number }
  | { type: 'heap.sample'; id: number }
  | { type: 'sources.sample'; id: number }
  | { type: 'close' }

export type HubChildReply =
  | { type: 'ready'; url: string }
  | { type: 'window.started'; id: number }
  | { type: 'window.sample'; id: number; sample: HubWindowSample }
  | { type: 'heap.sample'; id: number; sample: HubHeapSample }
  /** The werift plane's per-track report (undefined: another plane, or a hub version without it). */
  | { type: 'sources.sample'; id: number; sources: SourceReport[] | undefined }

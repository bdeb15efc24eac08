// Server-Sent Events of `GET /v1/rooms/{roomId}/events/{clientId}` (hub-api-v1.md §3).
// On the wire each event is one `event:` line and one single-line JSON `data:` line.
import * as v from 'valibot'
import { IceCandidateSchema, OfferSchema, TracksEventSchema } from './schemas.js'

/** Spelled as the hosted hub spells it (no "i"): clients listen for exactly this name. */
export const ALLOWED_RENEGOTIATION_EVENT = 'allowed_renegotation'

export const SSE_EVENTS = [
  'offer',
  'candidate',
  'tracks_added',
  'tracks_available',
  ALLOWED_RENEGOTIATION_EVENT,
  'meta_changed',
  'ping',
  'left',
] as const
export type SseEventName = (typeof SSE_EVENTS)[number]

/** meta_changed carries one key per event; a deleted key arrives with `null`. */
export const MetaChangedSchema = v.pipe(
  v.record(v.string(), v.unknown()),
  v.check((record) => Object.keys(record).length === 1, 'must carry exactly one key'),
)

export const LeftEventSchema = v.object({
  // `shutdown`: the hub is stopping (for a restart); clients reconnect rather than end.
  reason: v.optional(v.picklist(['left', 'ended', 'removed', 'timeout', 'shutdown'])),
})
export type LeftReason = NonNullable<v.InferOutput<typeof LeftEventSchema>['reason']>

export const SseEventSchemas = {
  offer: OfferSchema,
  candidate: IceCandidateSchema,
  tracks_added: TracksEventSchema,
  tracks_available: TracksEventSchema,
  [ALLOWED_RENEGOTIATION_EVENT]: v.unknown(),
  meta_changed: MetaChangedSchema,
  ping: v.unknown(),
  left: LeftEventSchema,
} as const satisfies Record<SseEventName, v.GenericSchema>

export type SseEventData<N extends SseEventName> = v.InferOutput<(typeof SseEventSchemas)[N]>

/** One parsed SSE event: `name` discriminates, so a switch on it narrows `data` without casts. */
export type SseEvent<N extends SseEventName = SseEventName> = { [K in N]: { name: K; data: SseEventData<K> } }[N]

/** Parses one event's `data` text; returns the typed event or the reason it was rejected. */
export function parseSseEvent<N extends SseEventName>(
  name: N,
  data: string,
): ({ ok: true } & SseEvent<N>) | { ok: false; error: string } {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { ok: false, error: `${name}: data is not JSON` }
  }
  const result = v.safeParse(SseEventSchemas[name], json)
  if (!result.success) return { ok: false, error: `${name}: ${describeIssues(result.issues)}` }
  return { ok: true, name, data: result.output } as { ok: true } & SseEvent<N>
}

/** One line per issue: `field.path: message`. Shared by the hub's 400s and the core's errors. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = v.getDotPath(issue)
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}

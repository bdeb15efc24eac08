// Parley-only additions to the events stream that make it lossless and its death detectable. Clients of
// the hosted hub ignore every one of them: `id:` lines are standard SSE, the ping's data was "anything",
// and the query parameter is unknown to other hubs.
import * as v from 'valibot'

/**
 * Every event but `ping` carries `id: <n>` as its FIRST line (before `event:`, so the Python SDK's
 * parser, which wants `event:` then exactly one `data:`, still reads it). Ids are per registration:
 * 1, 2, 3... with no gaps, in the order the hub wrote them. A new registration (also after a hub
 * restart, with the same uid) starts again at 1: a client forgets its last id when it registers.
 */

/**
 * Resume point of a fresh `EventSource`, which cannot set headers: `GET .../events/:clientId?lastEventId=<n>`.
 * The hub replays every event after `<n>` that it still holds, exactly once and in order. When both are
 * sent, the `Last-Event-ID` header wins: a browser's automatic reconnect sends it with the newest id it
 * dispatched, while the URL still carries the id of when the object was made.
 */
export const LAST_EVENT_ID_QUERY = 'lastEventId'
export const LAST_EVENT_ID_HEADER = 'Last-Event-ID'

/** Adds the resume point to an events URL (nothing for undefined: a first connect). */
export function withLastEventId(eventsUrl: string, lastEventId: number | string | undefined): string {
  return withQueryParam(eventsUrl, LAST_EVENT_ID_QUERY, lastEventId)
}

/** `url` with `name=value` added to its query (encoded), or as it is for undefined. */
export function withQueryParam(url: string, name: string, value: number | string | undefined): string {
  if (value === undefined) return url
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`
}

/**
 * Parley's hub sends `ping` every this many milliseconds on an open stream (configurable with
 * `--ping-interval`; the actual value is in every ping's data), and once right when a stream opens.
 * A stream with nothing at all (event or ping) for 2 intervals is dead: close it and reconnect.
 */
export const DEFAULT_PING_INTERVAL_MS = 5_000

/** A Parley hub's ping data. The hosted hub sends `{}` or anything: read it with `pingIntervalOf`. */
export const PingDataSchema = v.object({ interval_ms: v.pipe(v.number(), v.integer(), v.minValue(1)) })
export type PingData = v.InferOutput<typeof PingDataSchema>

/** The interval a ping announces, or undefined when it announces none (another hub). */
export function pingIntervalOf(data: unknown): number | undefined {
  const parsed = v.safeParse(PingDataSchema, data)
  return parsed.success ? parsed.output.interval_ms : undefined
}

/**
 * `left` reasons after which the client should register again by itself (a full reconnect: same room
 * id, re-created by id if it is gone; new peer connection), rather than end the call:
 * - `shutdown`: the hub is stopping gracefully (SIGINT/SIGTERM) and will be back with the same rooms;
 * - `events_lost`: the stream was resumed from an id the hub no longer holds (its per-client backlog is
 *   bounded), so events would be missing; the hub removed the client rather than send a gap.
 * A `client-gone` (404 on the client's routes) means the same: the hub does not know the client (any more).
 */
export const RECONNECT_LEFT_REASONS = ['shutdown', 'events_lost'] as const

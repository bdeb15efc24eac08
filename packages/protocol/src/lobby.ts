// Parley-only extension: the lobby of a locked room, and the room pass (rooms with host controls,
// hostControls.ts). The hosted hub has neither: it never locks a room, so a client never knocks there.
//
// Room pass. Register in a room with host controls answers `parley_pass` beside the client (a field other
// clients ignore). A later register carrying it in `X-Parley-Room-Pass` gets in while the room is locked:
// someone who was in comes back after a dropped connection, a hub restart or a page reload. A pass is the
// room's (it outlives the client that got it, as the lock outlives a hub restart); the host removing that
// client revokes it.
//
// Knock. Someone a locked room refused asks to be let in: `GET /rooms/:roomId/parley/knock?name=Bo`, an
// event stream that lasts as long as they wait (closing it withdraws the request). It says
// `parley_knock_waiting` once, then one `parley_knock_answer`, and ends: admitted with a pass, or not and why.
// Between the two, `ping` events as on the room's stream (`{interval_ms}`, no id) keep it open through
// proxies and tell the client it is alive. A stream that ends without an answer (the hub shut down or
// went away) was not refused: the client knocks again. It has no resume (no ids): close the EventSource
// on the answer, or a browser's reconnects and knocks again.
// Every client in the room hears the waiting list (`parley_knocks`, on the room's own event stream) whenever
// it changes, and on its first events when someone is waiting; a host answers with
// `PUT /rooms/:roomId/parley/knock/:knockId` (`{admit}`, host key). Unlocking the room admits everyone
// waiting. A knock on a room that is not locked is admitted at once.
import * as v from 'valibot'
import { ActedBySchema } from './hostControls.js'
import { parseEventData } from './fields.js'

/** The header carrying a room pass on register. */
export const ROOM_PASS_HEADER = 'X-Parley-Room-Pass'

/** A pass as it travels (opaque to clients). */
export const RoomPassSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(256))

/** The knock stream's query parameter naming the person who asks (what register's `name` would be). */
export const KNOCK_NAME_PARAM = 'name'

/** Why a knock was not admitted: a host said no, nobody answered in time, or the room ended meanwhile. */
export const KNOCK_REFUSALS = ['declined', 'expired', 'room_ended'] as const
export type KnockRefusal = (typeof KNOCK_REFUSALS)[number]

/** Knock stream, first event: the request is in the room's waiting list. */
export const PARLEY_KNOCK_WAITING_EVENT = 'parley_knock_waiting'
export const KnockWaitingEventSchema = v.object({ knock_id: v.string() })

/**
 * Knock stream, last event: in with a pass (register with it in `X-Parley-Room-Pass`), or not and why.
 * (One object with a check rather than a variant: the client bundles every schema it parses.)
 */
export const PARLEY_KNOCK_ANSWER_EVENT = 'parley_knock_answer'
export const KnockAnswerEventSchema = v.pipe(
  v.object({ admitted: v.boolean(), pass: v.optional(RoomPassSchema), reason: v.optional(v.picklist(KNOCK_REFUSALS)), by: v.optional(ActedBySchema) }),
  v.check((answer) => (answer.admitted ? answer.pass !== undefined : answer.reason !== undefined), 'admitted needs its pass, a refusal its reason'),
)
export type KnockAnswerEvent = v.InferOutput<typeof KnockAnswerEventSchema>

/** One person waiting to be let in; `since` in milliseconds since the epoch (the hub's clock). */
export const WaitingKnockSchema = v.object({ knock_id: v.string(), name: v.string(), since: v.number() })
export type WaitingKnock = v.InferOutput<typeof WaitingKnockSchema>

/**
 * Room stream: who is waiting now (the whole list, oldest first), and, when the change was an answer, which
 * knock it was and who answered (`by` absent when the hub did: an unlock, an expiry).
 */
export const PARLEY_KNOCKS_EVENT = 'parley_knocks'
export const KnocksEventSchema = v.object({
  waiting: v.array(WaitingKnockSchema),
  answered: v.optional(v.object({ knock_id: v.string(), name: v.string(), admitted: v.boolean(), by: v.optional(ActedBySchema) })),
})
export type KnocksEvent = v.InferOutput<typeof KnocksEventSchema>

// The answer route's body is in requests.ts (AnswerKnockRequestSchema).

export const KnockStreamEventSchemas = {
  [PARLEY_KNOCK_WAITING_EVENT]: KnockWaitingEventSchema,
  [PARLEY_KNOCK_ANSWER_EVENT]: KnockAnswerEventSchema,
} as const

export type KnockStreamEventName = keyof typeof KnockStreamEventSchemas
export const KNOCK_STREAM_EVENTS = Object.keys(KnockStreamEventSchemas) as KnockStreamEventName[]

/** Parses one knock-stream event's `data` text; the typed data or why it was rejected. */
export function parseKnockEvent<N extends KnockStreamEventName>(
  name: N,
  data: string,
): { ok: true; data: v.InferOutput<(typeof KnockStreamEventSchemas)[N]> } | { ok: false; error: string } {
  return parseEventData(KnockStreamEventSchemas[name] as v.GenericSchema<unknown, v.InferOutput<(typeof KnockStreamEventSchemas)[N]>>, name, data)
}

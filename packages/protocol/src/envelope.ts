// Every hub response, errors included, is JSON `{code, message, data}` with body `code` equal to the
// HTTP status (hub-api-v1.md §1).
import * as v from 'valibot'

export interface Envelope<T> {
  code: number
  message: string
  data: T
}

export const EnvelopeSchema = v.object({
  code: v.number(),
  message: v.optional(v.string(), ''),
  data: v.optional(v.unknown(), null),
})

export function envelope<T>(code: number, message: string, data: T): Envelope<T> {
  return { code, message, data }
}

/** Statuses the hub uses; clients branch on these. */
export const Status = {
  ok: 200,
  created: 201,
  badRequest: 400,
  unauthorized: 401,
  /** Also the answer of isallownegotiate when the hub is mid-offer ("not now"). */
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  conflict: 409,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  /** A hub or room limit is reached (rooms, clients per room); it may pass. */
  tooManyRequests: 429,
  /** The hub cannot answer now (shutting down, or its room store failed); try again. */
  serviceUnavailable: 503,
} as const

/** Header the hosted hub sets on a 403 when the access token expired. */
export const ACCESS_TOKEN_EXPIRED_HEADER = 'X-Access-Token-Expired'

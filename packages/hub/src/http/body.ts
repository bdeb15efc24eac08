// The hub's rules for a request body, before any schema sees it: any content type is read as JSON
// (sendBeacon posts text/plain), it must be UTF-8 and JSON, it may not nest deeper than MAX_JSON_DEPTH,
// and setmeta may not use the keys valibot would silently drop.
import { messageOf } from '@parley/protocol'
import { badRequest } from '../errors.js'

/** Deeper JSON is refused: nothing in the API nests like that, and serialising it again could overflow the stack. */
export const MAX_JSON_DEPTH = 32

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The body as JSON; undefined when empty. */
export function parseJsonBody(bytes: ArrayBuffer): unknown {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw badRequest('request body is not valid UTF-8')
  }
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text) as unknown
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${messageOf(error)}`)
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) throw badRequest(`request body nests deeper than ${MAX_JSON_DEPTH} levels`)
  return value
}

/** Iterative, so a hostile body cannot overflow the stack here either. */
function depthExceeds(root: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[root, 1]]
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!
    if (value === null || typeof value !== 'object') continue
    if (depth > maxDepth) return true
    for (const child of Object.values(value)) pending.push([child, depth + 1])
  }
  return false
}

/**
 * Keys the metadata schema would silently drop (valibot skips them as prototype-pollution guards):
 * refused instead, so a client learns that its key was not stored.
 */
const RESERVED_META_KEYS = new Set(['__proto__', 'prototype', 'constructor'])

export function refuseReservedMetaKeys(body: unknown): void {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const reserved = Object.keys(body).filter((key) => RESERVED_META_KEYS.has(key))
    if (reserved.length > 0) throw badRequest(`invalid metadata: key ${JSON.stringify(reserved[0])} is reserved; use another name`)
  }
}

export interface BodyRules {
  /** What the body is, for messages: `expected a JSON ${what}`, `invalid ${what}: ...`. */
  what: string
  /** The JSON type the body must have (valibot's object and record schemas accept arrays too). Default object. */
  shape?: 'object' | 'array'
  /** What an empty body stands for; without it an empty body is refused. */
  whenEmpty?: unknown
  /** A check on the parsed body before its shape and schema. */
  refuse?: (body: unknown) => void
}

/** Applies the rules to a parsed body; returns what the schema validates. */
export function checkBody(value: unknown, rules: BodyRules): unknown {
  rules.refuse?.(value)
  if (value === undefined) {
    if ('whenEmpty' in rules) return rules.whenEmpty
    throw badRequest(`request body is missing: expected a JSON ${rules.what}`)
  }
  const list = rules.shape === 'array'
  if (list !== Array.isArray(value) || value === null || typeof value !== 'object') {
    throw badRequest(`invalid ${rules.what}: the body must be a JSON ${list ? 'array' : 'object'}`)
  }
  return value
}

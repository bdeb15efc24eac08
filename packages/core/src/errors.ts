// Every failure the conference shows, as a ConferenceError: the `kind` a UI words and acts on, and
// technical detail (the UI owns the sentences, so none ship in the core). Hub failures arrive as the
// hub client's one HubError; device failures are classified in media.ts.
import { messageOf } from '@parley/protocol'
import type { ConferenceError } from './api.js'
import { HubError } from './hubClient.js'

export function toConferenceError(error: unknown): ConferenceError {
  if (error instanceof HubError) {
    // A conflict or a rejected request is nothing the person can fix: treated like a failing hub.
    const kind = error.kind === 'conflict' || error.kind === 'bad-request' ? 'hub-unreachable' : error.kind
    return { kind, message: error.message, status: error.status }
  }
  if (isConferenceError(error)) return error
  return { kind: 'hub-unreachable', message: messageOf(error) }
}

function isConferenceError(value: unknown): value is ConferenceError {
  return typeof value === 'object' && value !== null && 'kind' in value && 'message' in value && !(value instanceof Error)
}

// The join's I/O in a locked room's lobby (Parley's hub, lobby.ts in @parley/protocol): one knock stream,
// open exactly as long as the actor, so leaving the `knocking` state withdraws the request.
import { fromCallback, type EventObject } from 'xstate'
import { PARLEY_KNOCK_ANSWER_EVENT, PARLEY_KNOCK_WAITING_EVENT, parseKnockEvent, type KnockRefusal } from '@parley/protocol'
import type { HubClient } from '../hubClient.js'
import type { EventSourceFactory, SseMessageLike } from '../ports.js'

export type KnockEvent =
  /** The hub has the request: a host sees us waiting. */
  | { type: 'knock.waiting' }
  | { type: 'knock.admitted'; pass: string }
  | { type: 'knock.refused'; reason: KnockRefusal }
  /** The stream failed for good (the hub refused to open it, or answered outside the contract). */
  | { type: 'knock.lost'; message: string }

export interface KnockInput {
  roomId: string
  name: string
}

/** An EventSource's readyState once it will not reconnect by itself. */
const CLOSED = 2

export function lobbyActors({ hub, eventSource }: { hub: HubClient; eventSource: EventSourceFactory }) {
  return {
    knock: fromCallback<EventObject, KnockInput>(({ input, sendBack }) => {
      const source = eventSource(hub.knockUrl(input.roomId, input.name))
      let answered = false
      const lost = (message: string) => {
        answered = true
        sendBack({ type: 'knock.lost', message } satisfies KnockEvent)
      }
      const onWaiting = (message: SseMessageLike) => {
        if (answered) return
        const parsed = parseKnockEvent(PARLEY_KNOCK_WAITING_EVENT, message.data)
        if (parsed.ok) sendBack({ type: 'knock.waiting' } satisfies KnockEvent)
        else lost(`the hub's ${parsed.error}`)
      }
      const onAnswer = (message: SseMessageLike) => {
        if (answered) return
        const parsed = parseKnockEvent(PARLEY_KNOCK_ANSWER_EVENT, message.data)
        if (!parsed.ok) return lost(`the hub's ${parsed.error}`)
        // The hub ends the stream after its answer: closed now, so the EventSource cannot knock again.
        answered = true
        source.close()
        // The schema's check: admitted has its pass, a refusal its reason.
        const { admitted, pass = '', reason = 'declined' } = parsed.data
        sendBack((admitted ? { type: 'knock.admitted', pass } : { type: 'knock.refused', reason }) satisfies KnockEvent)
      }
      source.addEventListener(PARLEY_KNOCK_WAITING_EVENT, onWaiting)
      source.addEventListener(PARLEY_KNOCK_ANSWER_EVENT, onAnswer)
      // A dropped stream reconnects by itself (a new request, the old one withdrawn); one the hub refused (404,
      // 403, 429: the room ended, has no lobby, too many wait) does not, and EventSource cannot say which.
      const onError = () => {
        if (!answered && source.readyState === CLOSED) lost(`GET ${hub.knockUrl(input.roomId, '')}: the hub refused or closed the knock stream`)
      }
      source.addEventListener('error', onError)
      return () => {
        source.removeEventListener(PARLEY_KNOCK_WAITING_EVENT, onWaiting)
        source.removeEventListener(PARLEY_KNOCK_ANSWER_EVENT, onAnswer)
        source.removeEventListener('error', onError)
        source.close()
      }
    }),
  }
}

export type LobbyActors = ReturnType<typeof lobbyActors>

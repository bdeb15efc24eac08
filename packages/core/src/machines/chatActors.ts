// The chat machine's I/O: the room's chat data channel. The room's creator asks the hub for the channel
// at once (as inLive's own room app does); anyone else asks only when they write while it is not open (a
// room made by another app), so a normal join costs no request the hub must refuse with 409. It hears the
// channel through the data-channel holder, validates every frame (malformed or non-text frames are
// logged and dropped, never reach the machine) and sends ours.
import { CHAT_CHANNEL_LABEL, parseChatFrame, type ChatMessage } from '@parley/protocol'
import { fromCallback } from 'xstate'
import type { DataChannels } from '../dataChannels.js'
import { HubError, type HubClient } from '../hubClient.js'
import type { ClockLike } from '../ports.js'

/** What the channel actor tells the chat machine. */
export type ChatChannelEvent =
  | { type: 'chat.open' }
  | { type: 'chat.closed' }
  | { type: 'chat.frame'; message: ChatMessage; at: number }
  /** A message we handed over could not be sent (the channel closed under it): it waits again. */
  | { type: 'chat.unsent'; message: ChatMessage }

export type ChatChannelCommand =
  | { type: 'chat.transmit'; message: ChatMessage }
  /** The channel is not open and we want to write: ask the hub for it (once). */
  | { type: 'chat.ensure' }

export interface ChatChannelInput {
  roomId: string
  /** We created the room: create its chat channel right away. */
  createNow: boolean
}

export type ChatLogger = (message: string, detail: Record<string, unknown>) => void

export interface ChatDeps {
  hub: HubClient
  channels: DataChannels
  clock: ClockLike
  /** Where dropped frames are reported. Default: console.warn. */
  log?: ChatLogger
}

export function chatActors({ hub, channels, clock, log = (message, detail) => console.warn(`[parley chat] ${message}`, detail) }: ChatDeps) {
  return {
    chatChannel: fromCallback<ChatChannelCommand, ChatChannelInput>(({ input, sendBack, receive }) => {
      const abort = new AbortController()
      let requested = false
      const create = () => {
        if (requested) return
        requested = true
        hub.createChannel(input.roomId, CHAT_CHANNEL_LABEL, true, abort.signal).catch((error: unknown) => {
          // Someone created it first: the hub opens it for us all the same.
          if (abort.signal.aborted || (error instanceof HubError && error.kind === 'conflict')) return
          log('could not create the chat channel', { error: String(error) })
        })
      }
      if (input.createNow) create()
      const unwatch = channels.watch(CHAT_CHANNEL_LABEL, (event) => {
        if (event.type === 'open') return sendBack({ type: 'chat.open' } satisfies ChatChannelEvent)
        if (event.type === 'close') return sendBack({ type: 'chat.closed' } satisfies ChatChannelEvent)
        const parsed = parseChatFrame(event.data)
        if (!parsed.ok) return log('ignored a chat frame', { error: parsed.error })
        sendBack({ type: 'chat.frame', message: parsed.message, at: clock.now() } satisfies ChatChannelEvent)
      })
      receive((command) => {
        if (command.type === 'chat.ensure') return create()
        if (!channels.send(CHAT_CHANNEL_LABEL, JSON.stringify(command.message))) sendBack({ type: 'chat.unsent', message: command.message } satisfies ChatChannelEvent)
      })
      return () => {
        abort.abort()
        unwatch()
      }
    }),
  }
}

export type ChatActors = ReturnType<typeof chatActors>

// The room's chat: messages over the `parley.chat` data channel (chatActors.ts owns the channel).
// `connecting` until the hub's channel is open: what we write meanwhile is queued (shown as queued)
// and sent, in order, on entering `open`; never dropped silently. What we receive, and the unread
// count, flood limits and notices, are chatLog.ts's pure operations. Late joiners see messages from
// when they joined: the hub keeps no history (a UI says so).
import type { ChatMessage } from '@parley/protocol'
import { assign, enqueueActions, sendParent, sendTo, setup } from 'xstate'
import { composed, emptyChatLog, markQueued, markSent, read, received, type ChatLog } from '../chatLog.js'
import type { ChatActors, ChatChannelEvent } from './chatActors.js'
import { notProvided } from './notProvided.js'

export interface ChatInput {
  roomId: string
  clientId: string
  name: string
  /** We created the room, so we create its chat channel (chatActors.ts). */
  roomCreator: boolean
}

export interface ChatContext extends ChatInput {
  log: ChatLog
  /** Ours, written while the channel was not open, oldest first. */
  outbox: ChatMessage[]
  /** Our message ids: `<clientId>-<n>`. */
  sent: number
}

export type ChatEvent =
  | { type: 'user.sendChat'; text: string; at: number }
  | { type: 'user.readChat' }
  | ChatChannelEvent

/** Our message for this text (validated by chatLog's `composed`). */
function messageOf(context: ChatContext, text: string, at: number): ChatMessage {
  return { type: 'chat', id: `${context.clientId}-${context.sent + 1}`, from: context.clientId, name: context.name, time: at, text }
}

export const chatMachine = setup({
  types: {} as { context: ChatContext; events: ChatEvent; input: ChatInput },
  actors: {
    chatChannel: notProvided<ChatActors['chatChannel']>('chatChannel'),
  },
  actions: {
    /** Open channel: logged as sent and handed to the channel actor. */
    sendNow: enqueueActions(({ context, enqueue }, params: { text: string; at: number }) => {
      const message = messageOf(context, params.text, params.at)
      const result = composed(context.log, message, params.at, 'sent')
      enqueue.assign({ log: result.log, sent: context.sent + (result.accepted ? 1 : 0) })
      if (result.accepted) enqueue.sendTo('chatChannel', { type: 'chat.transmit', message })
    }),
    /** Channel not open yet: logged as queued, kept in the outbox. */
    queue: assign(({ context }, params: { text: string; at: number }) => {
      const message = messageOf(context, params.text, params.at)
      const result = composed(context.log, message, params.at, 'queued')
      if (!result.accepted) return { log: result.log }
      return { log: result.log, sent: context.sent + 1, outbox: [...context.outbox, message] }
    }),
    flushOutbox: enqueueActions(({ context, enqueue }) => {
      if (context.outbox.length === 0) return
      for (const message of context.outbox) enqueue.sendTo('chatChannel', { type: 'chat.transmit', message })
      enqueue.assign({ outbox: [], log: markSent(context.log, context.outbox.map((m) => m.id), context.clientId) })
    }),
    requeue: assign(({ context }, message: ChatMessage) => ({
      outbox: [...context.outbox, message],
      log: markQueued(context.log, message.id, context.clientId),
    })),
    receive: assign({ log: ({ context }, params: { message: ChatMessage; at: number }) => received(context.log, params.message, params.at) }),
    markRead: assign({ log: ({ context }) => read(context.log) }),
    // A UI reads the chat from this child's snapshot: the conference's snapshot must move too.
    notifyParent: sendParent({ type: 'extras.changed' }),
  },
}).createMachine({
  id: 'chat',
  context: ({ input }) => ({ ...input, log: emptyChatLog(), outbox: [], sent: 0 }),
  invoke: { id: 'chatChannel', src: 'chatChannel', input: ({ context }) => ({ roomId: context.roomId, createNow: context.roomCreator }) },
  initial: 'connecting',
  on: {
    'chat.frame': { actions: [{ type: 'receive', params: ({ event }) => ({ message: event.message, at: event.at }) }, 'notifyParent'] },
    'user.readChat': { actions: ['markRead', 'notifyParent'] },
  },
  states: {
    connecting: {
      entry: 'notifyParent',
      on: {
        'chat.open': 'open',
        // A room another app made may have no chat channel yet: writing asks the hub for one.
        'user.sendChat': {
          actions: [{ type: 'queue', params: ({ event }) => ({ text: event.text, at: event.at }) }, sendTo('chatChannel', { type: 'chat.ensure' }), 'notifyParent'],
        },
        'chat.unsent': { actions: [{ type: 'requeue', params: ({ event }) => event.message }, 'notifyParent'] },
      },
    },
    open: {
      entry: ['flushOutbox', 'notifyParent'],
      on: {
        'chat.closed': 'connecting',
        'user.sendChat': { actions: [{ type: 'sendNow', params: ({ event }) => ({ text: event.text, at: event.at }) }, 'notifyParent'] },
        // The channel closed under it: wait for it to open again.
        'chat.unsent': { target: 'connecting', actions: { type: 'requeue', params: ({ event }) => event.message } },
      },
    },
  },
})

export type ChatMachine = typeof chatMachine

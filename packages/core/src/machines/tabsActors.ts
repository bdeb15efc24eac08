// The tabs machine's I/O: one same-origin broadcast channel (`BroadcastChannel` in a browser) shared by
// the tabs of one browser profile. It validates what arrives (anything else is dropped: other code of
// the same origin may use the channel name) and posts what the machine asks. What it claimed it
// releases when it stops, so a tab whose conference ends (or is stopped) never keeps a room.
import { fromCallback } from 'xstate'
import type { TabChannelFactory } from '../ports.js'

export const TAB_CHANNEL_NAME = 'parley.tabs'

/** What tabs tell each other, about one room each. `from` is the posting tab's id. */
export type TabMessage =
  /** Is any tab in this room? (before a join, and while a pre-join shows the room) */
  | { type: 'query'; roomId: string; from: string }
  /** I am in this room (the answer to a query). */
  | { type: 'present'; roomId: string; from: string }
  /** I am in this room now (a join): a tab still in it that outranks nobody yields (two joins at once). */
  | { type: 'claim'; roomId: string; from: string }
  /** Please leave this room: the person joins it in my tab instead. */
  | { type: 'takeOver'; roomId: string; from: string }
  /** I left this room. */
  | { type: 'gone'; roomId: string; from: string }

const TYPES = new Set<TabMessage['type']>(['query', 'present', 'claim', 'takeOver', 'gone'])

/** A message from another tab, or null for anything else on the channel. */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null) return null
  const { type, roomId, from } = data as Record<string, unknown>
  if (typeof type !== 'string' || !TYPES.has(type as TabMessage['type'])) return null
  if (typeof roomId !== 'string' || roomId === '' || typeof from !== 'string' || from === '') return null
  return { type: type as TabMessage['type'], roomId, from }
}

/** A message from another tab, as the tabs machine receives it: `tab.query`, `tab.claim`… */
export type TabChannelEvent = { type: `tab.${TabMessage['type']}`; roomId: string; from: string }

export type TabChannelCommand = { type: 'tab.post'; message: TabMessage }

export function tabsActors(tabs: TabChannelFactory | undefined) {
  return {
    tabChannel: fromCallback<TabChannelCommand>(({ sendBack, receive }) => {
      if (!tabs) return
      const channel = tabs(TAB_CHANNEL_NAME)
      /** The room we last said we are in, released on stop unless we already said we left. */
      let claimed: { roomId: string; from: string } | null = null
      const onMessage = (event: { data?: unknown }) => {
        const message = parseTabMessage(event.data)
        if (message) sendBack({ type: `tab.${message.type}`, roomId: message.roomId, from: message.from } satisfies TabChannelEvent)
      }
      channel.addEventListener('message', onMessage)
      receive(({ message }) => {
        if (message.type === 'claim' || message.type === 'present') claimed = { roomId: message.roomId, from: message.from }
        if (message.type === 'gone') claimed = null
        channel.postMessage(message)
      })
      return () => {
        channel.removeEventListener('message', onMessage)
        // Messages posted before close() are still delivered: the other tab learns we are gone.
        if (claimed) channel.postMessage({ type: 'gone', ...claimed } satisfies TabMessage)
        channel.close()
      }
    }),
  }
}

export type TabsActors = ReturnType<typeof tabsActors>

// The video size machine's I/O: the hub's `internal` data channel (hub-api-v1.md §5), which the hub opens
// on our peer connection after the first negotiation (a fresh session opens a new one). Heard through
// the data-channel holder, as the chat's channel is; a hub that never opens it (hosted, older) just
// never says `internal.open`. A frame that cannot leave (the channel went with its session) closes it here.
import { INTERNAL_CHANNEL_LABEL } from '@parley/protocol'
import { fromCallback } from 'xstate'
import type { DataChannels } from '../dataChannels.js'

export type InternalChannelEvent = { type: 'internal.open' } | { type: 'internal.closed' }
export type InternalChannelCommand = { type: 'internal.send'; frame: string }

export function videoSizeActors(channels: DataChannels) {
  return {
    internalChannel: fromCallback<InternalChannelCommand>(({ sendBack, receive }) => {
      const closed = () => sendBack({ type: 'internal.closed' } satisfies InternalChannelEvent)
      receive(({ frame }) => channels.send(INTERNAL_CHANNEL_LABEL, frame) || closed())
      // What the hub says on it (voice activity) is not used: only open and close matter.
      return channels.watch(INTERNAL_CHANNEL_LABEL, ({ type }) => (type === 'open' ? sendBack({ type: 'internal.open' } satisfies InternalChannelEvent) : type === 'close' && closed()))
    }),
  }
}

export type VideoSizeActors = ReturnType<typeof videoSizeActors>

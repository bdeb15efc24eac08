// How large this client shows each remote video, told to the hub on its `internal` channel
// (videoSizeActors.ts) so that it sends a small tile a narrow simulcast layer and pauses what nobody
// sees (0×0: off screen or hidden). A UI reports every change (`video.resized`); only changes leave, at
// most one frame per track each `videoSizeInterval`; a channel that (re)opens, a fresh session's, is
// sent the latest size of every track. Until a channel opens the sizes are only kept. It runs for the
// conference's whole life, so a recovery's new session hears what the UI reported before. Only the
// sizes of the tracks the hub announces to us are kept: the conference says which those are whenever
// its roster's announcements change (`tracks.announced`), and a track that went (its publisher left,
// stopped a share) is forgotten at once, so no later channel hears of it. The user's choice of incoming
// video (`user.setIncomingVideo`: all as drawn, cameras at their narrowest layer, or no camera) frames
// every size (incomingVideo.ts); a new choice sends what it changed, as a resize does.
import { videoSizeFrame } from '@parley/protocol'
import { assign, enqueueActions, setup } from 'xstate'
import type { InternalChannelEvent, VideoSizeActors } from './videoSizeActors.js'
import { askedSize, type DrawnSize, type IncomingVideo } from './incomingVideo.js'
import { notProvided } from './notProvided.js'

export const VIDEO_SIZE_INTERVAL_MS = 200

export interface VideoSizeContext {
  /** The tracks the hub announces to us now (the roster's, by the hub's track id): a report of another is not kept. */
  announced: string[]
  /** The announced tracks that are shared screens (shown as drawn whatever the incoming video). */
  screens: string[]
  /** What the user chose to receive of others' cameras. */
  incoming: IncomingVideo
  /** Each announced track's latest size as drawn (before the incoming choice frames it). */
  drawn: Record<string, DrawnSize>
  /**
   * The frame each track's latest size makes under the incoming choice, by the hub's track id: the publisher's MSID track id, which
   * `tracks_available` names and the view carries (the receiving browser's own id may differ: Firefox's does).
   */
  sizes: Record<string, string>
  /** The frames the open channel was sent (each names its track). */
  sent: string[]
}

/** A size the UI reports; the tracks the hub announces to us now, from the conference as its roster changes. */
export type VideoSizeEvent =
  | { type: 'video.resized'; trackId: string; width: number; height: number }
  | { type: 'tracks.announced'; trackIds: string[]; screenTrackIds?: string[] }
  | { type: 'user.setIncomingVideo'; mode: IncomingVideo }
  | InternalChannelEvent


const changed = ({ sizes, sent }: VideoSizeContext) => Object.values(sizes).filter((frame) => !sent.includes(frame))

/** Every kept track's frame under the incoming choice. */
function framed({ drawn, screens, incoming }: Pick<VideoSizeContext, 'drawn' | 'screens' | 'incoming'>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(drawn).map(([trackId, size]) => {
      const asked = askedSize(incoming, size, screens.includes(trackId))
      return [trackId, videoSizeFrame(trackId, asked.width, asked.height)]
    }),
  )
}

export const videoSizeMachine = setup({
  types: {} as { context: VideoSizeContext; events: VideoSizeEvent },
  actors: {
    internalChannel: notProvided<VideoSizeActors['internalChannel']>('internalChannel'),
  },
  delays: {
    videoSizeInterval: VIDEO_SIZE_INTERVAL_MS,
  },
  guards: {
    hasChanges: ({ context }) => changed(context).length > 0,
    isAnnounced: ({ context }, trackId: string) => context.announced.includes(trackId),
  },
  actions: {
    storeSize: assign(({ context }, { trackId, width, height }: { trackId: string; width: number; height: number }) => {
      const drawn = { ...context.drawn, [trackId]: { width, height } }
      return { drawn, sizes: framed({ ...context, drawn }) }
    }),
    /** The sizes of tracks no longer announced go with them. */
    storeAnnounced: assign(({ context }, { announced, screens }: { announced: string[]; screens: string[] }) => {
      const drawn = Object.fromEntries(Object.entries(context.drawn).filter(([id]) => announced.includes(id)))
      return { announced, screens, drawn, sizes: framed({ ...context, drawn, screens }) }
    }),
    storeIncoming: assign(({ context }, incoming: IncomingVideo) => ({ incoming, sizes: framed({ ...context, incoming }) })),
    sendChanges: enqueueActions(({ context, enqueue }) => {
      for (const frame of changed(context)) enqueue.sendTo('internalChannel', { type: 'internal.send', frame })
      enqueue.assign({ sent: Object.values(context.sizes) })
    }),
  },
}).createMachine({
  id: 'videoSize',
  context: { announced: [], screens: [], incoming: 'auto', drawn: {}, sizes: {}, sent: [] },
  invoke: { id: 'internalChannel', src: 'internalChannel' },
  on: {
    'video.resized': { guard: { type: 'isAnnounced', params: ({ event }) => event.trackId }, actions: { type: 'storeSize', params: ({ event }) => event } },
    'tracks.announced': { actions: { type: 'storeAnnounced', params: ({ event }) => ({ announced: event.trackIds, screens: event.screenTrackIds ?? [] }) } },
    'user.setIncomingVideo': { actions: { type: 'storeIncoming', params: ({ event }) => event.mode } },
  },
  initial: 'closed',
  states: {
    closed: {
      on: { 'internal.open': 'open' },
    },
    open: {
      // A new channel (a fresh session's) was sent nothing yet.
      entry: assign({ sent: [] }),
      on: { 'internal.closed': 'closed', 'internal.open': { target: 'open', reenter: true } },
      initial: 'idle',
      states: {
        // Checked after every change (the sizes are stored on the machine itself).
        idle: {
          always: { guard: 'hasChanges', target: 'coolingDown', actions: 'sendChanges' },
        },
        // What changes meanwhile is kept, and leaves when this ends.
        coolingDown: {
          after: { videoSizeInterval: 'idle' },
        },
      },
    },
  },
})

export type VideoSizeMachine = typeof videoSizeMachine

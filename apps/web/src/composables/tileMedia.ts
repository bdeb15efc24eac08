// What a VideoTile needs besides its Tile: the stream registry to bind from and the autoplay
// guard to play through. Provided once near the root (App.vue), injected by every tile, so a tile
// reads no store.
import { inject, provide } from 'vue'
import type { InjectionKey } from 'vue'
import type { StreamRegistry } from '../conference/types'
import type { SelfVideo } from './adoptedVideo'
import type { RemoteVideos } from './remoteVideos'
import type { MediaStreamBindingOptions } from './useMediaStream'
import { videoSizeReports, type VideoSizeReports, type VideoSizeWindow } from './useVideoSize'

export interface TileMedia extends Required<Omit<MediaStreamBindingOptions, 'keeps'>> {
  streams(): StreamRegistry | undefined
  /** The speaker others' sound plays through ('' the default; absent: the element's own). */
  speaker?(): string
  /** Your camera's one element, shown by the pre-join's preview and then by the call's own tile. */
  selfVideo?: SelfVideo
  /** Others' streams, each in an element made when the core delivered it (remoteVideos.ts); absent: each tile draws its own. */
  remoteVideos?: RemoteVideos
  /**
   * True while the screen drawing the tile is drawn ahead, hidden (the call under the pre-join): its own
   * tile then leaves your camera's element with the preview until it is shown.
   */
  hidden?(): boolean
  /** How large each remote video is shown (CSS pixels; 0×0 not shown), for the core's `reportVideoSize`: one per page (composables/useVideoSize.ts). */
  videoSizes?: VideoSizeReports
  /** The observers and document the tiles measure with (a test's); absent: the page's. */
  sizeWindow?: VideoSizeWindow
}

export const TILE_MEDIA: InjectionKey<TileMedia> = Symbol('parley.tileMedia')

export function provideTileMedia(media: TileMedia): void {
  provide(TILE_MEDIA, media)
}

export function useTileMedia(): TileMedia {
  const media = inject(TILE_MEDIA, undefined)
  if (!media) throw new Error('A VideoTile needs provideTileMedia() above it (App.vue provides it)')
  return media
}

/** The tile media of the running app: the session's streams, played through the autoplay guard. */
export function tileMediaOf(
  session: { readonly streams: StreamRegistry | undefined; reportVideoSize?(trackId: string, width: number, height: number): void },
  autoplay: Pick<TileMedia, 'play' | 'register' | 'unregister'>,
  devices?: { readonly speaker: string },
  selfVideo?: SelfVideo,
  remoteVideos?: RemoteVideos,
): TileMedia {
  return {
    streams: () => session.streams,
    ...(devices ? { speaker: () => devices.speaker } : {}),
    ...(selfVideo ? { selfVideo } : {}),
    ...(remoteVideos ? { remoteVideos } : {}),
    ...(session.reportVideoSize ? { videoSizes: videoSizeReports((trackId, width, height) => session.reportVideoSize?.(trackId, width, height)) } : {}),
    play: (element) => autoplay.play(element),
    register: (element) => autoplay.register(element),
    unregister: (element) => autoplay.unregister(element),
  }
}

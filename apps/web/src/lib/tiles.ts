// Which tiles the call shows and what each one says: plain data the grid renders.
import type { ConferenceView, Participant } from '../conference/types'

export interface Tile {
  /** 'local' or the participant's client id: stable, so tiles never remount when others come and go. */
  key: string
  local: boolean
  name: string
  /** Stream registry id of the media to bind, when there is one. */
  streamId?: string
  audioEnabled: boolean
  videoEnabled: boolean
  /** Video is on and a live video track has arrived: otherwise the tile shows the avatar. */
  showVideo: boolean
  /**
   * How the picture fills the 16:9 box: a camera is cropped (cover), a shared screen is
   * letterboxed (contain) so no text at its edges is lost.
   */
  fit: 'cover' | 'contain'
}

export const LOCAL_TILE_KEY = 'local'

export function localTile(view: ConferenceView, displayName: string): Tile {
  const { local } = view
  const videoEnabled = local.videoAvailable && local.videoEnabled
  return {
    key: LOCAL_TILE_KEY,
    local: true,
    name: view.displayName || displayName || 'You',
    ...(local.streamId !== undefined ? { streamId: local.streamId } : {}),
    audioEnabled: local.audioAvailable && local.audioEnabled,
    videoEnabled,
    showVideo: videoEnabled && local.streamId !== undefined,
    fit: 'cover',
  }
}

export function remoteTile(participant: Participant): Tile {
  const videoLive = participant.tracks.some((track) => track.kind === 'video' && track.live)
  const streamId = participant.streamIds[0]
  const shownVideo = participant.tracks.find((track) => track.kind === 'video' && track.streamId === streamId)
  return {
    key: participant.clientId,
    local: false,
    name: participant.name.trim() || 'Guest',
    ...(streamId !== undefined ? { streamId } : {}),
    audioEnabled: participant.audioEnabled,
    videoEnabled: participant.videoEnabled,
    showVideo: participant.videoEnabled && videoLive && streamId !== undefined,
    fit: shownVideo?.source === 'screen' ? 'contain' : 'cover',
  }
}

/** You first, then everyone else in the order the core lists them. */
export function buildTiles(view: ConferenceView, displayName: string): Tile[] {
  return [localTile(view, displayName), ...view.participants.map(remoteTile)]
}

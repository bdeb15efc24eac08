// Which tiles the call shows and what each one says: plain data the grid renders.
import { GUEST_NAME } from '../conference/types'
import type { ConferenceView, Participant, QualityFigures } from '../conference/types'

export interface Tile {
  /** 'local' or the participant's client id: stable, so tiles never remount when others come and go. */
  key: string
  local: boolean
  name: string
  /** The caption: "You" on your own tile, the name on the others. */
  label: string
  /** What a screen reader says for the tile, e.g. "Grace, camera off, microphone off". */
  accessibleName: string
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
  /** Heard now (outlined). */
  speaking?: boolean
  /** Connection quality and its figures, once the core measured them. */
  quality?: QualityFigures
  /** The camera is on but no frame arrived for over 2 s: "connection problem" instead of a frozen picture. */
  videoPaused?: boolean
  handRaised?: boolean
}

export const LOCAL_TILE_KEY = 'local'

/**
 * The name the app shows for a participant. The core's view already names the nameless `GUEST_NAME`;
 * this guards a blank name with the same word, so the fallback has one home (the core).
 */
export function participantName(participant: Pick<Participant, 'name'>): string {
  return participant.name.trim() || GUEST_NAME
}

export function accessibleNameOf(label: string, media: { videoEnabled: boolean; audioEnabled: boolean }): string {
  return `${label}, camera ${media.videoEnabled ? 'on' : 'off'}, microphone ${media.audioEnabled ? 'on' : 'off'}`
}

export function localTile(view: ConferenceView, displayName: string): Tile {
  const { local } = view
  const videoEnabled = local.videoAvailable && local.videoEnabled
  const audioEnabled = local.audioAvailable && local.audioEnabled
  return {
    key: LOCAL_TILE_KEY,
    local: true,
    name: view.displayName || displayName || 'You',
    label: 'You',
    accessibleName: accessibleNameOf('You', { videoEnabled, audioEnabled }),
    ...(local.streamId !== undefined ? { streamId: local.streamId } : {}),
    audioEnabled,
    videoEnabled,
    showVideo: videoEnabled && local.streamId !== undefined,
    fit: 'cover',
    ...(audioEnabled && view.localStats?.speaking ? { speaking: true } : {}),
    ...(view.localStats ? { quality: view.localStats } : {}),
    ...(view.handRaised ? { handRaised: true } : {}),
  }
}

export function remoteTile(participant: Participant): Tile {
  const videoLive = participant.tracks.some((track) => track.kind === 'video' && track.live)
  const streamId = participant.streamIds[0]
  const shownVideo = participant.tracks.find((track) => track.kind === 'video' && track.streamId === streamId)
  const name = participantName(participant)
  return {
    key: participant.clientId,
    local: false,
    name,
    label: name,
    accessibleName: accessibleNameOf(name, participant),
    ...(streamId !== undefined ? { streamId } : {}),
    audioEnabled: participant.audioEnabled,
    videoEnabled: participant.videoEnabled,
    showVideo: participant.videoEnabled && videoLive && streamId !== undefined,
    fit: shownVideo?.source === 'screen' ? 'contain' : 'cover',
    ...(participant.speaking ? { speaking: true } : {}),
    ...(participant.quality ? { quality: participant.quality } : {}),
    ...(participant.videoPaused ? { videoPaused: true } : {}),
    ...(participant.handRaised ? { handRaised: true } : {}),
  }
}

/** You first, then everyone else in the order the core lists them. */
export function buildTiles(view: ConferenceView, displayName: string): Tile[] {
  return [localTile(view, displayName), ...view.participants.map(remoteTile)]
}

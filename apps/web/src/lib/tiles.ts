// Which tiles the call shows and what each one says: plain data the grid renders.
import { GUEST_NAME } from '../conference/types'
import type { ConferenceView, E2eeStreamState, Participant, QualityFigures, RemoteTrackInfo } from '../conference/types'

export interface Tile {
  /** 'local', the participant's client id, or `screen:` and either: stable, so tiles never remount when others come and go. */
  key: string
  local: boolean
  /** A person's camera tile, or a shared screen. */
  kind: 'camera' | 'screen'
  name: string
  /** The caption: "Ada (you)" on your own tile, the name on the others, "Ada's screen" on a share. */
  label: string
  /** What the avatar colour is derived from: the client id, so everyone sees the same colour for a person. */
  hueKey: string
  /** What a screen reader says for the tile, e.g. "Grace, camera off, microphone off". */
  accessibleName: string
  /** Stream registry id of the media to bind, when there is one. */
  streamId?: string
  /** A remote tile's live video track, by the hub's track id (not the received track's own, which Firefox makes up): how large it is drawn goes to the core (composables/useVideoSize.ts). */
  videoTrackId?: string
  audioEnabled: boolean
  videoEnabled: boolean
  /** Video is on, a live video track has arrived and you did not turn it off (audio only): otherwise the tile shows the avatar. */
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
  /** The hub hears nothing from them (Parley's hub): "connection problem", whether their camera is on or not. */
  connectionProblem?: boolean
  /** The tile says "Connection problem": its video stalled or the hub hears nothing from them. */
  connectionWarning?: boolean
  /**
   * Parley's hub stopped sending us this video because *our* connection cannot carry it (their audio
   * still plays): the tile keeps its last frame or avatar and says so, apart from their connection problem.
   */
  pausedForYou?: boolean
  handRaised?: boolean
  /**
   * An end-to-end encrypted call whose frames from this stream are not shown: `undecryptable`, they were
   * encrypted with another key; `unencrypted`, they were not encrypted at all; `locked`, we hold no key and
   * they encrypt (their media state says so). The tile shows the avatar and says so (`locked`: silent too).
   */
  e2ee?: Exclude<E2eeStreamState, 'decrypting'> | 'locked'
}

/** How the end-to-end encryption of each remote stream fares (by stream id), in an encrypted call. */
export type E2eeStreams = Readonly<Record<string, E2eeStreamState>>

export const LOCAL_TILE_KEY = 'local'
const SCREEN_KEY_PREFIX = 'screen:'

export function screenTileKey(ownerKey: string): string {
  return `${SCREEN_KEY_PREFIX}${ownerKey}`
}

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
  const name = view.displayName || displayName
  const label = name ? `${name} (you)` : 'You'
  return {
    key: LOCAL_TILE_KEY,
    local: true,
    kind: 'camera',
    name: name || 'You',
    label,
    // The others derive your colour from your client id (their tile key for you): so do you.
    hueKey: view.clientId ?? (name || LOCAL_TILE_KEY),
    accessibleName: accessibleNameOf(label, { videoEnabled, audioEnabled }),
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

/** The participant's streams that are not screen shares (their camera and microphone). */
function cameraStreamOf(participant: Participant): string | undefined {
  const screens = new Set(participant.tracks.filter((track) => track.source === 'screen').map((track) => track.streamId))
  return participant.streamIds.find((id) => !screens.has(id))
}

/** This stream's live video track, once it arrived: its id for the size reports, its `pausedByHub` for "paused for you". */
function liveVideoOf(participant: Participant, streamId: string | undefined): RemoteTrackInfo | undefined {
  return participant.tracks.find((track) => track.kind === 'video' && track.live && track.streamId === streamId)
}

export function remoteTile(participant: Participant): Tile {
  const streamId = cameraStreamOf(participant)
  const video = liveVideoOf(participant, streamId)
  const videoTrackId = video?.trackId
  const name = participantName(participant)
  return {
    key: participant.clientId,
    local: false,
    kind: 'camera',
    name,
    label: name,
    hueKey: participant.clientId,
    accessibleName: accessibleNameOf(name, participant),
    ...(streamId !== undefined ? { streamId } : {}),
    ...(videoTrackId !== undefined ? { videoTrackId } : {}),
    audioEnabled: participant.audioEnabled,
    videoEnabled: participant.videoEnabled,
    // A camera you turned off (audio only) shows the avatar: the hub sends none of it, so its last frame would stay.
    showVideo: participant.videoEnabled && videoTrackId !== undefined && streamId !== undefined && video?.turnedOff !== true,
    fit: 'cover',
    ...(participant.speaking ? { speaking: true } : {}),
    ...(participant.quality ? { quality: participant.quality } : {}),
    ...(participant.videoPaused ? { videoPaused: true } : {}),
    ...(participant.connectionProblem ? { connectionProblem: true } : {}),
    ...(participant.videoPaused || participant.connectionProblem ? { connectionWarning: true } : {}),
    // With their camera off there is no video to pause: the avatar says enough.
    ...(participant.videoEnabled && video?.pausedByHub !== undefined && video.turnedOff !== true ? { pausedForYou: true } : {}),
    ...(participant.handRaised ? { handRaised: true } : {}),
  }
}

function screenTile(key: string, name: string, streamId: string, local: boolean, hueKey: string, paused = false, videoTrackId?: string): Tile {
  const label = local ? 'Your screen' : `${name}'s screen`
  return {
    key: screenTileKey(key),
    local,
    kind: 'screen',
    name,
    label,
    hueKey,
    accessibleName: `${label}, shared screen`,
    streamId,
    ...(videoTrackId !== undefined ? { videoTrackId } : {}),
    // A screen share has its own audio (tab or system sound), not the person's microphone state.
    audioEnabled: true,
    videoEnabled: true,
    showVideo: true,
    fit: 'contain',
    ...(paused ? { pausedForYou: true } : {}),
  }
}

/** Every screen being shared: the others' (live screen streams) and ours, each labelled with the sharer's name. */
export function screenTiles(view: ConferenceView, displayName: string): Tile[] {
  const remote = view.participants.flatMap((participant) => {
    const live = participant.tracks.filter((track) => track.source === 'screen' && track.kind === 'video' && track.live)
    return [...new Set(live.map((track) => track.streamId))].map((streamId) => {
      const video = liveVideoOf(participant, streamId)
      return screenTile(participant.clientId, participantName(participant), streamId, false, participant.clientId, video?.pausedByHub !== undefined, video?.trackId)
    })
  })
  const own = view.screenShare?.state === 'sharing' && view.screenShare.streamId ? [screenTile(LOCAL_TILE_KEY, view.displayName || displayName, view.screenShare.streamId, true, view.clientId ?? LOCAL_TILE_KEY)] : []
  return [...remote, ...own]
}

/**
 * A remote tile whose stream's frames an encrypted call does not show: the avatar, and why. Its video is not
 * "paused" then (no frame reaches the decoder by design): only the hub's hearing nothing is a connection problem.
 */
const undecoded = (tile: Tile, e2ee: NonNullable<Tile['e2ee']>): Tile => ({ ...tile, showVideo: false, e2ee, videoPaused: false, connectionWarning: tile.connectionProblem })

function withE2ee(tile: Tile, e2ee: E2eeStreams | undefined): Tile {
  const state = tile.local || tile.streamId === undefined ? undefined : e2ee?.[tile.streamId]
  return state === undefined || state === 'decrypting' ? tile : undecoded(tile, state)
}

/** You first, then everyone else in the order the core lists them, then the shared screens. */
export function buildTiles(view: ConferenceView, displayName: string, e2ee?: E2eeStreams): Tile[] {
  const tiles = [localTile(view, displayName), ...view.participants.map(remoteTile), ...screenTiles(view, displayName)]
  if (e2ee) return tiles.map((tile) => withE2ee(tile, e2ee))
  // No key here: whoever encrypts sends what we cannot decode (a remote tile's hueKey is its client id).
  const locked = new Set(view.participants.filter((participant) => participant.encrypted).map((participant) => participant.clientId))
  return locked.size ? tiles.map((tile) => (locked.has(tile.hueKey) && !tile.local ? undecoded(tile, 'locked') : tile)) : tiles
}

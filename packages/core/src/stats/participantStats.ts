// The stats summary (keyed by the receiver's track ids) joined to the participants the view lists.
import type { Participant } from '../api.js'
import type { Roster } from '../roster.js'
import { worstQuality, type LocalStats, type QualityFigures, type StatsSummary, type TrackStats } from './analysis.js'

export type { LocalStats, QualityFigures }

/**
 * A participant's audio level, speaking, quality and paused video from their live tracks' stats.
 * `unwatched`: the hub's ids of the video tracks we asked for none of (not drawn, or turned off).
 */
export function withStats(participants: Participant[], roster: Roster, summary: StatsSummary, unwatched: ReadonlySet<string> = new Set()): Participant[] {
  const tracksOfStream = new Map<string, { trackId: string; streamId: string; stats: TrackStats }[]>()
  for (const live of Object.values(roster.live)) {
    const stats = summary.tracks[live.trackId]
    if (!stats) continue
    tracksOfStream.set(live.streamId, [...(tracksOfStream.get(live.streamId) ?? []), { trackId: live.trackId, streamId: live.streamId, stats }])
  }
  return participants.map((participant) => {
    const tracks = participant.streamIds.flatMap((streamId) => tracksOfStream.get(streamId) ?? [])
    if (tracks.length === 0) return participant
    const audio = tracks.filter((t) => t.stats.kind === 'audio')
    const video = tracks.filter((t) => t.stats.kind === 'video')
    // Every track lost is a lost connection; otherwise the worst of those still arriving.
    const arriving = tracks.filter((t) => t.stats.quality !== 'lost')
    const worst = arriving.length === 0 ? tracks[0]! : arriving.reduce((a, b) => (worstQuality([a.stats.quality, b.stats.quality]) === b.stats.quality ? b : a))
    const { kind: _kind, audioLevel: _level, speaking: _speaking, paused: _paused, ...figures } = worst.stats
    const quality: QualityFigures = {
      ...figures,
      quality: arriving.length === 0 ? 'lost' : worst.stats.quality,
      // Frame rate is a video figure: shown from the camera track even when audio is the worst.
      ...(video[0]?.stats.framesPerSecond !== undefined ? { framesPerSecond: video[0].stats.framesPerSecond } : {}),
    }
    const audioLevel = Math.max(0, ...audio.map((t) => t.stats.audioLevel ?? 0))
    return {
      ...participant,
      audioLevel,
      // Someone muted is never shown speaking (their silence frames can still carry a level).
      speaking: participant.audioEnabled && audio.some((t) => t.stats.speaking === true),
      quality,
      // A video the hub paused for our link, or one we asked none of (a tile on another page, a camera
      // turned off), stalls by design: not their problem.
      videoPaused: participant.videoEnabled && video.some((t) => t.stats.paused === true && !participant.tracks.some((p) => p.kind === 'video' && p.streamId === t.streamId && (p.pausedByHub || unwatched.has(p.trackId)))),
    }
  })
}

/** The client id of the active speaker: a remote participant's, or ours (`self`) for `'local'`. */
export function activeSpeakerOf(participants: Participant[], roster: Roster, summary: StatsSummary, self: string | undefined): string | undefined {
  const id = summary.activeSpeaker
  if (id === null) return undefined
  if (id === 'local') return self
  const streamId = roster.live[id]?.streamId
  return participants.find((p) => streamId !== undefined && p.streamIds.includes(streamId))?.clientId
}

// The participants panel's rows: you first, then everyone else, as plain data the panel renders.
import type { ConferenceView, QualityFigures } from '../conference/types'
import { participantName } from './tiles'

export interface ParticipantRow {
  key: string
  you: boolean
  /** Shown as text (never markup). */
  name: string
  audioEnabled: boolean
  videoEnabled: boolean
  speaking: boolean
  handRaised: boolean
  isHost: boolean
  quality?: QualityFigures
}

export function participantRows(view: ConferenceView, displayName: string): ParticipantRow[] {
  const local = view.local
  const you: ParticipantRow = {
    key: 'local',
    you: true,
    name: view.displayName || displayName || 'You',
    audioEnabled: local.audioAvailable && local.audioEnabled,
    videoEnabled: local.videoAvailable && local.videoEnabled,
    speaking: (local.audioAvailable && local.audioEnabled && view.localStats?.speaking) === true,
    handRaised: view.handRaised === true,
    isHost: view.host.isHost,
    ...(view.localStats ? { quality: view.localStats } : {}),
  }
  return [
    you,
    ...view.participants.map((participant): ParticipantRow => ({
      key: participant.clientId,
      you: false,
      name: participantName(participant),
      audioEnabled: participant.audioEnabled,
      videoEnabled: participant.videoEnabled,
      speaking: participant.speaking === true,
      handRaised: participant.handRaised === true,
      isHost: participant.isHost,
      ...(participant.quality ? { quality: participant.quality } : {}),
    })),
  ]
}

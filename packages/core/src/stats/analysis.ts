// From two getStats samples to what a person sees: who is speaking (with a hold, so the outline and
// the active speaker do not flicker), each track's connection quality and figures, and video that
// stopped decoding. Pure functions over plain data; the stats machine keeps the state between samples.
import { defined, type InboundFigures, type StatsSample } from './report.js'

export type Quality = 'excellent' | 'good' | 'poor' | 'lost'

/** The figures behind a quality word (shown in its tooltip). Absent when unknown. */
export interface QualityFigures {
  quality: Quality
  /** Packets lost over the last interval, in percent. */
  lossPercent?: number
  jitterMs?: number
  roundTripMs?: number
  framesPerSecond?: number
  /** Ours only: why the browser lowers what we send ('bandwidth', 'cpu', 'other'). */
  qualityLimitationReason?: string
}

/** One remote track as the UI sees it. */
export interface TrackStats extends QualityFigures {
  kind: 'audio' | 'video'
  /** 0..1, over the last interval. Audio only. */
  audioLevel?: number
  /** Audio only: heard within the speaking hold. */
  speaking?: boolean
  /** Video only: no frame decoded for longer than FROZEN_AFTER_MS. */
  paused?: boolean
}

export interface LocalStats extends QualityFigures {
  audioLevel: number
  /** Our microphone picks up speech (whether or not we send it: see the muted hint in view.ts). */
  speaking: boolean
}

/** What the conference keeps (plain data): the last results, for the view. */
export interface StatsSummary {
  tracks: Record<string, TrackStats>
  local: LocalStats
  /** The remote audio track id of the active speaker, `'local'` for ourselves, null before anyone spoke. */
  activeSpeaker: string | null
}

/** Thresholds (also in the core README). A figure in the "poor" band makes the whole word poor. */
export const QUALITY_THRESHOLDS = {
  /** Loss in percent: below 1 excellent, below 5 good, else poor. */
  lossPercent: { excellent: 1, good: 5 },
  /** Jitter in ms: below 30 excellent, below 100 good, else poor. */
  jitterMs: { excellent: 30, good: 100 },
  /** Round trip in ms: below 150 excellent, below 400 good, else poor. */
  roundTripMs: { excellent: 150, good: 400 },
  /** Decoded (or sent) frames per second: at least 15 excellent, at least 8 good, else poor. */
  framesPerSecond: { excellent: 15, good: 8 },
} as const

/** An audio level (0..1) at or above this is speech; the fake microphone's tone is far above, silence is 0. */
export const SPEAKING_LEVEL = 0.02
/** Speaking stays on this long after the last loud interval. */
export const SPEAKING_HOLD_MS = 1000
/** Another speaker takes over only after being the loudest this long (or when the current one went quiet). */
export const SPEAKER_SWITCH_MS = 1000
/** A video track whose framesDecoded has not grown for longer than this is paused. */
export const FROZEN_AFTER_MS = 2000

/** What the machine carries from one sample to the next. */
export interface StatsMemory {
  previous: StatsSample | null
  /** Per remote track id (and 'local'): when it was last loud. */
  loudAt: Record<string, number>
  /** Per video track id: when framesDecoded last grew. */
  framesGrewAt: Record<string, number>
  /** The loudest speaker who is not yet the active one, and since when. */
  challenger: { id: string; since: number } | null
  summary: StatsSummary
}

export function emptyStatsMemory(): StatsMemory {
  return { previous: null, loudAt: {}, framesGrewAt: {}, challenger: null, summary: emptySummary() }
}

export function emptySummary(): StatsSummary {
  return { tracks: {}, local: { quality: 'excellent', audioLevel: 0, speaking: false }, activeSpeaker: null }
}

const rank: Record<Quality, number> = { excellent: 0, good: 1, poor: 2, lost: 3 }
export const worstQuality = (qualities: readonly Quality[]): Quality | undefined =>
  qualities.length === 0 ? undefined : qualities.reduce((a, b) => (rank[b] > rank[a] ? b : a))

function band(value: number | undefined, limits: { excellent: number; good: number }, higherIsBetter = false): Quality {
  if (value === undefined) return 'excellent'
  if (higherIsBetter) return value >= limits.excellent ? 'excellent' : value >= limits.good ? 'good' : 'poor'
  return value < limits.excellent ? 'excellent' : value < limits.good ? 'good' : 'poor'
}

/** The word for a set of figures (without 'lost', which needs the packet counts). */
export function qualityOf(figures: Omit<QualityFigures, 'quality'>): Quality {
  const bands = [
    band(figures.lossPercent, QUALITY_THRESHOLDS.lossPercent),
    band(figures.jitterMs, QUALITY_THRESHOLDS.jitterMs),
    band(figures.roundTripMs, QUALITY_THRESHOLDS.roundTripMs),
    band(figures.framesPerSecond, QUALITY_THRESHOLDS.framesPerSecond, true),
  ]
  // The browser lowering what we send (too little bandwidth or CPU) is at best good.
  if (figures.qualityLimitationReason === 'bandwidth' || figures.qualityLimitationReason === 'cpu') bands.push('good')
  return worstQuality(bands) ?? 'excellent'
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

/** The level over the interval from the energy counters (robust to short beeps), else the momentary level. */
function levelOf(now: { audioLevel?: number; totalAudioEnergy?: number; totalSamplesDuration?: number }, before: typeof now | undefined): number {
  const energy = (now.totalAudioEnergy ?? NaN) - (before?.totalAudioEnergy ?? NaN)
  const duration = (now.totalSamplesDuration ?? NaN) - (before?.totalSamplesDuration ?? NaN)
  if (duration > 0 && energy >= 0) return round(Math.sqrt(energy / duration), 3)
  return now.audioLevel ?? 0
}

function inboundQuality(now: InboundFigures, before: InboundFigures | undefined, roundTripMs: number | undefined): QualityFigures {
  const received = now.packetsReceived - (before?.packetsReceived ?? 0)
  const lost = Math.max(0, now.packetsLost - (before?.packetsLost ?? 0))
  const lossPercent = received + lost > 0 ? round((100 * lost) / (received + lost)) : undefined
  const figures = defined({
    lossPercent,
    jitterMs: now.jitter !== undefined ? round(now.jitter * 1000) : undefined,
    roundTripMs,
    framesPerSecond: now.kind === 'video' ? now.framesPerSecond : undefined,
  })
  // Nothing arrived over a whole interval on a track we had heard from: the connection is lost.
  const quality: Quality = before !== undefined && received <= 0 ? 'lost' : qualityOf(figures)
  return { quality, ...figures }
}

/** One step: the new sample against the memory. */
export function analyse(memory: StatsMemory, sample: StatsSample): StatsMemory {
  const previous = memory.previous
  const now = sample.atMs
  const roundTripMs = sample.roundTripTime !== undefined ? round(sample.roundTripTime * 1000) : undefined
  const loudAt: Record<string, number> = {}
  const framesGrewAt: Record<string, number> = {}
  const tracks: Record<string, TrackStats> = {}
  const levels: Record<string, number> = {}

  for (const [trackId, figures] of Object.entries(sample.inbound)) {
    const before = previous?.inbound[trackId]
    const stats: TrackStats = { kind: figures.kind, ...inboundQuality(figures, before, roundTripMs) }
    if (figures.kind === 'audio') {
      const level = levelOf(figures, before)
      levels[trackId] = level
      const lastLoud = level >= SPEAKING_LEVEL ? now : memory.loudAt[trackId]
      if (lastLoud !== undefined) loudAt[trackId] = lastLoud
      stats.audioLevel = level
      stats.speaking = lastLoud !== undefined && now - lastLoud <= SPEAKING_HOLD_MS
    } else {
      const grew = before === undefined || (figures.framesDecoded ?? 0) > (before.framesDecoded ?? 0)
      const since = grew ? now : (memory.framesGrewAt[trackId] ?? now)
      framesGrewAt[trackId] = since
      stats.paused = now - since > FROZEN_AFTER_MS
    }
    tracks[trackId] = stats
  }

  const out = sample.outbound
  const localLevel = levelOf(out, previous?.outbound)
  levels.local = localLevel
  const localLoud = localLevel >= SPEAKING_LEVEL ? now : memory.loudAt.local
  if (localLoud !== undefined) loudAt.local = localLoud
  const localFigures = defined({
    lossPercent: out.fractionLost !== undefined ? round(out.fractionLost * 100) : undefined,
    jitterMs: out.jitter !== undefined ? round(out.jitter * 1000) : undefined,
    roundTripMs,
    framesPerSecond: out.framesPerSecond,
    qualityLimitationReason: out.qualityLimitationReason,
  })
  const local: LocalStats = {
    quality: qualityOf(localFigures),
    ...localFigures,
    audioLevel: localLevel,
    speaking: localLoud !== undefined && now - localLoud <= SPEAKING_HOLD_MS,
  }

  const { activeSpeaker, challenger } = nextSpeaker(memory, levels, loudAt, now)
  return { previous: sample, loudAt, framesGrewAt, challenger, summary: { tracks, local, activeSpeaker } }
}

/** The active speaker keeps the floor while speaking; a louder one takes it after SPEAKER_SWITCH_MS. */
function nextSpeaker(memory: StatsMemory, levels: Record<string, number>, loudAt: Record<string, number>, now: number) {
  const current = memory.summary.activeSpeaker
  const loudNow = Object.entries(levels).filter(([, level]) => level >= SPEAKING_LEVEL)
  const loudest = loudNow.sort(([, a], [, b]) => b - a)[0]?.[0]
  if (loudest === undefined || loudest === current) return { activeSpeaker: current, challenger: null }
  const currentSpeaking = current !== null && loudAt[current] !== undefined && now - loudAt[current]! <= SPEAKING_HOLD_MS
  if (!currentSpeaking) return { activeSpeaker: loudest, challenger: null }
  const since = memory.challenger?.id === loudest ? memory.challenger.since : now
  if (now - since >= SPEAKER_SWITCH_MS) return { activeSpeaker: loudest, challenger: null }
  return { activeSpeaker: current, challenger: { id: loudest, since } }
}

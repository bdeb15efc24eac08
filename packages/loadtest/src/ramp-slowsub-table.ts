// What the slow-subscriber run (ramp-slowsub.ts) prints: one row per second, and one line per run summing up
// what the issue asks: is the good subscriber dragged down, and for how long; does the slow one freeze; and does
// it still hear the others (its inbound audio crosses the same shaped queue as the video).
import type { SubscriberAudio } from './ramp-stats.js'

/** One subscriber's second: what it received and decoded since the last row; freezes and gaps cumulative. */
export interface SlowSubscriberSecond {
  kbps: number
  fps: number
  /** Its inbound-rtp loss over the second (packets lost of expected), as its receiver reports tell the hub. */
  lossPercent: number | null
  resolution: string
  freezes: number
  freezeMs: number
  longestGapMs: number
  currentGapMs: number
  /** Its inbound audio, cumulative since its join (ramp-stats.ts). */
  audio: SubscriberAudio
  /** Its inbound audio over this second. */
  audioSecond: AudioShare
  /** Its inbound video's packetsLost and nackCount, cumulative (a resume with a gap in the numbering shows here). */
  videoLost: number
  videoNacks: number
}

/** Audio packets lost of expected and samples concealed of received, in %, between two readings (null: none, or not reported). */
export interface AudioShare {
  lossPercent: number | null
  concealedPercent: number | null
  concealmentEvents: number | null
}

/** The audio figures from `from` (undefined: the join, all zero) to `to`. */
export function audioShare(from: SubscriberAudio | undefined, to: SubscriberAudio): AudioShare {
  const delta = (name: keyof SubscriberAudio): number | null => {
    const end = to[name]
    if (end === null) return null
    return end - (from?.[name] ?? 0)
  }
  const lost = delta('packetsLost')!
  const expected = delta('packetsReceived')! + lost
  const concealed = delta('concealedSamples')
  const samples = delta('totalSamplesReceived')
  return {
    lossPercent: expected > 0 ? (lost * 100) / expected : null,
    concealedPercent: concealed === null || samples === null || samples <= 0 ? null : (concealed * 100) / samples,
    concealmentEvents: delta('concealmentEvents'),
  }
}

export interface SlowSample {
  atS: number
  load: number
  availableKbps: number | null
  sentKbps: number | null
  resolution: string
  /** The hub's last estimate for the publisher: its REMB. */
  rembKbps: number | null
  hubLossPercent: number | null
  good: SlowSubscriberSecond
  /** `--good-subscribers` over 1: the other good ones' kbps over the second (the tables print the first's figures). */
  moreGoodKbps?: number[]
  /** null before the slow subscriber's Join click. */
  slow: SlowSubscriberSecond | null
  /** Hub counters since the publisher connected (null: that hub version has none). */
  counters: Record<string, number | null>
}

const format = (value: number | null, digits = 0) => (value === null ? '-' : value.toFixed(digits))

function side(second: SlowSubscriberSecond | null): string {
  if (!second) return '- | - | - | - | - | - | - | - | -'
  const total = audioShare(undefined, second.audio)
  const audio = `${format(second.audioSecond.lossPercent, 1)} / ${format(total.lossPercent, 1)} | ${format(second.audioSecond.concealedPercent, 1)} / ${format(total.concealedPercent, 1)} | ${format(total.concealmentEvents)}`
  return `${format(second.kbps)} | ${format(second.fps)} | ${format(second.lossPercent, 1)} | ${second.resolution} | ${second.freezes} / ${format(second.freezeMs)} | ${format(second.longestGapMs)} | ${audio}`
}

export const SLOW_TABLE_HEAD = [
  '| run | publisher | slow rate | s | publisher available kbps | publisher sent kbps | publisher resolution | hub REMB kbps | hub loss % | good kbps | good fps | good loss % | good resolution | good freezes / ms | good longest gap ms | good audio loss % (1 s / since join) | good audio concealed % (1 s / since join) | good audio concealment events | slow kbps | slow fps | slow loss % | slow resolution | slow freezes / ms | slow longest gap ms | slow audio loss % (1 s / since join) | slow audio concealed % (1 s / since join) | slow audio concealment events | hub PLIs to publisher | subscriber PLIs | NACKs relayed | load avg |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
]

export function slowRow(run: string, publisher: string, rate: string, sample: SlowSample): string {
  const counter = (name: string) => (sample.counters[name] === null || sample.counters[name] === undefined ? '-' : String(sample.counters[name]))
  return `| ${run} | ${publisher} | ${rate} | ${sample.atS} | ${format(sample.availableKbps)} | ${format(sample.sentKbps)} | ${sample.resolution} | ${format(sample.rembKbps)} | ${format(sample.hubLossPercent, 1)} | ${side(sample.good)} | ${side(sample.slow)} | ${counter('keyframeRequestsSent')} | ${counter('subscriberKeyframeRequests')} | ${counter('nacksRelayed')} | ${sample.load.toFixed(2)} |`
}

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** The share of the good subscriber's full rate under which a second counts as dragged down. */
export const DRAGGED_SHARE = 0.6

export interface SlowSummary {
  /** The good subscriber's median kbps over the seconds before the slow one joined (from s 3 on: past the start). */
  fullKbps: number | null
  /** Seconds after the slow one's join in which the good one received under DRAGGED_SHARE of that. */
  draggedSeconds: number
  /** The first and last such second, in s after the slow one's Join click (null: none). */
  draggedFrom: number | null
  draggedUntil: number | null
  /** The good subscriber's median kbps over the run's last 5 s. */
  endKbps: number | null
  lowestRembKbps: number | null
  goodFreezesAfterJoin: number
  goodLongestGapMs: number
  slowFreezes: number
  slowFreezeMs: number
  slowLongestGapMs: number
  slowMedianFps: number | null
  slowMedianLossPercent: number | null
  /** Each subscriber's audio over the run's last AUDIO_WINDOW_S (null: the run is shorter, or the slow one had not joined). */
  goodAudio: AudioShare | null
  slowAudio: AudioShare | null
}

/** The summary's audio window: the run's last seconds, the slow subscriber's steady state under either rule. */
export const AUDIO_WINDOW_S = 15

function audioOverLast(samples: readonly SlowSample[], pick: (sample: SlowSample) => SlowSubscriberSecond | null): AudioShare | null {
  const last = samples.at(-1)
  const from = samples.at(-1 - AUDIO_WINDOW_S)
  const [end, start] = [last && pick(last), from && pick(from)]
  return end && start ? audioShare(start.audio, end.audio) : null
}

export function summarise(samples: readonly SlowSample[], joinS: number): SlowSummary {
  const before = samples.filter((sample) => sample.atS >= 3 && sample.atS <= joinS)
  const after = samples.filter((sample) => sample.atS > joinS)
  const fullKbps = median(before.map((sample) => sample.good.kbps))
  const dragged = fullKbps === null ? [] : after.filter((sample) => sample.good.kbps < DRAGGED_SHARE * fullKbps).map((sample) => sample.atS - joinS)
  const atJoin = samples.find((sample) => sample.atS === joinS)
  const last = samples.at(-1)
  const lastSlow = last?.slow
  const rembs = after.map((sample) => sample.rembKbps).filter((value): value is number => value !== null)
  return {
    fullKbps,
    draggedSeconds: dragged.length,
    draggedFrom: dragged[0] ?? null,
    draggedUntil: dragged.at(-1) ?? null,
    endKbps: median(samples.slice(-5).map((sample) => sample.good.kbps)),
    lowestRembKbps: rembs.length > 0 ? Math.min(...rembs) : null,
    goodFreezesAfterJoin: (last?.good.freezes ?? 0) - (atJoin?.good.freezes ?? 0),
    goodLongestGapMs: last?.good.longestGapMs ?? 0,
    slowFreezes: lastSlow?.freezes ?? 0,
    slowFreezeMs: lastSlow?.freezeMs ?? 0,
    slowLongestGapMs: lastSlow?.longestGapMs ?? 0,
    slowMedianFps: median(after.slice(3).map((sample) => sample.slow?.fps ?? 0)),
    slowMedianLossPercent: median(after.slice(3).flatMap((sample) => (sample.slow?.lossPercent === null || sample.slow?.lossPercent === undefined ? [] : [sample.slow.lossPercent]))),
    goodAudio: audioOverLast(samples, (sample) => sample.good),
    slowAudio: audioOverLast(samples, (sample) => sample.slow),
  }
}

export const SUMMARY_HEAD = [
  '| run | publisher | slow rate | good full kbps (before the join) | good seconds under 60 % of it | first–last such second after the join | good kbps, last 5 s | lowest hub REMB kbps | good freezes after the join | good longest gap ms | slow freezes / ms | slow longest gap ms | slow median fps (from +3 s) | slow median loss % | good audio loss / concealed %, last 15 s | slow audio loss / concealed %, last 15 s | slow audio concealment events, last 15 s | load avg (end) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
]

const audioCell = (share: AudioShare | null) => (share ? `${format(share.lossPercent, 1)} / ${format(share.concealedPercent, 1)}` : '-')

export function summaryRow(run: string, publisher: string, rate: string, summary: SlowSummary, load: number): string {
  const span = summary.draggedFrom === null ? '-' : `${summary.draggedFrom}–${summary.draggedUntil} s`
  return `| ${run} | ${publisher} | ${rate} | ${format(summary.fullKbps)} | ${summary.draggedSeconds} | ${span} | ${format(summary.endKbps)} | ${format(summary.lowestRembKbps)} | ${summary.goodFreezesAfterJoin} | ${format(summary.goodLongestGapMs)} | ${summary.slowFreezes} / ${format(summary.slowFreezeMs)} | ${format(summary.slowLongestGapMs)} | ${format(summary.slowMedianFps)} | ${format(summary.slowMedianLossPercent, 1)} | ${audioCell(summary.goodAudio)} | ${audioCell(summary.slowAudio)} | ${format(summary.slowAudio?.concealmentEvents ?? null)} | ${load.toFixed(2)} |`
}

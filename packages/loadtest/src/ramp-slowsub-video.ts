// The slow-subscriber run's video figures (ramp-slowsub.ts): when the hub paused and resumed the slow
// subscriber's video (its log lines 'video paused' / 'video resumed', video-pause.ts; a hub without the rule
// logs none), what the good subscriber and the publisher kept over the run's last 15 s, the slow one's frame
// rate while its video was forwarded, and with `--slow-until` how long after its link recovered its video
// came back for good.
import type { SlowSample } from './ramp-slowsub-table.js'

/** One 'video paused' / 'video resumed' line of the hub, at `atS` s after the publisher connected. */
export interface PauseEvent {
  atS: number
  paused: boolean
}

/** The window the good subscriber's and the publisher's rate are averaged over: the run's steady state. */
export const STEADY_WINDOW_S = 15

export interface VideoSummary {
  goodKbpsLast15: number | null
  /** `--good-subscribers` over 1: the other good ones' kbps over the same window. */
  moreGoodKbpsLast15: (number | null)[]
  publisherKbpsLast15: number | null
  rembKbpsLast15: number | null
  /** "P+10.2 R+20.4 …": paused / resumed, in s after the slow one's Join click. */
  events: string
  pauses: number
  /** Of the slow one's seconds from +3 s after its join, those its video was paused through, and its median fps in the others. */
  pausedSeconds: number
  liveMedianFps: number | null
  /** `--slow-until`: s from the link's recovery to the last resume not followed by a pause (null: none, or still paused at the end). */
  recoveredAfterS: number | null
  /** Per resume, the slow one's video packets lost / NACKs it sent from the second before it to RESUME_WINDOW_S after ("0/0 3/7"; "-": none). */
  atResumes: string
}

/** The seconds after a resume its loss and NACKs are counted over: the keyframe and what follows it. */
export const RESUME_WINDOW_S = 3

/** The slow one's video lost / NACKs from the second before `atS` to RESUME_WINDOW_S s after (undefined ends: "?"). */
function aroundResume(samples: readonly SlowSample[], atS: number): string {
  const before = samples.find((sample) => sample.atS === Math.ceil(atS) - 1)?.slow
  const after = samples.find((sample) => sample.atS === Math.ceil(atS) + RESUME_WINDOW_S)?.slow ?? samples.at(-1)?.slow
  if (!before || !after) return '?'
  return `${after.videoLost - before.videoLost}/${after.videoNacks - before.videoNacks}`
}

const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length)

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Paused at some moment of the second that ends at `atS` (from atS − 1 to atS). */
function pausedDuring(events: readonly PauseEvent[], atS: number): boolean {
  let paused = false
  for (const event of events) {
    if (event.atS > atS) break
    if (event.atS <= atS - 1) paused = event.paused
    else if (event.paused) return true
  }
  return paused
}

export function summariseVideo(samples: readonly SlowSample[], events: readonly PauseEvent[], joinS: number, slowUntilS: number | null): VideoSummary {
  const last = samples.slice(-STEADY_WINDOW_S)
  const after = samples.filter((sample) => sample.atS > joinS + 3 && sample.slow)
  const live = after.filter((sample) => !pausedDuring(events, sample.atS))
  const finalResume = events.at(-1)?.paused === false ? events.at(-1)! : undefined
  return {
    goodKbpsLast15: mean(last.map((sample) => sample.good.kbps)),
    moreGoodKbpsLast15: (samples.at(-1)?.moreGoodKbps ?? []).map((_, index) => mean(last.flatMap((sample) => sample.moreGoodKbps?.[index] ?? []))),
    publisherKbpsLast15: mean(last.flatMap((sample) => (sample.sentKbps === null ? [] : [sample.sentKbps]))),
    rembKbpsLast15: median(last.flatMap((sample) => (sample.rembKbps === null ? [] : [sample.rembKbps]))),
    events: events.map((event) => `${event.paused ? 'P' : 'R'}+${(event.atS - joinS).toFixed(1)}`).join(' ') || '-',
    pauses: events.filter((event) => event.paused).length,
    pausedSeconds: after.length - live.length,
    liveMedianFps: median(live.map((sample) => sample.slow!.fps)),
    recoveredAfterS: slowUntilS !== null && finalResume && finalResume.atS >= slowUntilS ? finalResume.atS - slowUntilS : null,
    atResumes: events.filter((event) => !event.paused).map((event) => aroundResume(samples, event.atS)).join(' ') || '-',
  }
}

export const VIDEO_HEAD = [
  '| run | publisher | slow rate | good kbps, last 15 s | publisher sent kbps, last 15 s | hub REMB kbps, median of last 15 s | slow video paused (P) / resumed (R), s after its join | pauses | slow seconds paused (from +3 s) | slow median fps while forwarded | link recovered at (s after the join) → video back for good after | slow video lost / NACKs around each resume (1 s before to 3 s after) | load avg (end) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
]

const format = (value: number | null, digits = 0) => (value === null ? '-' : value.toFixed(digits))

export function videoRow(run: string, publisher: string, rate: string, summary: VideoSummary, joinS: number, slowUntilS: number | null, load: number): string {
  const back = summary.pauses === 0 ? 'never paused' : summary.recoveredAfterS === null ? 'not back' : `${summary.recoveredAfterS.toFixed(1)} s`
  const recovery = slowUntilS === null ? '-' : `+${slowUntilS - joinS} → ${back}`
  return `| ${run} | ${publisher} | ${rate} | ${[summary.goodKbpsLast15, ...summary.moreGoodKbpsLast15].map((kbps) => format(kbps)).join(' / ')} | ${format(summary.publisherKbpsLast15)} | ${format(summary.rembKbpsLast15)} | ${summary.events} | ${summary.pauses} | ${summary.pausedSeconds} | ${format(summary.liveMedianFps)} | ${recovery} | ${summary.atResumes} | ${load.toFixed(2)} |`
}

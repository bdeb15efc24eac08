// The recorded Chromium getStats reports (scripts/record-stats.mjs) for the stats tests.
import { readFileSync } from 'node:fs'
import type { StatLike } from './report.js'

export interface RecordedSample {
  atMs: number
  /** The receiving peer connection's report: inbound-rtp, candidate-pair… */
  receiver: StatLike[]
  /** The sending one's: outbound-rtp, media-source, remote-inbound-rtp… */
  sender: StatLike[]
}

export type FixtureName = 'good' | 'lossy' | 'frozen'

export function recordedSamples(name: FixtureName): RecordedSample[] {
  const file = new URL(`./fixtures/chromium-${name}.json`, import.meta.url)
  return (JSON.parse(readFileSync(file, 'utf8')) as { samples: RecordedSample[] }).samples
}

/** What one peer connection that both sends and receives (as ours does via the hub) would report. */
export function combinedReport(sample: RecordedSample): StatLike[] {
  return [...sample.receiver, ...sample.sender.filter((stat) => stat.type !== 'candidate-pair')]
}

/** The receiver's track ids in the recordings. */
export function recordedTrackIds(sample: RecordedSample): { audio: string; video: string } {
  const id = (kind: string) => String(sample.receiver.find((s) => s.type === 'inbound-rtp' && s.kind === kind)?.trackIdentifier)
  return { audio: id('audio'), video: id('video') }
}

// One getStats report reduced to the figures the conference uses, as plain data. A report is a list
// of RTCStats dictionaries (what `[...report.values()]` gives in a browser); unknown or missing
// fields are simply absent, so a hub or browser that reports less still works.

/** One RTCStats dictionary, as getStats returns it. */
export type StatLike = { readonly type: string; readonly id?: string } & Record<string, unknown>

/** What we receive on one remote track (inbound-rtp), keyed by the receiver's track id. */
export interface InboundFigures {
  kind: 'audio' | 'video'
  packetsReceived: number
  packetsLost: number
  /** Seconds, as RTCStats reports it. */
  jitter?: number
  framesDecoded?: number
  framesPerSecond?: number
  audioLevel?: number
  totalAudioEnergy?: number
  totalSamplesDuration?: number
}

/** What we send (outbound-rtp, media-source, remote-inbound-rtp). */
export interface OutboundFigures {
  audioLevel?: number
  totalAudioEnergy?: number
  totalSamplesDuration?: number
  framesPerSecond?: number
  /** The worst `qualityLimitationReason` of our video encodings ('none' when nothing limits them). */
  qualityLimitationReason?: string
  /** The hub's view of what we send (remote-inbound-rtp): worst fraction lost, 0..1. */
  fractionLost?: number
  /** Seconds. */
  jitter?: number
}

export interface StatsSample {
  /** When it was read (the conference clock), in ms. */
  atMs: number
  inbound: Record<string, InboundFigures>
  outbound: OutboundFigures
  /** Seconds: remote-inbound-rtp's roundTripTime, else the selected candidate pair's currentRoundTripTime. */
  roundTripTime?: number
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)
/** The record without its undefined fields (the stats figures a reading did not have). */
export const defined = <T extends object>(record: T): T => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T
const max = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b))
const LIMITATION_RANK: Record<string, number> = { none: 0, other: 1, cpu: 2, bandwidth: 3 }

/**
 * The RTCStats types and fields readSample and the send layers' figures (sendLayers.ts) read, by type: all a
 * call trace keeps of a report (trace/recordingPorts.ts), so a replayed call reads the same samples.
 * report.test.ts checks the two agree.
 */
export const SAMPLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'inbound-rtp': ['trackIdentifier', 'kind', 'packetsReceived', 'packetsLost', 'jitter', 'framesDecoded', 'framesPerSecond', 'audioLevel', 'totalAudioEnergy', 'totalSamplesDuration'],
  'media-source': ['kind', 'audioLevel', 'totalAudioEnergy', 'totalSamplesDuration'],
  'outbound-rtp': ['kind', 'rid', 'framesPerSecond', 'qualityLimitationReason', 'targetBitrate'],
  'remote-inbound-rtp': ['fractionLost', 'jitter', 'roundTripTime'],
  'candidate-pair': ['nominated', 'state', 'currentRoundTripTime', 'availableOutgoingBitrate'],
}

/** A getStats report (an RTCStatsReport is iterated with forEach) reduced to SAMPLE_FIELDS: what the stats reading and a call trace keep. */
export function sampleOfReport(report: { forEach(callback: (stat: unknown) => void): void } | undefined): StatLike[] {
  const stats: StatLike[] = []
  report?.forEach((stat) => {
    if (typeof (stat as { type?: unknown } | null)?.type === 'string') stats.push(stat as StatLike)
  })
  return sampleFieldsOf(stats)
}

/** A report reduced to SAMPLE_FIELDS: the stats readSample reads, with only the fields it reads. */
export function sampleFieldsOf(stats: readonly StatLike[]): StatLike[] {
  const kept: StatLike[] = []
  for (const stat of stats) {
    const fields = SAMPLE_FIELDS[stat.type]
    if (!fields) continue
    const reduced: Record<string, unknown> = { type: stat.type }
    for (const field of fields) if (stat[field] !== undefined) reduced[field] = stat[field]
    kept.push(reduced as StatLike)
  }
  return kept
}

export function readSample(stats: readonly StatLike[], atMs: number): StatsSample {
  const inbound: Record<string, InboundFigures> = {}
  const outbound: OutboundFigures = {}
  let remoteRtt: number | undefined
  let pairRtt: number | undefined
  for (const stat of stats) {
    switch (stat.type) {
      case 'inbound-rtp': {
        const trackId = stat.trackIdentifier
        if (typeof trackId !== 'string' || (stat.kind !== 'audio' && stat.kind !== 'video')) break
        inbound[trackId] = defined({
          kind: stat.kind,
          packetsReceived: num(stat.packetsReceived) ?? 0,
          packetsLost: Math.max(0, num(stat.packetsLost) ?? 0),
          jitter: num(stat.jitter),
          framesDecoded: num(stat.framesDecoded),
          framesPerSecond: num(stat.framesPerSecond),
          audioLevel: num(stat.audioLevel),
          totalAudioEnergy: num(stat.totalAudioEnergy),
          totalSamplesDuration: num(stat.totalSamplesDuration),
        })
        break
      }
      case 'media-source':
        if (stat.kind === 'audio') {
          outbound.audioLevel = num(stat.audioLevel)
          outbound.totalAudioEnergy = num(stat.totalAudioEnergy)
          outbound.totalSamplesDuration = num(stat.totalSamplesDuration)
        }
        break
      case 'outbound-rtp':
        if (stat.kind === 'video') {
          outbound.framesPerSecond = max(outbound.framesPerSecond, num(stat.framesPerSecond))
          const reason = typeof stat.qualityLimitationReason === 'string' ? stat.qualityLimitationReason : undefined
          if (reason && (LIMITATION_RANK[reason] ?? 1) >= (LIMITATION_RANK[outbound.qualityLimitationReason ?? 'none'] ?? 0)) outbound.qualityLimitationReason = reason
        }
        break
      case 'remote-inbound-rtp':
        outbound.fractionLost = max(outbound.fractionLost, num(stat.fractionLost))
        outbound.jitter = max(outbound.jitter, num(stat.jitter))
        remoteRtt = max(remoteRtt, num(stat.roundTripTime))
        break
      case 'candidate-pair':
        if (stat.nominated === true && stat.state === 'succeeded') pairRtt = max(pairRtt, num(stat.currentRoundTripTime))
        break
    }
  }
  const roundTripTime = remoteRtt ?? pairRtt
  return { atMs, inbound, outbound: defined(outbound), ...(roundTripTime !== undefined ? { roundTripTime } : {}) }
}
